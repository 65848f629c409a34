using System.Globalization;

namespace RawConv.Imaging;

/// <summary>One line of a chart: its legend name and its points (NaN or infinite y values break the line).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A line chart with several series, title, axis labels, 1-2-5 ticks, grid, legend and tab10 colours,
/// drawn the same way to SVG (<see cref="ToSvg"/>) and to a raster image (<see cref="ToImage"/>, anti-aliased,
/// text in <see cref="BitmapFont"/>). Lay several side by side with <see cref="ChartRow"/>.
/// </summary>
public sealed class Chart
{
    /// <summary>matplotlib's tab10 colours, used in series order (repeating after ten).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e), (0x2c, 0xa0, 0x2c), (0xd6, 0x27, 0x28), (0x94, 0x67, 0xbd),
        (0x8c, 0x56, 0x4b), (0xe3, 0x77, 0xc2), (0x7f, 0x7f, 0x7f), (0xbc, 0xbd, 0x22), (0x17, 0xbe, 0xcf),
    ];

    internal static readonly (byte R, byte G, byte B) White = (255, 255, 255), Ink = (0x22, 0x22, 0x22),
        Frame = (0x44, 0x44, 0x44), GridColor = (0xe0, 0xe0, 0xe0), LegendEdge = (0xcc, 0xcc, 0xcc);

    // Text sizes in output pixels per font pixel.
    internal const double TitleU = 2, LabelU = 1.5, TickU = 1.5;
    private const double Pad = 8, TickLength = 5, TickGap = 4, LineWidth = 1.75, MarkerRadius = 2.5;

    /// <summary>Title above the plot (none when null).</summary>
    public string? Title { get; init; }
    /// <summary>Label under the x axis.</summary>
    public string? XLabel { get; init; }
    /// <summary>Label left of the y axis (drawn vertically).</summary>
    public string? YLabel { get; init; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 480;
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 360;
    /// <summary>Draw a dot at every point.</summary>
    public bool Markers { get; init; }
    /// <summary>Draw the legend (in the plot corner that hides the fewest points).</summary>
    public bool ShowLegend { get; init; } = true;
    /// <summary>Fixed x axis start (default: the data's smallest x).</summary>
    public double? XMin { get; init; }
    /// <summary>Fixed x axis end (default: the data's largest x).</summary>
    public double? XMax { get; init; }
    /// <summary>Fixed y axis start (default: the data's smallest y, extended to a tick).</summary>
    public double? YMin { get; init; }
    /// <summary>Fixed y axis end (default: the data's largest y, extended to a tick).</summary>
    public double? YMax { get; init; }
    /// <summary>The series, drawn in order.</summary>
    public List<ChartSeries> Series { get; } = [];

    /// <summary>Adds a series; x and y must have the same length. Returns this.</summary>
    public Chart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new RawConvException($"chart: series '{name}' has {x.Count} x values and {y.Count} y values");
        Series.Add(new ChartSeries(name, x, y));
        return this;
    }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string ToSvg() => ChartRow.ToSvg([this]);

    /// <summary>The chart as an 8-bit RGB image of <see cref="Width"/>×<see cref="Height"/>.</summary>
    public Image ToImage() => ChartRow.ToImage([this]);

    /// <summary>
    /// Tick spacing of 1, 2 or 5 × 10^k giving about <paramref name="target"/> intervals over [lo, hi], and the
    /// ticks (multiples of it) inside the range.
    /// </summary>
    public static (double Step, double[] Ticks) NiceTicks(double lo, double hi, int target = 5)
    {
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi)) throw new RawConvException($"chart: tick range [{lo}, {hi}] is empty or not finite");
        double raw = (hi - lo) / Math.Max(1, target);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * mag).First(s => s >= raw * (1 - 1e-9));
        double eps = step * 1e-9;
        var ticks = new List<double>();
        for (double k = Math.Ceiling((lo - eps) / step); k * step <= hi + eps; k++) ticks.Add(Math.Abs(k) < 0.5 ? 0 : k * step);
        return (step, ticks.ToArray());
    }

    /// <summary>A tick label with just enough decimals for <paramref name="step"/> (invariant culture).</summary>
    public static string FormatTick(double v, double step)
    {
        if (v == 0) return "0";
        if (Math.Abs(v) >= 1e6 || step < 1e-4) return v.ToString("G3", CultureInfo.InvariantCulture);
        int dec = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return v.ToString("F" + dec, CultureInfo.InvariantCulture);
    }

    private IEnumerable<(double X, double Y)> Finite() => Series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second));

    /// <summary>The axis ranges: x as given or the data's extent; y as given or the data's extent widened to ticks.</summary>
    internal (double X0, double X1, double Y0, double Y1) Ranges()
    {
        var pts = Finite().ToList();
        double x0 = XMin ?? (pts.Count > 0 ? pts.Min(p => p.X) : 0), x1 = XMax ?? (pts.Count > 0 ? pts.Max(p => p.X) : 1);
        double y0 = YMin ?? (pts.Count > 0 ? pts.Min(p => p.Y) : 0), y1 = YMax ?? (pts.Count > 0 ? pts.Max(p => p.Y) : 1);
        (x0, x1) = Widen(x0, x1);
        (y0, y1) = Widen(y0, y1);
        var (step, _) = NiceTicks(y0, y1);
        if (YMin is null) y0 = Math.Floor(y0 / step + 1e-9) * step;
        if (YMax is null) y1 = Math.Ceiling(y1 / step - 1e-9) * step;
        return (x0, x1, y0, y1);
    }

    private static (double, double) Widen(double a, double b)
    {
        if (b > a) return (a, b);
        double d = a == 0 ? 1 : Math.Abs(a) * 0.1;
        return (a - d, b + d);
    }

    /// <summary>Draws the chart with its top-left corner at (<paramref name="ox"/>, <paramref name="oy"/>).</summary>
    internal void Draw(ChartCanvas c, double ox, double oy)
    {
        var (x0, x1, y0, y1) = Ranges();
        var (xStep, xTicks) = NiceTicks(x0, x1);
        var (yStep, yTicks) = NiceTicks(y0, y1);
        var yLabels = yTicks.Select(v => FormatTick(v, yStep)).ToArray();
        var xLabels = xTicks.Select(v => FormatTick(v, xStep)).ToArray();
        double capTick = BitmapFont.GlyphHeight * TickU;
        double top = Pad + (Title != null ? BitmapFont.GlyphHeight * TitleU + Pad : 0);
        double left = Pad + (YLabel != null ? BitmapFont.GlyphHeight * LabelU + Pad : 0)
            + (yLabels.Length > 0 ? yLabels.Max(BitmapFont.Width) * TickU : 0) + TickGap + TickLength;
        double bottom = Pad + (XLabel != null ? BitmapFont.GlyphHeight * LabelU + Pad : 0) + capTick + TickGap + TickLength;
        double right = Math.Max(Pad * 2, xLabels.Length > 0 ? BitmapFont.Width(xLabels[^1]) * TickU / 2 + 2 : 0);
        double px0 = Math.Round(ox + left), py0 = Math.Round(oy + top);
        double px1 = Math.Round(ox + Width - right), py1 = Math.Round(oy + Height - bottom);
        if (px1 - px0 < 10 || py1 - py0 < 10) throw new RawConvException($"chart: {Width}×{Height} pixels leave no room for the plot");
        double Sx(double v) => px0 + (v - x0) / (x1 - x0) * (px1 - px0);
        double Sy(double v) => py1 - (v - y0) / (y1 - y0) * (py1 - py0);

        c.FillRect(ox, oy, Width, Height, White);
        foreach (var v in xTicks) c.Line(Crisp(Sx(v)), py0, Crisp(Sx(v)), py1, GridColor, 1);
        foreach (var v in yTicks) c.Line(px0, Crisp(Sy(v)), px1, Crisp(Sy(v)), GridColor, 1);

        c.BeginClip(px0, py0, px1 - px0, py1 - py0);
        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            var color = Palette[i % Palette.Count];
            c.BeginSeries(s.Name, color);
            var run = new List<(double, double)>();
            for (int k = 0; k <= s.X.Count; k++)
            {
                bool ok = k < s.X.Count && double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]);
                if (ok) run.Add((Sx(s.X[k]), Sy(s.Y[k])));
                if (!ok && run.Count > 0) { c.Polyline(run, color, LineWidth); run = []; }
            }
            if (Markers)
                for (int k = 0; k < s.X.Count; k++)
                    if (double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k])) c.Dot(Sx(s.X[k]), Sy(s.Y[k]), MarkerRadius, color);
            c.EndSeries();
        }
        c.EndClip();

        c.StrokeRect(px0 + 0.5, py0 + 0.5, px1 - px0 - 1, py1 - py0 - 1, Frame, 1);
        for (int i = 0; i < xTicks.Length; i++)
        {
            double x = Crisp(Sx(xTicks[i]));
            c.Line(x, py1, x, py1 + TickLength, Frame, 1);
            c.Text(x, py1 + TickLength + TickGap + capTick / 2, xLabels[i], TickU, Ink, TextAnchor.Middle);
        }
        for (int i = 0; i < yTicks.Length; i++)
        {
            double y = Crisp(Sy(yTicks[i]));
            c.Line(px0 - TickLength, y, px0, y, Frame, 1);
            c.Text(px0 - TickLength - TickGap, y, yLabels[i], TickU, Ink, TextAnchor.End);
        }
        if (Title != null)
        {
            // A long title shrinks to fit the chart and slides off the plot's centre rather than overflow.
            double u = Math.Max(1, Math.Min(TitleU, (Width - 2 * Pad) / Math.Max(1, BitmapFont.Width(Title))));
            double half = BitmapFont.Width(Title) * u / 2, tx = Math.Clamp((px0 + px1) / 2, ox + Pad + half, Math.Max(ox + Pad + half, ox + Width - Pad - half));
            c.Text(tx, oy + Pad + BitmapFont.GlyphHeight * TitleU / 2, Title, u, Ink, TextAnchor.Middle);
        }
        if (XLabel != null)
            c.Text((px0 + px1) / 2, oy + Height - Pad - BitmapFont.GlyphHeight * LabelU / 2, XLabel, LabelU, Ink, TextAnchor.Middle);
        if (YLabel != null)
            c.Text(ox + Pad + BitmapFont.GlyphHeight * LabelU / 2, (py0 + py1) / 2, YLabel, LabelU, Ink, TextAnchor.Middle, vertical: true);
        if (ShowLegend && Series.Count > 0) DrawLegend(c, px0, py0, px1, py1, Sx, Sy);
    }

    private static double Crisp(double v) => Math.Floor(v) + 0.5;

    private void DrawLegend(ChartCanvas c, double px0, double py0, double px1, double py1, Func<double, double> sx, Func<double, double> sy)
    {
        const double inset = 6, swatch = 18, gap = 5;
        double lineH = BitmapFont.LineHeight * TickU + 3;
        double w = inset + swatch + gap + Series.Max(s => BitmapFont.Width(s.Name)) * TickU + inset;
        double h = Series.Count * lineH + 2 * inset - 3;
        var corners = new[] { (px1 - inset - w, py0 + inset), (px0 + inset, py0 + inset), (px1 - inset - w, py1 - inset - h), (px0 + inset, py1 - inset - h) };
        var pts = Finite().Select(p => (sx(p.X), sy(p.Y))).ToList();
        var (lx, ly) = corners.MinBy(k => pts.Count(p => p.Item1 >= k.Item1 && p.Item1 <= k.Item1 + w && p.Item2 >= k.Item2 && p.Item2 <= k.Item2 + h));
        lx = Math.Round(lx); ly = Math.Round(ly);
        c.FillRect(lx, ly, w, h, White);
        c.StrokeRect(lx + 0.5, ly + 0.5, w - 1, h - 1, LegendEdge, 1);
        for (int i = 0; i < Series.Count; i++)
        {
            var color = Palette[i % Palette.Count];
            double cy = ly + inset + i * lineH + BitmapFont.GlyphHeight * TickU / 2;
            c.Line(lx + inset, cy, lx + inset + swatch, cy, color, LineWidth + 0.25);
            if (Markers) c.Dot(lx + inset + swatch / 2, cy, MarkerRadius, color);
            c.Text(lx + inset + swatch + gap, cy, Series[i].Name, TickU, Ink, TextAnchor.Start);
        }
    }
}

/// <summary>Horizontal alignment of a text at its anchor point.</summary>
public enum TextAnchor
{
    /// <summary>The text starts at the point.</summary>
    Start,
    /// <summary>The text is centred on the point.</summary>
    Middle,
    /// <summary>The text ends at the point.</summary>
    End,
}
