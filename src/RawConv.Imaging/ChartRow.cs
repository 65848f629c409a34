using System.Globalization;
using System.Xml.Linq;
using ScottPlot;
using SkiaSharp;

namespace RawConv.Imaging;

/// <summary>
/// Charts laid side by side in one row (like one row of Zeiler–Fergus Fig. 5), or several such rows stacked,
/// with an optional title above.
/// </summary>
public static class ChartRow
{
    private const float TitlePad = 8;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static (int W, int H, int Top) Size(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title)
    {
        if (rows.Count == 0 || rows.Any(r => r.Count == 0)) throw new RawConvException("chart row: no charts");
        int top = title != null ? (int)Math.Ceiling(2 * TitlePad + Chart.TitleSize * 1.25) : 0;
        return (rows.Max(r => r.Sum(c => c.Width)), top + rows.Sum(r => r.Max(c => c.Height)), top);
    }

    /// <summary>Every chart with its top-left corner, row by row.</summary>
    private static IEnumerable<(Chart C, int X, int Y)> Layout(IReadOnlyList<IReadOnlyList<Chart>> rows, int top)
    {
        int y = top;
        foreach (var row in rows)
        {
            int x = 0;
            foreach (var c in row)
            {
                yield return (c, x, y);
                x += c.Width;
            }
            y += row.Max(c => c.Height);
        }
    }

    /// <summary>The row title's size (shrunk to fit the width) and baseline.</summary>
    private static (float Size, double Baseline) TitleFit(string title, int w, int top)
    {
        double wide = ChartFont.Measure(title, Chart.TitleSize, bold: true);
        float size = wide > w - 2 * TitlePad ? (float)Math.Max(8, Chart.TitleSize * (w - 2 * TitlePad) / wide) : Chart.TitleSize;
        return (size, top / 2.0 + ChartFont.CapHeight(size, bold: true) / 2);
    }

    /// <summary>The charts side by side as one SVG document; each series is a &lt;g data-series="name"&gt;.</summary>
    public static string ToSvg(IReadOnlyList<Chart> charts, string? title = null) => ToSvg([charts], title);

    /// <summary>Rows of charts, stacked top to bottom, as one SVG document; each chart is a nested &lt;svg&gt;.</summary>
    public static string ToSvg(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title = null)
    {
        var (w, h, top) = Size(rows, title);
        var root = new XElement(Svg + "svg", new XAttribute("width", w), new XAttribute("height", h),
            new XElement(Svg + "rect", new XAttribute("fill", "white"), new XAttribute("width", w), new XAttribute("height", h)));
        if (title != null)
        {
            var (size, baseline) = TitleFit(title, w, top);
            root.Add(new XElement(Svg + "text", new XAttribute("x", Num(w / 2.0)), new XAttribute("y", Num(baseline)),
                new XAttribute("text-anchor", "middle"), new XAttribute("font-family", ChartFont.Family),
                new XAttribute("font-size", Num(size)), new XAttribute("font-weight", "bold"), title));
        }
        int k = 0;
        foreach (var (c, x, y) in Layout(rows, top))
        {
            using var plot = c.ToPlot();
            var chart = XDocument.Parse(plot.GetSvgXml(c.Width, c.Height)).Root!;
            ChartSvg.Tidy(chart, $"c{k++}_", c.Series);
            root.Add(new XElement(Svg + "svg", new XAttribute("x", x), new XAttribute("y", y),
                new XAttribute("width", c.Width), new XAttribute("height", c.Height), chart.Elements()));
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + root + "\n";
    }

    /// <summary>The charts side by side as one 8-bit RGB image.</summary>
    public static Image ToImage(IReadOnlyList<Chart> charts, string? title = null) => ToImage([charts], title);

    /// <summary>Rows of charts, stacked top to bottom, as one 8-bit RGB image (each chart's PNG decoded and placed).</summary>
    public static Image ToImage(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title = null)
    {
        var (w, h, top) = Size(rows, title);
        var img = new Image(w, h, 3);
        Array.Fill(img.Data, (ushort)255);
        if (title != null) Blit(img, TitleStrip(title, w, top), 0, 0);
        foreach (var (c, x, y) in Layout(rows, top))
        {
            using var plot = c.ToPlot();
            Blit(img, Png.Decode(plot.GetImageBytes(c.Width, c.Height, ImageFormat.Png), "chart"), x, y);
        }
        return img;
    }

    private static Image TitleStrip(string title, int w, int top)
    {
        var (size, baseline) = TitleFit(title, w, top);
        using var surface = SKSurface.Create(new SKImageInfo(w, top, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        using var tf = ChartFont.Typeface(bold: true);
        using var font = new SKFont(tf, size);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        surface.Canvas.DrawText(title, w / 2f, (float)baseline, SKTextAlign.Center, font, paint);
        using var snap = surface.Snapshot();
        using var png = snap.Encode(SKEncodedImageFormat.Png, 100);
        return Png.Decode(png.ToArray(), "chart title");
    }

    /// <summary>Copies <paramref name="src"/> (RGB or RGBA, alpha dropped over white) into <paramref name="dst"/> at (x, y).</summary>
    private static void Blit(Image dst, Image src, int x, int y)
    {
        var rgb = src.ToRgb8();
        int w = Math.Min(rgb.Width, dst.Width - x), h = Math.Min(rgb.Height, dst.Height - y);
        for (int r = 0; r < h; r++)
            Array.Copy(rgb.Data, (long)r * rgb.Width * 3, dst.Data, ((long)(y + r) * dst.Width + x) * 3, w * 3);
    }

    private static string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
