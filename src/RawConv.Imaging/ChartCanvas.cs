using System.Globalization;
using System.Security;
using System.Text;

namespace RawConv.Imaging;

/// <summary>
/// Charts laid side by side in one row (like one row of Zeiler–Fergus Fig. 5), or several such rows stacked,
/// with an optional title above.
/// </summary>
public static class ChartRow
{
    private const double TitlePad = 8;

    private static (int W, int H, double Top) Size(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title)
    {
        if (rows.Count == 0 || rows.Any(r => r.Count == 0)) throw new RawConvException("chart row: no charts");
        double top = title != null ? Math.Round(2 * TitlePad + BitmapFont.GlyphHeight * Chart.TitleU) : 0;
        return (rows.Max(r => r.Sum(c => c.Width)), (int)top + rows.Sum(r => r.Max(c => c.Height)), top);
    }

    private static void Draw(ChartCanvas canvas, IReadOnlyList<IReadOnlyList<Chart>> rows, string? title, int w, double top)
    {
        canvas.FillRect(0, 0, w, canvas.Height, Chart.White);
        if (title != null) canvas.Text(w / 2.0, TitlePad + BitmapFont.GlyphHeight * Chart.TitleU / 2, title, Chart.TitleU, Chart.Ink, TextAnchor.Middle);
        double y = top;
        foreach (var row in rows)
        {
            double x = 0;
            foreach (var c in row)
            {
                c.Draw(canvas, x, y);
                x += c.Width;
            }
            y += row.Max(c => c.Height);
        }
    }

    /// <summary>The charts side by side as one SVG document; each series is a &lt;polyline&gt; in a &lt;g data-series="name"&gt;.</summary>
    public static string ToSvg(IReadOnlyList<Chart> charts, string? title = null) => ToSvg([charts], title);

    /// <summary>Rows of charts, stacked top to bottom, as one SVG document.</summary>
    public static string ToSvg(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title = null)
    {
        var (w, h, top) = Size(rows, title);
        var svg = new SvgCanvas(w, h);
        Draw(svg, rows, title, w, top);
        return svg.Finish();
    }

    /// <summary>The charts side by side as one 8-bit RGB image, anti-aliased by 4×4 supersampling.</summary>
    public static Image ToImage(IReadOnlyList<Chart> charts, string? title = null) => ToImage([charts], title);

    /// <summary>Rows of charts, stacked top to bottom, as one 8-bit RGB image.</summary>
    public static Image ToImage(IReadOnlyList<IReadOnlyList<Chart>> rows, string? title = null)
    {
        var (w, h, top) = Size(rows, title);
        var r = new RasterCanvas(w, h, 4);
        Draw(r, rows, title, w, top);
        return r.Finish();
    }
}

/// <summary>The drawing operations a chart needs, in output pixels (x right, y down).</summary>
internal abstract class ChartCanvas(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public abstract void FillRect(double x, double y, double w, double h, (byte R, byte G, byte B) color);
    public abstract void StrokeRect(double x, double y, double w, double h, (byte R, byte G, byte B) color, double width);
    public abstract void Line(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color, double width);
    public abstract void Polyline(IReadOnlyList<(double X, double Y)> points, (byte R, byte G, byte B) color, double width);
    public abstract void Dot(double x, double y, double r, (byte R, byte G, byte B) color);
    /// <summary>Text whose cap height is centred on y (vertical: reading upwards, centred on x), u output pixels per font pixel.</summary>
    public abstract void Text(double x, double y, string text, double u, (byte R, byte G, byte B) color, TextAnchor anchor, bool vertical = false);
    public abstract void BeginClip(double x, double y, double w, double h);
    public abstract void EndClip();
    public virtual void BeginSeries(string name, (byte R, byte G, byte B) color) { }
    public virtual void EndSeries() { }

    protected static double AnchorShift(double length, TextAnchor a) => a switch { TextAnchor.Start => 0, TextAnchor.Middle => -length / 2, _ => -length };
}

internal sealed class SvgCanvas : ChartCanvas
{
    private readonly StringBuilder sb = new();
    private int clips;

    public SvgCanvas(int w, int h) : base(w, h)
    {
        sb.Append($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ")
          .Append("font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">\n");
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
    private static string Hex((byte R, byte G, byte B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";

    public override void FillRect(double x, double y, double w, double h, (byte R, byte G, byte B) color) =>
        sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"{Hex(color)}\"/>\n");

    public override void StrokeRect(double x, double y, double w, double h, (byte R, byte G, byte B) color, double width) =>
        sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"none\" stroke=\"{Hex(color)}\" stroke-width=\"{F(width)}\"/>\n");

    public override void Line(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color, double width) =>
        sb.Append($"<line x1=\"{F(x0)}\" y1=\"{F(y0)}\" x2=\"{F(x1)}\" y2=\"{F(y1)}\" stroke=\"{Hex(color)}\" stroke-width=\"{F(width)}\"/>\n");

    public override void Polyline(IReadOnlyList<(double X, double Y)> points, (byte R, byte G, byte B) color, double width) =>
        sb.Append($"<polyline fill=\"none\" stroke=\"{Hex(color)}\" stroke-width=\"{F(width)}\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"")
          .AppendJoin(' ', points.Select(p => F(p.X) + "," + F(p.Y))).Append("\"/>\n");

    public override void Dot(double x, double y, double r, (byte R, byte G, byte B) color) =>
        sb.Append($"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(r)}\" fill=\"{Hex(color)}\"/>\n");

    public override void Text(double x, double y, string text, double u, (byte R, byte G, byte B) color, TextAnchor anchor, bool vertical = false)
    {
        // Monospace at 10u: 0.6em advance = 6u (the bitmap font's), cap height ≈ 7u; the baseline sits 3.5u below the centre.
        string a = anchor switch { TextAnchor.Start => "start", TextAnchor.Middle => "middle", _ => "end" };
        string rot = vertical ? $" transform=\"rotate(-90 {F(x)} {F(y)})\"" : "";
        sb.Append($"<text x=\"{F(x)}\" y=\"{F(y + 3.5 * u)}\" font-size=\"{F(10 * u)}\" fill=\"{Hex(color)}\" text-anchor=\"{a}\"{rot}>")
          .Append(SecurityElement.Escape(text)).Append("</text>\n");
    }

    public override void BeginClip(double x, double y, double w, double h)
    {
        string id = $"plot{clips++}";
        sb.Append($"<clipPath id=\"{id}\"><rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\"/></clipPath>\n<g clip-path=\"url(#{id})\">\n");
    }

    public override void EndClip() => sb.Append("</g>\n");

    public override void BeginSeries(string name, (byte R, byte G, byte B) color) =>
        sb.Append($"<g class=\"series\" data-series=\"{SecurityElement.Escape(name)}\" stroke=\"{Hex(color)}\">\n<title>{SecurityElement.Escape(name)}</title>\n");

    public override void EndSeries() => sb.Append("</g>\n");

    public string Finish() => sb.Append("</svg>\n").ToString();
}

/// <summary>Draws into an RGB buffer <c>s</c> times larger in each direction, then averages s×s blocks (anti-aliasing).</summary>
internal sealed class RasterCanvas : ChartCanvas
{
    private readonly int s, sw, sh;
    private readonly byte[] px;
    private (int X0, int Y0, int X1, int Y1) clip;

    public RasterCanvas(int w, int h, int supersample) : base(w, h)
    {
        s = supersample; sw = w * s; sh = h * s;
        px = new byte[(long)sw * sh * 3];
        clip = (0, 0, sw, sh);
    }

    private void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if (x < clip.X0 || y < clip.Y0 || x >= clip.X1 || y >= clip.Y1) return;
        long i = ((long)y * sw + x) * 3;
        px[i] = c.R; px[i + 1] = c.G; px[i + 2] = c.B;
    }

    /// <summary>Fills the supersampled pixels whose centres lie inside [x, x+w) × [y, y+h) (output pixels).</summary>
    public override void FillRect(double x, double y, double w, double h, (byte R, byte G, byte B) color)
    {
        int xa = (int)Math.Ceiling(x * s - 0.5), xb = (int)Math.Ceiling((x + w) * s - 0.5);
        int ya = (int)Math.Ceiling(y * s - 0.5), yb = (int)Math.Ceiling((y + h) * s - 0.5);
        for (int yy = Math.Max(ya, 0); yy < Math.Min(yb, sh); yy++)
            for (int xx = Math.Max(xa, 0); xx < Math.Min(xb, sw); xx++) Set(xx, yy, color);
    }

    public override void StrokeRect(double x, double y, double w, double h, (byte R, byte G, byte B) color, double width)
    {
        Line(x, y, x + w, y, color, width); Line(x + w, y, x + w, y + h, color, width);
        Line(x + w, y + h, x, y + h, color, width); Line(x, y + h, x, y, color, width);
    }

    /// <summary>A capsule: every supersampled pixel within width/2 of the segment (round caps, so polylines get round joins).</summary>
    public override void Line(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color, double width)
    {
        double ax = x0 * s, ay = y0 * s, bx = x1 * s, by = y1 * s, r = width * s / 2;
        // Axis-aligned lines get square ends: a 1-pixel frame then covers whole output pixels.
        bool axis = ax == bx || ay == by;
        int xa = (int)Math.Floor(Math.Min(ax, bx) - r), xb = (int)Math.Ceiling(Math.Max(ax, bx) + r);
        int ya = (int)Math.Floor(Math.Min(ay, by) - r), yb = (int)Math.Ceiling(Math.Max(ay, by) + r);
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        for (int yy = Math.Max(ya, 0); yy <= Math.Min(yb, sh - 1); yy++)
            for (int xx = Math.Max(xa, 0); xx <= Math.Min(xb, sw - 1); xx++)
            {
                double cx = xx + 0.5, cy = yy + 0.5;
                if (axis)
                {
                    if (cx >= Math.Min(ax, bx) - r && cx <= Math.Max(ax, bx) + r && cy >= Math.Min(ay, by) - r && cy <= Math.Max(ay, by) + r
                        && (ax == bx ? Math.Abs(cx - ax) <= r : Math.Abs(cy - ay) <= r)) Set(xx, yy, color);
                    continue;
                }
                double t = len2 == 0 ? 0 : Math.Clamp(((cx - ax) * dx + (cy - ay) * dy) / len2, 0, 1);
                double ex = cx - (ax + t * dx), ey = cy - (ay + t * dy);
                if (ex * ex + ey * ey <= r * r) Set(xx, yy, color);
            }
    }

    public override void Polyline(IReadOnlyList<(double X, double Y)> points, (byte R, byte G, byte B) color, double width)
    {
        if (points.Count == 1) Dot(points[0].X, points[0].Y, width / 2, color);
        for (int i = 1; i < points.Count; i++) Line(points[i - 1].X, points[i - 1].Y, points[i].X, points[i].Y, color, width);
    }

    public override void Dot(double x, double y, double r, (byte R, byte G, byte B) color)
    {
        double cx = x * s, cy = y * s, rr = r * s;
        for (int yy = Math.Max((int)(cy - rr) - 1, 0); yy <= Math.Min((int)(cy + rr) + 1, sh - 1); yy++)
            for (int xx = Math.Max((int)(cx - rr) - 1, 0); xx <= Math.Min((int)(cx + rr) + 1, sw - 1); xx++)
            {
                double ex = xx + 0.5 - cx, ey = yy + 0.5 - cy;
                if (ex * ex + ey * ey <= rr * rr) Set(xx, yy, color);
            }
    }

    public override void Text(double x, double y, string text, double u, (byte R, byte G, byte B) color, TextAnchor anchor, bool vertical = false)
    {
        double start = AnchorShift(BitmapFont.Width(text) * u, anchor), top = -BitmapFont.GlyphHeight * u / 2;
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < BitmapFont.GlyphHeight; gy++)
                for (int gx = 0; gx < BitmapFont.GlyphWidth; gx++)
                {
                    if (!BitmapFont.Ink(text[i], gx, gy)) continue;
                    double hx = start + (i * BitmapFont.Advance + gx) * u, hy = top + gy * u;
                    // Reading upwards: along the text is −y, down the glyph is +x.
                    if (vertical) FillRect(x + hy, y - hx - u, u, u, color);
                    else FillRect(x + hx, y + hy, u, u, color);
                }
    }

    public override void BeginClip(double x, double y, double w, double h) =>
        clip = ((int)Math.Round(x * s), (int)Math.Round(y * s), (int)Math.Round((x + w) * s), (int)Math.Round((y + h) * s));

    public override void EndClip() => clip = (0, 0, sw, sh);

    public Image Finish()
    {
        var img = new Image(Width, Height, 3);
        int n = s * s;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0;
                    for (int j = 0; j < s; j++)
                        for (int i = 0; i < s; i++) sum += px[(((long)(y * s + j)) * sw + x * s + i) * 3 + c];
                    img.Data[((long)y * Width + x) * 3 + c] = (ushort)((sum + n / 2) / n);
                }
        return img;
    }
}
