using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RawConv.Imaging;

namespace RawConv.Tests.Imaging;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(0, 1, 0.2, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(-12, 12, 5, new[] { -10.0, -5, 0, 5, 10 })]
    [InlineData(0.6, 1.4, 0.2, new[] { 0.6, 0.8, 1, 1.2, 1.4 })]
    [InlineData(0, 360, 100, new[] { 0.0, 100, 200, 300 })]
    [InlineData(3, 47, 10, new[] { 10.0, 20, 30, 40 })]
    [InlineData(0, 0.0007, 0.0002, new[] { 0, 0.0002, 0.0004, 0.0006 })]
    [InlineData(0.6000000238418579, 1.3999999761581421, 0.2, new[] { 0.6, 0.8, 1, 1.2, 1.4 })]
    public void TicksAreOneTwoFiveMultiplesInsideTheRange(double lo, double hi, double step, double[] ticks)
    {
        var (s, t) = Chart.NiceTicks(lo, hi);
        Assert.Equal(step, s, step * 1e-9);
        Assert.Equal(ticks.Length, t.Length);
        for (int i = 0; i < t.Length; i++) Assert.Equal(ticks[i], t[i], step * 1e-9);
    }

    [Fact]
    public void AnAxisEndThatCameThroughFloatKeepsItsTickLabel()
    {
        double[] x = [0.6f, 1.0f, 1.4f];
        // Whole-number y ticks: the only labels with a decimal point are the x ticks.
        var texts = XDocument.Parse(new Chart().Add("s", x, [0, 10, 0]).ToSvg()).Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Equal(["0.6", "0.8", "1.0", "1.2", "1.4"], texts.Where(t => t.Contains('.')));
    }

    [Fact]
    public void TickLabelsHaveJustEnoughDecimals()
    {
        Assert.Equal("0.6", Chart.FormatTick(0.6000000000000001, 0.2));
        Assert.Equal("-10", Chart.FormatTick(-10, 5));
        Assert.Equal("0.05", Chart.FormatTick(0.05, 0.05));
        Assert.Equal("0", Chart.FormatTick(0, 0.1));
        Assert.Equal("2E+06", Chart.FormatTick(2e6, 1e6));
    }

    private static Chart Sample(bool markers = false) =>
        new Chart { Title = "distance at fc7", XLabel = "rotation (degrees)", YLabel = "distance", Markers = markers }
            .Add("dog & <cat>", [0, 10, 20, 30, 40], [0, 1.5, double.NaN, 2.5, 2])
            .Add("eagle", [0, 10, 20, 30, 40], [0, 0.5, 0.7, 0.4, double.PositiveInfinity]);

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>The subpaths of every path in a group: each a list of (x, y) points.</summary>
    private static List<List<(double X, double Y)>> Lines(XElement group) =>
        group.Descendants(Svg + "path").SelectMany(p => Regex.Matches(p.Attribute("d")!.Value, @"M[^M]+").Select(m =>
            Regex.Matches(m.Value, @"[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)").Select(q => (Num(q.Groups[1].Value), Num(q.Groups[2].Value))).ToList())).ToList();

    [Fact]
    public void SvgIsXmlNamingEverySeriesTheTitleAndTheAxes()
    {
        var doc = XDocument.Parse(Sample(markers: true).ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal("480", doc.Root.Attribute("width")!.Value);
        Assert.Equal("360", doc.Root.Attribute("height")!.Value);
        var groups = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-series") != null).ToList();
        Assert.Equal(["dog & <cat>", "eagle"], groups.Select(g => g.Attribute("data-series")!.Value));
        // The NaN breaks the first line into 0–10 and 30–40; the infinity ends the second at 30.
        Assert.Equal([2, 2], Lines(groups[0]).Select(l => l.Count));
        Assert.Equal([4], Lines(groups[1]).Select(l => l.Count));
        Assert.Equal(4, groups[0].Descendants(Svg + "ellipse").Count());
        Assert.Equal(4, groups[1].Descendants(Svg + "ellipse").Count());
        Assert.Equal("#1F77B4", groups[0].Descendants(Svg + "path").First().Attribute("stroke")!.Value, ignoreCase: true);
        Assert.Equal("#FF7F0E", groups[1].Descendants(Svg + "path").First().Attribute("stroke")!.Value, ignoreCase: true);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (var t in new[] { "distance at fc7", "rotation (degrees)", "distance", "dog & <cat>", "eagle" })
            Assert.Single(texts, x => x == t);
        // Ticks are the 1-2-5 ticks of the ranges: x 0..40 by 10, y 0..2.5 by 0.5.
        Assert.Equal(["0", "10", "20", "30", "40"], texts.Where(t => t is "0" or "10" or "20" or "30" or "40").Distinct());
        Assert.Contains("2.5", texts);
        Assert.Contains("0.5", texts);
    }

    [Fact]
    public void TheLegendIsDrawnOnlyWhenAskedFor()
    {
        List<string> Texts(bool legend) => XDocument.Parse(new Chart { ShowLegend = legend }.Add("alpha", [0, 1], [0, 1]).Add("beta", [0, 1], [1, 0]).ToSvg())
            .Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Equal(["alpha", "beta"], Texts(true).Where(t => t is "alpha" or "beta"));
        Assert.DoesNotContain(Texts(false), t => t is "alpha" or "beta");
    }

    [Theory]
    [InlineData(new[] { 0.0, 1 })]
    [InlineData(new[] { 1.0, 0 })]
    [InlineData(new[] { 0.9, 0.9 })]
    [InlineData(new[] { 0.1, 0.1 })]
    public void TheLegendSitsInACornerTheLinesLeaveFree(double[] ys)
    {
        var doc = XDocument.Parse(new Chart { Width = 300, Height = 240 }.Add("a long series name", [0, 1], ys).Add("b", [0, 1], ys.Select(v => v * 0.95).ToArray()).ToSvg());
        // The legend is the clipped group that holds text; its clip is the legend's inner box.
        var legend = doc.Descendants(Svg + "g").Single(g => g.Attribute("clip-path") != null && g.Descendants(Svg + "text").Any());
        string id = Regex.Match(legend.Attribute("clip-path")!.Value, @"#([^)]+)").Groups[1].Value;
        var box = doc.Descendants(Svg + "clipPath").Single(c => c.Attribute("id")!.Value == id).Element(Svg + "rect")!;
        double bx = Num(box.Attribute("x")!.Value), by = Num(box.Attribute("y")!.Value), bw = Num(box.Attribute("width")!.Value), bh = Num(box.Attribute("height")!.Value);
        int hidden = 0;
        foreach (var line in doc.Descendants(Svg + "g").Where(g => g.Attribute("data-series") != null).SelectMany(Lines))
            for (int k = 0; k + 1 < line.Count; k++)
                for (int t = 0; t <= 100; t++)
                {
                    double x = line[k].X + (line[k + 1].X - line[k].X) * t / 100, y = line[k].Y + (line[k + 1].Y - line[k].Y) * t / 100;
                    if (x >= bx && x <= bx + bw && y >= by && y <= by + bh) hidden++;
                }
        Assert.Equal(0, hidden);
    }

    [Fact]
    public void SeriesAreMappedIntoThePlotAreaInOrder()
    {
        var doc = XDocument.Parse(new Chart { YMin = 0, YMax = 1 }.Add("up", [0, 1, 2], [0, 0.5, 1]).ToSvg());
        var pts = Lines(doc.Descendants(Svg + "g").Single(g => g.Attribute("data-series") != null)).Single();
        Assert.Equal(3, pts.Count);
        Assert.True(pts[0].X < pts[1].X && pts[1].X < pts[2].X, "x grows to the right");
        Assert.True(pts[0].Y > pts[1].Y && pts[1].Y > pts[2].Y, "y grows upwards");
        Assert.Equal((pts[0].X + pts[2].X) / 2, pts[1].X, 0.02);
        Assert.Equal((pts[0].Y + pts[2].Y) / 2, pts[1].Y, 0.02);
        Assert.All(pts, p => Assert.InRange(p.X, 0, 480));
        Assert.All(pts, p => Assert.InRange(p.Y, 0, 360));
    }

    [Fact]
    public void ASeriesWithNothingToDrawIsStillNamed()
    {
        var doc = XDocument.Parse(new Chart().Add("a", [0, 1], [0, 1]).Add("void", [0, 1], [double.NaN, double.NaN]).Add("c", [0, 1], [1, 0]).ToSvg());
        var groups = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-series") != null).ToList();
        Assert.Equal(["a", "void", "c"], groups.Select(g => g.Attribute("data-series")!.Value));
        Assert.Empty(Lines(groups[1]));
        Assert.Equal("#2CA02C", groups[2].Descendants(Svg + "path").First().Attribute("stroke")!.Value, ignoreCase: true);
    }

    [Fact]
    public void PngDecodesToTheSizeWithTheLinesAndText()
    {
        var chart = new Chart { Title = "t", Width = 300, Height = 200, YMin = 0, YMax = 1, ShowLegend = false }.Add("flat", [0, 10], [0.5, 0.5]).Add("slope", [0, 10], [0.1, 0.9]);
        var img = Png.Decode(Png.Encode(chart.ToImage()));
        Assert.Equal((300, 200, 3), (img.Width, img.Height, img.Channels));
        int Count(Func<int, int, int, bool> f)
        {
            int n = 0;
            for (int i = 0; i < img.Width * img.Height; i++) if (f(img.Data[3 * i], img.Data[3 * i + 1], img.Data[3 * i + 2])) n++;
            return n;
        }
        int Near((byte R, byte G, byte B) c) => Count((r, g, b) => Math.Abs(r - c.R) <= 30 && Math.Abs(g - c.G) <= 30 && Math.Abs(b - c.B) <= 30);
        // Each line is a couple of pixels thick across most of the plot's width.
        Assert.InRange(Near(Chart.Palette[0]), 150, 2000);
        Assert.InRange(Near(Chart.Palette[1]), 150, 2000);
        Assert.True(Count((r, g, b) => r < 80 && g < 80 && b < 80) > 100, "frame and tick labels are dark");
        Assert.True(Count((r, g, b) => r == 255 && g == 255 && b == 255) > img.Width * img.Height / 2, "the background is white");
    }

    [Fact]
    public void RowsPutChartsSideBySideUnderATitle()
    {
        var charts = new[] { Sample(), Sample(), new Chart { Width = 200, Height = 400 }.Add("x", [0, 1], [1, 2]) };
        var img = ChartRow.ToImage(charts, "Invariance");
        Assert.Equal(480 + 480 + 200, img.Width);
        Assert.True(img.Height > 400 && img.Height < 450, $"height {img.Height}");
        var doc = XDocument.Parse(ChartRow.ToSvg(charts, "Invariance"));
        Assert.Equal(img.Width.ToString(), doc.Root!.Attribute("width")!.Value);
        Assert.Equal(img.Height.ToString(), doc.Root.Attribute("height")!.Value);
        Assert.Equal(["0", "480", "960"], doc.Root.Elements(Svg + "svg").Select(s => s.Attribute("x")!.Value));
        Assert.Equal(5, doc.Descendants(Svg + "g").Count(g => g.Attribute("data-series") != null));
        Assert.Single(doc.Descendants(Svg + "text"), t => t.Value == "Invariance");
        // Ids stay unique once the charts share one document.
        var ids = doc.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // The title's ink sits in the strip above the charts, centred.
        int top = img.Height - 400, ink = 0;
        for (int y = 0; y < top; y++)
            for (int x = img.Width / 2 - 60; x < img.Width / 2 + 60; x++) if (img[x, y, 0] < 128) ink++;
        Assert.True(ink > 30, $"{ink} title pixels");
    }

    [Fact]
    public void ALongTitleStaysInsideItsChart()
    {
        string title = "vertical translation: distance at pool1 and more words";
        var chart = new Chart { Title = title, Width = 300, Height = 200 }.Add("a", [0, 1], [0, 1]);
        var text = XDocument.Parse(chart.ToSvg()).Descendants(Svg + "text").Single(t => t.Value == title);
        // Skia writes the text's origin as a translation and each glyph's x offset from it.
        var origin = Regex.Match(text.Attribute("transform")!.Value, @"translate\((-?[\d.]+)");
        var xs = text.Attribute("x")!.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Num).ToList();
        double size = Num(text.Attribute("font-size")!.Value), x0 = Num(origin.Groups[1].Value);
        Assert.InRange(x0 + xs[0], 0, 300);
        Assert.InRange(x0 + xs[^1] + size, 0, 300);
        Assert.True(size < 16, $"font size {size}");
    }

    [Fact]
    public void MismatchedSeriesAreRefused()
    {
        var e = Assert.Throws<RawConvException>(() => new Chart().Add("bad", [1, 2, 3], [1, 2]));
        Assert.Contains("'bad' has 3 x values and 2 y values", e.Message);
        var titled = new Chart { Title = "P(true class)" };
        titled.Series.Add(new ChartSeries("short", [1, 2], [1]));
        e = Assert.Throws<RawConvException>(() => titled.ToSvg());
        Assert.Equal("chart 'P(true class)': series 'short' has 2 x values and 1 y values", e.Message);
        Assert.Throws<RawConvException>(() => titled.ToImage());
    }
}
