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
        var transform = new Option<string>("--transform") { Description = "translate | scale | rotate, several comma-separated (one row of panels each), or all", Required = true };
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
            var text = p.GetValue(transform)!.ToLowerInvariant();
            var kinds = (text == "all" ? "translate,scale,rotate" : text).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(k => Parse<TransformKind>(k, "--transform", "translate, scale, rotate (comma-separated) or all")).Distinct().ToArray();
            if (kinds.Length == 0) throw new RawConvException("--transform: expected translate, scale, rotate (comma-separated) or all");
            if (kinds.Length > 1 && (p.GetValue(range) != null || p.GetValue(steps) != null))
                throw new RawConvException("--range and --steps apply to a single --transform");
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
                var sweeps = kinds.Select(kind =>
                {
                    var (from, to) = Range(p.GetValue(range), kind, spec.InputWidth);
                    int n = p.GetValue(steps) ?? kind switch { TransformKind.Translate => 25, TransformKind.Scale => 17, _ => 37 };
                    return new InvarianceOptions(kind, InvarianceOptions.Range(from, to, n),
                        p.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        p.GetValue(cls) is { } c ? c.Split(',').Select(v => int.TryParse(v, out int k) ? k : throw new RawConvException($"--class '{c}': expected integers")).ToArray() : null,
                        fillMode, ax, p.GetValue(batch));
                }).ToArray();
                var results = new List<InvarianceResult>();
                Progress.Run("invariance", x.Shape.N * sweeps.Sum(o => o.Amounts.Length),
                    step => results.AddRange(sweeps.Select(o => RawConv.Algorithms.Seeing.Invariance.Run(m.Net, x, o, step))));
                string name = string.Join("-", kinds.Select(k => k.ToString().ToLowerInvariant()));
                string outArg = p.GetValue(output) ?? $"invariance-{name}";
                var shortNames = names.Select(s => Path.GetFileName(s) is { Length: > 0 } f ? f : s).ToArray();
                string Label(int k) => m.Classes is { } cl && k < cl.Count ? cl[k] : $"class {k}";
                var outputs = new List<string>();
                var payload = new
                {
                    model = m.Source, device = b.Info.Name, transform = name, axis = kinds.Contains(TransformKind.Translate) ? ax.ToString().ToLowerInvariant() : null,
                    fill = fillMode.ToString().ToLowerInvariant(), layers = results[0].Layers, outputs,
                    sweeps = results.Select(r => new
                    {
                        transform = r.Options.Kind.ToString().ToLowerInvariant(), amounts = r.Amounts,
                        curves = names.Select((img, i) => new
                        {
                            image = img, @class = r.Classes[i], label = Label(r.Classes[i]),
                            points = r.Curve(i).Select(q => new
                            {
                                amount = q.Amount, distances = r.Layers.Select((l, j) => (l, q.Distances[j])).ToDictionary(t => t.l, t => t.Item2),
                                pClass = q.Probability, topClass = q.TopClass,
                            }),
                        }),
                    }).ToList(),
                };
                if (Outputs.IsNpy(outArg))
                    foreach (var r in results)
                    {
                        string path = results.Count == 1 ? outArg : Path.ChangeExtension(outArg, null) + $"-{r.Options.Kind.ToString().ToLowerInvariant()}.npy";
                        var (shape, data) = r.ToTable();
                        Outputs.EnsureFolder(path);
                        Npy.Write(path, shape, data);
                        outputs.Add(path);
                    }
                else
                {
                    string prefix = outArg.EndsWith('/') || Directory.Exists(outArg) ? Path.Combine(outArg, $"invariance-{name}") : outArg;
                    if (Path.GetExtension(prefix).ToLowerInvariant() is ".png" or ".svg" or ".csv" or ".json") prefix = Path.ChangeExtension(prefix, null);
                    Outputs.EnsureFolder(prefix + ".csv");
                    var csv = results.Select(r => r.ToCsv(names)).ToList();
                    File.WriteAllText(prefix + ".csv", csv[0] + string.Concat(csv.Skip(1).Select(c => c[(c.IndexOf('\n') + 1)..])));
                    var legend = shortNames.Select((s, i) => $"{s} ({Label(results[0].Classes[i])})").ToArray();
                    var rows = results.Select(r => (IReadOnlyList<Chart>)Charts(r, legend, r.Options.Kind, ax, results.Count > 1)).ToList();
                    string title = $"{spec.Name}: " + string.Join(", ", kinds.Select(k => Describe(k, ax)));
                    File.WriteAllText(prefix + ".svg", ChartRow.ToSvg(rows, title));
                    outputs.AddRange([prefix + ".csv", prefix + ".svg", prefix + ".png"]);
                    Outputs.Png(prefix + ".png", ChartRow.ToImage(rows, title), payload);
                }
                Print(p.GetValue(json), payload, () =>
                {
                    foreach (var o in outputs) Console.WriteLine($"wrote {o}");
                    foreach (var r in results)
                        for (int i = 0; i < names.Length; i++)
                        {
                            var curve = r.Curve(i);
                            Console.WriteLine($"{Describe(r.Options.Kind, ax)}, {names[i]}: class {r.Classes[i]} ({Label(r.Classes[i])}), P from {curve.Min(q => q.Probability):F3} to {curve.Max(q => q.Probability):F3}, " +
                                string.Join(", ", r.Layers.Select((l, j) => $"max distance at {l} {curve.Max(q => q.Distances[j]):G4}")));
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
