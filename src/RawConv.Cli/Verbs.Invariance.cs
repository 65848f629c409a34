using System.CommandLine;
using System.Globalization;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Invariance() => new InvarianceVerb().Command;

    internal static T Parse<T>(string value, string flag, string expected) where T : struct, Enum =>
        Enum.TryParse<T>(value, true, out var v) && !int.TryParse(value, out _) ? v : throw new RawConvException($"unknown {flag} '{value}'; expected {expected}");

    /// <summary>
    /// --range as (from, to), else the kind's default. Amounts are bounded so a sweep stays meaningful: a shift of
    /// at most 4× the input's larger side (beyond it the picture is all fill), a scale ratio in [1/64, 64], a
    /// rotation of at most ±3600 degrees.
    /// </summary>
    internal static (double From, double To) Range(string? text, TransformKind kind, int width, int height = 0)
    {
        if (text is null)
        {
            double t = Math.Round(0.3 * width);
            return kind switch { TransformKind.Translate => (-t, t), TransformKind.Scale => (0.6, 1.4), _ => (0, 360) };
        }
        var parts = text.Split(':');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && double.IsFinite(a) && double.IsFinite(b))
        {
            if (kind == TransformKind.Scale && (a <= 0 || b <= 0)) throw new RawConvException($"--range '{text}': scale ratios must be positive");
            double side = 4.0 * Math.Max(width, height);
            var (lo, hi, unit) = kind switch
            {
                TransformKind.Translate => (-side, side, "pixels (4× the input side)"),
                TransformKind.Scale => (1 / 64.0, 64.0, "as a ratio"),
                _ => (-3600.0, 3600.0, "degrees"),
            };
            if (a < lo || a > hi || b < lo || b > hi)
                throw new RawConvException($"--range '{text}': {kind.ToString().ToLowerInvariant()} amounts must lie in {lo:G4}:{hi:G4} {unit}");
            return (a, b);
        }
        throw new RawConvException($"--range '{text}': expected FROM:TO with finite numbers, e.g. -12:12");
    }

    internal static string Describe(TransformKind kind, TranslateAxis axis) => kind switch
    {
        TransformKind.Translate => axis switch { TranslateAxis.X => "horizontal translation", TranslateAxis.Y => "vertical translation", _ => "diagonal translation" },
        TransformKind.Scale => "scale",
        _ => "rotation",
    };

    /// <summary>One panel per layer (Euclidean distance to the untransformed features) and one for P(class); one line per image.</summary>
    internal static List<Chart> Charts(InvarianceResult r, string[] names, TransformKind kind, TranslateAxis axis, bool prefixTitles = false)
    {
        string pre = prefixTitles ? Describe(kind, axis) + ": " : "";
        string xLabel = kind switch
        {
            TransformKind.Translate => axis == TranslateAxis.Y ? "vertical shift (pixels)" : "horizontal shift (pixels)",
            TransformKind.Scale => "scale (ratio)",
            _ => "rotation (degrees)",
        };
        bool markers = r.Amounts.Length <= 30;
        var charts = r.Layers.Select((l, j) =>
        {
            var c = new Chart { Title = $"{pre}distance at {l}", XLabel = xLabel, YLabel = "Euclidean distance", Markers = markers, ShowLegend = false, YMin = 0 };
            for (int i = 0; i < names.Length; i++) c.Add(names[i], r.Amounts, r.Curve(i).Select(q => q.Distances[j]).ToArray());
            return c;
        }).ToList();
        var pc = new Chart { Title = pre + "P(true class)", XLabel = xLabel, YLabel = "probability", Markers = markers, YMin = 0, YMax = 1 };
        for (int i = 0; i < names.Length; i++) pc.Add(names[i], r.Amounts, r.Curve(i).Select(q => q.Probability).ToArray());
        charts.Add(pc);
        return charts;
    }
}
