using System.CommandLine;
using System.Globalization;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Invariance()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption();
        var transform = new Option<string>("--transform") { Description = "translate | scale | rotate", Required = true };
        var range = new Option<string?>("--range") { Description = "FROM:TO amounts (default: translate ±30% of the width in px, scale 0.6:1.4, rotate 0:360 degrees)" };
        var steps = new Option<int?>("--steps") { Description = "number of amounts, ends included (default: translate 25, scale 17, rotate 37)" };
        var layers = new Option<string?>("--layers") { Description = "comma-separated layers to compare (default: the first pooling layer and the penultimate fully connected one)" };
        var cls = new Option<string?>("--class") { Description = "the true class K, or K1,K2,... one per image (default: each image's top class untransformed)" };
        var fill = new Option<string>("--fill") { Description = "outside the image: zero (0 after normalization: the mean colour, the black canvas) | border", DefaultValueFactory = _ => "zero" };
        var axis = new Option<string>("--axis") { Description = "translation direction: x | y | xy", DefaultValueFactory = _ => "x" };
        var batch = new Option<int>("--batch") { Description = "transformed copies per forward pass", DefaultValueFactory = _ => 32 };
        var output = new Option<string?>("--out") { Description = "a folder (ends in / or exists), a file prefix for .csv/.svg/.png/.json (default: ./invariance-TRANSFORM), or t.npy for the raw float32 table" };
        var cmd = new Command("invariance", "Zeiler–Fergus invariance curves: feature distance at a low and a high layer and P(class) as the input is translated, scaled or rotated.")
        {
            model, proto, pre, device, image, input, transform, range, steps, layers, cls, fill, axis, batch, output, json,
        };
        cmd.SetAction(p =>
        {
            var kind = Parse<TransformKind>(p.GetValue(transform)!, "--transform", "translate, scale or rotate");
            var fillMode = Parse<FillMode>(p.GetValue(fill)!, "--fill", "zero or border");
            var ax = p.GetValue(axis)!.ToLowerInvariant() switch
            {
                "x" => TranslateAxis.X, "y" => TranslateAxis.Y, "xy" or "diagonal" => TranslateAxis.Diagonal,
                var a => throw new RawConvException($"unknown --axis '{a}'; expected x, y or xy"),
            };
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var (x, names) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            {
                var spec = m.Net.Spec;
                var (from, to) = Range(p.GetValue(range), kind, spec.InputWidth);
                int n = p.GetValue(steps) ?? kind switch { TransformKind.Translate => 25, TransformKind.Scale => 17, _ => 37 };
                var opts = new InvarianceOptions(kind, InvarianceOptions.Range(from, to, n),
                    p.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    p.GetValue(cls) is { } c ? c.Split(',').Select(v => int.TryParse(v, out int k) ? k : throw new RawConvException($"--class '{c}': expected integers")).ToArray() : null,
                    fillMode, ax, p.GetValue(batch));
                InvarianceResult? r = null;
                Progress.Run("invariance", x.Shape.N * n, step => r = RawConv.Algorithms.Seeing.Invariance.Run(m.Net, x, opts, step));
                var result = r!;
                string outArg = p.GetValue(output) ?? $"invariance-{kind.ToString().ToLowerInvariant()}";
                var shortNames = names.Select(s => Path.GetFileName(s) is { Length: > 0 } f ? f : s).ToArray();
                string Label(int k) => m.Classes is { } cl && k < cl.Count ? cl[k] : $"class {k}";
                var payload = new
                {
                    model = m.Source, device = b.Info.Name, transform = kind.ToString().ToLowerInvariant(), axis = kind == TransformKind.Translate ? ax.ToString().ToLowerInvariant() : null,
                    fill = fillMode.ToString().ToLowerInvariant(), amounts = result.Amounts, layers = result.Layers,
                    outputs = new List<string>(),
                    curves = names.Select((name, i) => new
                    {
                        image = name, @class = result.Classes[i], label = Label(result.Classes[i]),
                        points = result.Curve(i).Select(q => new
                        {
                            amount = q.Amount, distances = result.Layers.Select((l, j) => (l, q.Distances[j])).ToDictionary(t => t.l, t => t.Item2),
                            pClass = q.Probability, topClass = q.TopClass,
                        }),
                    }).ToList(),
                };
                if (Outputs.IsNpy(outArg))
                {
                    var (shape, data) = result.ToTable();
                    Outputs.EnsureFolder(outArg);
                    Npy.Write(outArg, shape, data);
                    payload.outputs.Add(outArg);
                }
                else
                {
                    string prefix = outArg.EndsWith('/') || Directory.Exists(outArg) ? Path.Combine(outArg, $"invariance-{kind.ToString().ToLowerInvariant()}") : outArg;
                    if (Path.GetExtension(prefix).ToLowerInvariant() is ".png" or ".svg" or ".csv" or ".json") prefix = Path.ChangeExtension(prefix, null);
                    Outputs.EnsureFolder(prefix + ".csv");
                    File.WriteAllText(prefix + ".csv", result.ToCsv(names));
                    var charts = Charts(result, shortNames.Select((s, i) => $"{s} ({Label(result.Classes[i])})").ToArray(), kind, ax);
                    string title = $"{spec.Name}: {Describe(kind, ax)}";
                    File.WriteAllText(prefix + ".svg", ChartRow.ToSvg(charts, title));
                    payload.outputs.AddRange([prefix + ".csv", prefix + ".svg", prefix + ".png"]);
                    Outputs.Png(prefix + ".png", ChartRow.ToImage(charts, title), payload);
                }
                Print(p.GetValue(json), payload, () =>
                {
                    foreach (var o in payload.outputs) Console.WriteLine($"wrote {o}");
                    for (int i = 0; i < names.Length; i++)
                    {
                        var curve = result.Curve(i);
                        Console.WriteLine($"{names[i]}: class {result.Classes[i]} ({Label(result.Classes[i])}), P from {curve.Min(q => q.Probability):F3} to {curve.Max(q => q.Probability):F3}, " +
                            string.Join(", ", result.Layers.Select((l, j) => $"max distance at {l} {curve.Max(q => q.Distances[j]):G4}")));
                    }
                });
            }
            return 0;
        });
        return cmd;
    }

    private static T Parse<T>(string value, string flag, string expected) where T : struct, Enum =>
        Enum.TryParse<T>(value, true, out var v) && !int.TryParse(value, out _) ? v : throw new RawConvException($"unknown {flag} '{value}'; expected {expected}");

    private static (double From, double To) Range(string? text, TransformKind kind, int width)
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
            return (a, b);
        }
        throw new RawConvException($"--range '{text}': expected FROM:TO, e.g. -12:12");
    }

    private static string Describe(TransformKind kind, TranslateAxis axis) => kind switch
    {
        TransformKind.Translate => axis switch { TranslateAxis.X => "horizontal translation", TranslateAxis.Y => "vertical translation", _ => "diagonal translation" },
        TransformKind.Scale => "scale",
        _ => "rotation",
    };

    /// <summary>One panel per layer (Euclidean distance to the untransformed features) and one for P(class); one line per image.</summary>
    internal static List<Chart> Charts(InvarianceResult r, string[] names, TransformKind kind, TranslateAxis axis)
    {
        string xLabel = kind switch
        {
            TransformKind.Translate => axis == TranslateAxis.Y ? "vertical shift (pixels)" : "horizontal shift (pixels)",
            TransformKind.Scale => "scale (ratio)",
            _ => "rotation (degrees)",
        };
        bool markers = r.Amounts.Length <= 30;
        var charts = r.Layers.Select((l, j) =>
        {
            var c = new Chart { Title = $"distance at {l}", XLabel = xLabel, YLabel = "Euclidean distance", Markers = markers, ShowLegend = false, YMin = 0 };
            for (int i = 0; i < names.Length; i++) c.Add(names[i], r.Amounts, r.Curve(i).Select(q => q.Distances[j]).ToArray());
            return c;
        }).ToList();
        var pc = new Chart { Title = "P(true class)", XLabel = xLabel, YLabel = "probability", Markers = markers, YMin = 0, YMax = 1 };
        for (int i = 0; i < names.Length; i++) pc.Add(names[i], r.Amounts, r.Curve(i).Select(q => q.Probability).ToArray());
        charts.Add(pc);
        return charts;
    }
}
