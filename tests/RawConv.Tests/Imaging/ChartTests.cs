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
    public void TicksAreOneTwoFiveMultiplesInsideTheRange(double lo, double hi, double step, double[] ticks)
    {
        var (s, t) = Chart.NiceTicks(lo, hi);
        Assert.Equal(step, s, step * 1e-9);
        Assert.Equal(ticks.Length, t.Length);
        for (int i = 0; i < t.Length; i++) Assert.Equal(ticks[i], t[i], step * 1e-9);
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
            .Add("dog & <cat>", [0, 10, 20, 30], [0, 1.5, double.NaN, 2.5])
            .Add("eagle", [0, 10, 20, 30], [0, 0.5, 0.7, 0.4]);

    [Fact]
    public void SvgIsXmlWithOneGroupPerSeriesAndTheTexts()
    {
        var doc = XDocument.Parse(Sample(markers: true).ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal("480", doc.Root.Attribute("width")!.Value);
        var groups = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-series") != null).ToList();
        Assert.Equal(["dog & <cat>", "eagle"], groups.Select(g => g.Attribute("data-series")!.Value));
        // The NaN breaks the first line in two; the second is one polyline of 4 points.
        Assert.Equal([2, 1], groups[0].Elements(Svg + "polyline").Select(p => p.Attribute("points")!.Value.Split(' ').Length));
        Assert.Equal(4, groups[1].Elements(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(3, groups[0].Elements(Svg + "circle").Count());
        Assert.Equal("#1f77b4", groups[0].Element(Svg + "polyline")!.Attribute("stroke")!.Value);
        Assert.Equal("#ff7f0e", groups[1].Element(Svg + "polyline")!.Attribute("stroke")!.Value);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("distance at fc7", texts);
        Assert.Contains("rotation (degrees)", texts);
        Assert.Contains("dog & <cat>", texts);
        Assert.Contains("eagle", texts);
        Assert.Contains("30", texts);
        Assert.Contains("2.5", texts);
        var yLabel = doc.Descendants(Svg + "text").Single(t => t.Value == "distance");
        Assert.StartsWith("rotate(-90", yLabel.Attribute("transform")!.Value);
    }

    [Fact]
    public void SeriesAreMappedIntoThePlotAreaInOrder()
    {
        var doc = XDocument.Parse(new Chart { YMin = 0, YMax = 1 }.Add("up", [0, 1, 2], [0, 0.5, 1]).ToSvg());
        var pts = doc.Descendants(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.True(pts[0][0] < pts[1][0] && pts[1][0] < pts[2][0], "x grows to the right");
        Assert.True(pts[0][1] > pts[1][1] && pts[1][1] > pts[2][1], "y grows upwards");
        Assert.Equal((pts[0][0] + pts[2][0]) / 2, pts[1][0], 0.02);
        Assert.Equal((pts[0][1] + pts[2][1]) / 2, pts[1][1], 0.02);
    }

    [Fact]
    public void PngHasTheSizeAndTheLineIsDrawnAntiAliased()
    {
        var chart = new Chart { Width = 300, Height = 200, YMin = 0, YMax = 1, ShowLegend = false }.Add("flat", [0, 10], [0.5, 0.5]).Add("slope", [0, 10], [0.1, 0.9]);
        var img = Png.Decode(Png.Encode(chart.ToImage()));
        Assert.Equal((300, 200, 3), (img.Width, img.Height, img.Channels));
        var svg = XDocument.Parse(chart.ToSvg());
        var flat = svg.Descendants(Svg + "polyline").First().Attribute("points")!.Value.Split(' ').Select(p => p.Split(',')).ToArray();
        double x0 = double.Parse(flat[0][0], System.Globalization.CultureInfo.InvariantCulture), x1 = double.Parse(flat[1][0], System.Globalization.CultureInfo.InvariantCulture);
        double y = double.Parse(flat[0][1], System.Globalization.CultureInfo.InvariantCulture);
        // Along the flat line (same layout as the SVG) every column is tab10 blue within a pixel of it (but where the orange crosses).
        int blue = 0, cols = 0;
        for (int x = (int)x0 + 3; x < (int)x1 - 3; x++, cols++)
            for (int yy = (int)y - 1; yy <= (int)y + 1; yy++)
                if (Near(img, x, yy, Chart.Palette[0], 40)) { blue++; break; }
        Assert.InRange(blue, cols - 6, cols);
        // The sloped line leaves blended (anti-aliased) pixels between orange and white.
        int blended = 0;
        for (int i = 0; i < img.Width * img.Height; i++)
        {
            int r = img.Data[3 * i], g = img.Data[3 * i + 1], b = img.Data[3 * i + 2];
            if (r == 255 && g > 0x90 && g < 0xf0 && b > 0x20 && b < 0xf0 && Math.Abs((255 - g) * (255 - 0x0e) - (255 - b) * (255 - 0x7f)) < 2500) blended++;
        }
        Assert.True(blended > 20, $"{blended} blended orange pixels");
        int dark = 0;
        for (int i = 0; i < img.Width * img.Height; i++) if (img.Data[3 * i] < 80 && img.Data[3 * i + 1] < 80 && img.Data[3 * i + 2] < 80) dark++;
        Assert.True(dark > 100, $"{dark} dark pixels: frame and tick labels");
    }

    private static bool Near(Image img, int x, int y, (byte R, byte G, byte B) c, int tol) =>
        Math.Abs(img[x, y, 0] - c.R) <= tol && Math.Abs(img[x, y, 1] - c.G) <= tol && Math.Abs(img[x, y, 2] - c.B) <= tol;

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
        Assert.Equal(5, doc.Descendants(Svg + "g").Count(g => g.Attribute("data-series") != null));
        Assert.Single(doc.Descendants(Svg + "text"), t => t.Value == "Invariance");
        // The title's ink sits in the strip above the charts, centred.
        int ink = 0;
        for (int y = 0; y < 30; y++)
            for (int x = img.Width / 2 - 60; x < img.Width / 2 + 60; x++) if (img[x, y, 0] < 128) ink++;
        Assert.True(ink > 30, $"{ink} title pixels");
    }

    [Fact]
    public void FontHasAGlyphForEveryPrintableCharacter()
    {
        for (char c = '!'; c <= '~'; c++)
        {
            int ink = 0;
            for (int y = 0; y < 7; y++) for (int x = 0; x < 5; x++) if (BitmapFont.Ink(c, x, y)) ink++;
            Assert.True(ink >= 2, $"'{c}' has {ink} ink pixels");
        }
        Assert.Equal(0, Enumerable.Range(0, 35).Count(i => BitmapFont.Ink(' ', i % 5, i / 5)));
        // 'T': a full top bar, then the middle column only.
        Assert.True(Enumerable.Range(0, 5).All(x => BitmapFont.Ink('T', x, 0)));
        Assert.True(Enumerable.Range(1, 6).All(y => BitmapFont.Ink('T', 2, y) && !BitmapFont.Ink('T', 0, y) && !BitmapFont.Ink('T', 4, y)));
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('\u2603').ToArray());
        Assert.Equal(17, BitmapFont.Width("abc"));
    }

    [Fact]
    public void ALongTitleStaysInsideItsChart()
    {
        string title = "vertical translation: distance at pool1";
        var chart = new Chart { Title = title, Width = 300, Height = 200 }.Add("a", [0, 1], [0, 1]);
        var text = XDocument.Parse(chart.ToSvg()).Descendants(Svg + "text").Single(t => t.Value == title);
        double x = double.Parse(text.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        double size = double.Parse(text.Attribute("font-size")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        double half = title.Length * 0.6 * size / 2;
        Assert.InRange(x - half, 0, 300);
        Assert.InRange(x + half, 0, 300);
    }

    [Fact]
    public void MismatchedSeriesAreRefused()
    {
        var e = Assert.Throws<RawConvException>(() => new Chart().Add("bad", [1, 2, 3], [1, 2]));
        Assert.Contains("'bad' has 3 x values and 2 y values", e.Message);
    }
}
