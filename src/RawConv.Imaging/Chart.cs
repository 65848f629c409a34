using System.Globalization;
using ScottPlot;

namespace RawConv.Imaging;

/// <summary>One line of a chart: its legend name and its points (NaN or infinite y values break the line).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A line chart with several series, title, axis labels, 1-2-5 ticks, grid, legend and tab10 colours, drawn by
/// ScottPlot to SVG (<see cref="ToSvg"/>) and to a raster image (<see cref="ToImage"/>). Lay several side by side
/// with <see cref="ChartRow"/>.
/// </summary>
public sealed class Chart
{
    /// <summary>matplotlib's tab10 colours, used in series order (repeating after ten).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e), (0x2c, 0xa0, 0x2c), (0xd6, 0x27, 0x28), (0x94, 0x67, 0xbd),
        (0x8c, 0x56, 0x4b), (0xe3, 0x77, 0xc2), (0x7f, 0x7f, 0x7f), (0xbc, 0xbd, 0x22), (0x17, 0xbe, 0xcf),
    ];

    internal const float TitleSize = 16, LabelSize = 14, TickSize = 12, LegendSize = 12;
    private const float LineWidth = 1.75f, MarkerSize = 5, Pad = 6;

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
    /// <summary>Draw the legend (in the plot corner that hides the least of the lines).</summary>
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

    private string Name => Title is null ? "chart" : $"chart '{Title}'";

    /// <summary>Adds a series; x and y must have the same length. Returns this.</summary>
    public Chart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var s = new ChartSeries(name, x, y);
        Check(s);
        Series.Add(s);
        return this;
    }

    private void Check(ChartSeries s)
    {
        if (s.X.Count != s.Y.Count) throw new RawConvException($"{Name}: series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values");
    }

    /// <summary>The chart as a standalone SVG document; each series is a &lt;g data-series="name"&gt;.</summary>
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
        // Ends that came through float (1.4f is 1.3999999761…) still get their tick.
        double eps = step * 1e-6;
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

    /// <summary>The chart as a laid-out ScottPlot plot, ready to render at <see cref="Width"/>×<see cref="Height"/>.</summary>
    internal Plot ToPlot()
    {
        foreach (var s in Series) Check(s);
        if (Width < 50 || Height < 50) throw new RawConvException($"{Name}: {Width}×{Height} pixels leave no room for the plot");
        var plot = new Plot();
        plot.Font.Set(ChartFont.Family);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            // A point with either coordinate not finite is a gap: ScottPlot breaks the line at NaN.
            var xs = new double[s.X.Count];
            var ys = new double[s.X.Count];
            for (int k = 0; k < xs.Length; k++)
            {
                bool ok = double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]);
                xs[k] = ok ? s.X[k] : double.NaN;
                ys[k] = ok ? s.Y[k] : double.NaN;
            }
            var c = Palette[i % Palette.Count];
            var sc = plot.Add.Scatter(xs, ys, new Color(c.R, c.G, c.B));
            sc.LegendText = s.Name;
            sc.LineWidth = LineWidth;
            sc.MarkerSize = Markers ? MarkerSize : 0;
        }

        var (x0, x1, y0, y1) = Ranges();
        var xTicks = Ticks(ref x0, ref x1);
        var yTicks = Ticks(ref y0, ref y1);
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        if (XLabel != null) plot.XLabel(XLabel, LabelSize);
        if (YLabel != null) plot.YLabel(YLabel, LabelSize);
        if (Title != null) plot.Title(Title, TitleSize);
        if (ShowLegend && Series.Count > 0)
        {
            plot.ShowLegend(Alignment.UpperRight);
            plot.Legend.FontSize = LegendSize;
            plot.Legend.FontName = ChartFont.Family;
            plot.Legend.ShadowColor = Colors.Transparent;
            plot.Legend.OutlineColor = Colors.LightGray;
        }
        else plot.HideLegend();

        // A first layout pass tells where the data area and the legend fall; then the title shrinks to fit and
        // the legend moves to the corner that hides the least of the lines.
        plot.RenderInMemory(Width, Height);
        // The last x tick's label is centred on the plot's right edge, which ScottPlot puts a few pixels from the
        // figure's: keep the automatic margins but widen the right one to hold the label's right half.
        var data = plot.LastRender.DataRect;
        string lastX = xTicks.Ticks.Length > 0 ? xTicks.Ticks[^1].Label : "";
        float right = (float)Math.Max(Width - data.Right, Math.Max(2 * Pad, ChartFont.Measure(lastX, TickSize, bold: false) / 2 + 2 * Pad));
        plot.Layout.Fixed(new PixelPadding(left: data.Left, right: right, bottom: Height - data.Bottom, top: data.Top));
        plot.RenderInMemory(Width, Height);
        FitTitle(plot);
        if (ShowLegend && Series.Count > 0) PlaceLegend(plot);
        return plot;
    }

    /// <summary>The axis ticks; a range end a rounding error short of its tick moves onto it, as ScottPlot draws no tick outside the axis.</summary>
    private static ScottPlot.TickGenerators.NumericManual Ticks(ref double lo, ref double hi)
    {
        var (step, ticks) = NiceTicks(lo, hi);
        if (ticks.Length > 0)
        {
            lo = Math.Min(lo, ticks[0]);
            hi = Math.Max(hi, ticks[^1]);
        }
        return new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(v => FormatTick(v, step)).ToArray());
    }

    private void FitTitle(Plot plot)
    {
        if (Title is null) return;
        var data = plot.LastRender.DataRect;
        double centre = (data.Left + data.Right) / 2, half = Math.Min(centre, Width - centre) - Pad;
        double wide = ChartFont.Measure(Title, TitleSize, bold: true);
        if (wide / 2 > half) plot.Axes.Title.Label.FontSize = (float)Math.Max(8, TitleSize * 2 * half / wide);
    }

    private void PlaceLegend(Plot plot)
    {
        var data = plot.LastRender.DataRect;
        var size = plot.Legend.LastRenderSize;
        float mx = plot.Legend.Margin.Left, my = plot.Legend.Margin.Top;
        // Every point, and points every few pixels along each line, to count what a legend box in each corner would hide.
        var pts = Finite().Select(p => plot.GetPixel(new Coordinates(p.X, p.Y))).ToList();
        foreach (var s in Series)
            for (int k = 0; k + 1 < s.X.Count; k++)
            {
                if (!(double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]) && double.IsFinite(s.X[k + 1]) && double.IsFinite(s.Y[k + 1]))) continue;
                Pixel a = plot.GetPixel(new Coordinates(s.X[k], s.Y[k])), b = plot.GetPixel(new Coordinates(s.X[k + 1], s.Y[k + 1]));
                int n = (int)Math.Clamp(Math.Ceiling(Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y)) / 2), 1, 10000);
                for (int t = 0; t <= n; t++) pts.Add(new Pixel(a.X + (b.X - a.X) * t / n, a.Y + (b.Y - a.Y) * t / n));
            }
        const float slack = 3;
        var corners = new (Alignment A, float X, float Y)[]
        {
            (Alignment.UpperRight, data.Right - mx - size.Width, data.Top + my),
            (Alignment.UpperLeft, data.Left + mx, data.Top + my),
            (Alignment.LowerRight, data.Right - mx - size.Width, data.Bottom - my - size.Height),
            (Alignment.LowerLeft, data.Left + mx, data.Bottom - my - size.Height),
        };
        plot.Legend.Alignment = corners.MinBy(c => pts.Count(p => p.X >= c.X - slack && p.X <= c.X + size.Width + slack && p.Y >= c.Y - slack && p.Y <= c.Y + size.Height + slack)).A;
    }
}
