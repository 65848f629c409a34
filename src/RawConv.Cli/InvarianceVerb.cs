using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>`invariance`'s settings as typed: transforms, amounts, layers, classes, fill, axis, batch and the output.</summary>
internal sealed record InvarianceSettings(TransformKind[] Kinds, string? Range, int? Steps, string[]? Layers, int[]? Classes, FillMode Fill, TranslateAxis Axis, int Batch, string? Out);

/// <summary>The input names and one sweep per transform.</summary>
internal sealed record InvarianceRun(string[] Names, IReadOnlyList<InvarianceResult> Results);

/// <summary>`rawconv invariance`: feature distance and P(class) curves under translation, scaling and rotation.</summary>
internal sealed class InvarianceVerb : Verb<InvarianceSettings, InvarianceRun>
{
    private readonly Option<string> transform = new("--transform") { Description = "translate | scale | rotate, several comma-separated (one row of panels each), or all", Required = true };
    private readonly Option<string?> range = new("--range") { Description = "FROM:TO amounts (default: translate ±30% of the width in px, scale 0.6:1.4, rotate 0:360 degrees)" };
    private readonly Option<int?> steps = new("--steps") { Description = "number of amounts, ends included (default: translate 25, scale 17, rotate 37)" };
    private readonly Option<string?> layers = new("--layers") { Description = "comma-separated layers to compare (default: the first pooling layer and the penultimate fully connected one)" };
    private readonly Option<string?> cls = new("--class") { Description = "the true class K, or K1,K2,... one per image (default: each image's top class untransformed)" };
    private readonly Option<string> fill = new("--fill") { Description = "outside the image: zero (0 after normalization: the mean colour, the black canvas) | border", DefaultValueFactory = _ => "zero" };
    private readonly Option<string> axis = new("--axis") { Description = "translation direction: x | y | xy", DefaultValueFactory = _ => "x" };
    private readonly Option<int> batch = new("--batch") { Description = "transformed copies per forward pass", DefaultValueFactory = _ => 32 };
    private readonly Option<string?> output = new("--out") { Description = "a folder (ends in / or exists), a file prefix for .csv/.svg/.png/.json (default: ./invariance-TRANSFORM), or t.npy for the raw float32 table (+ .json)" };

    protected override Command Build()
    {
        var cmd = new Command("invariance", "Zeiler–Fergus invariance curves: feature distance at a low and a high layer and P(class) as the input is translated, scaled or rotated.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, transform, range, steps, layers, cls, fill, axis, batch, output, Common.Json);
        return cmd;
    }

    public override InvarianceSettings Read(ParseResult p)
    {
        var text = p.GetValue(transform)!.ToLowerInvariant();
        var kinds = (text == "all" ? "translate,scale,rotate" : text).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => Verbs.Parse<TransformKind>(k, "--transform", "translate, scale, rotate (comma-separated) or all")).Distinct().ToArray();
        if (kinds.Length == 0) throw new RawConvException("--transform: expected translate, scale, rotate (comma-separated) or all");
        if (kinds.Length > 1 && (p.GetValue(range) != null || p.GetValue(steps) != null))
            throw new RawConvException("--range and --steps apply to a single --transform");
        var fillMode = Verbs.Parse<FillMode>(p.GetValue(fill)!, "--fill", "zero or border");
        var ax = p.GetValue(axis)!.ToLowerInvariant() switch
        {
            "x" => TranslateAxis.X, "y" => TranslateAxis.Y, "xy" or "diagonal" => TranslateAxis.Diagonal,
            var a => throw new RawConvException($"unknown --axis '{a}'; expected x, y or xy"),
        };
        return new InvarianceSettings(kinds, p.GetValue(range), Checks.Int(p.GetValue(steps), "--steps", 1, InvarianceOptions.MaxSteps, "amounts per sweep"),
            p.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            p.GetValue(cls) is { } c ? c.Split(',').Select(v => int.TryParse(v, out int k) ? k : throw new RawConvException($"--class '{c}': expected integers")).ToArray() : null,
            fillMode, ax, Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "transformed copies per forward pass"), OutPrefix(p.GetValue(output)));
    }

    /// <summary>--out: a folder, a prefix, or a name ending in one of the files written; another extension is a mistake.</summary>
    private static string? OutPrefix(string? path)
    {
        if (path is null || path.EndsWith('/') || Directory.Exists(path)) return path;
        if (File.Exists(path) && Path.GetExtension(path) is "") throw new RawConvException($"--out: {path} is a file — give a folder, a prefix or x.npy");
        return Path.GetExtension(path).ToLowerInvariant() is "" or ".png" or ".svg" or ".csv" or ".json" or ".npy" ? path
            : throw new RawConvException($"--out: {path} — give a folder (ending in /), a prefix, a .png/.svg/.csv/.json name or x.npy");
    }

    public override InvarianceRun Compute(Session session, InvarianceSettings s)
    {
        var (x, names) = session.Inputs();
        using (x)
        {
            var spec = session.Net.Spec;
            var sweeps = s.Kinds.Select(kind =>
            {
                var (from, to) = Verbs.Range(s.Range, kind, spec.InputWidth, spec.InputHeight);
                int n = s.Steps ?? kind switch { TransformKind.Translate => 25, TransformKind.Scale => 17, _ => 37 };
                return new InvarianceOptions(kind, InvarianceOptions.Range(from, to, n), s.Layers, s.Classes, s.Fill, s.Axis, s.Batch);
            }).ToArray();
            RawConv.Algorithms.BatchMemory.Check(session.Net, (int)Math.Min(s.Batch, (long)x.Shape.N * sweeps.Max(o => o.Amounts.Length)), "--batch");
            var results = new List<InvarianceResult>();
            Progress.Run("invariance", x.Shape.N * sweeps.Sum(o => o.Amounts.Length),
                step => results.AddRange(sweeps.Select(o => Invariance.Run(session.Net, x, o, step))));
            return new InvarianceRun(names, results);
        }
    }

    public override Rendered Render(Session session, InvarianceSettings s, InvarianceRun run)
    {
        var (names, results, kinds, ax, m) = (run.Names, run.Results, s.Kinds, s.Axis, session.Model);
        string name = string.Join("-", kinds.Select(k => k.ToString().ToLowerInvariant()));
        string outArg = s.Out ?? $"invariance-{name}";
        var shortNames = names.Select(n => Path.GetFileName(n) is { Length: > 0 } f ? f : n).ToArray();
        var outputs = new List<string>();
        var files = new List<OutputFile>();
        var payload = new
        {
            model = m.Source, device = session.Backend.Info.Name, transform = name, axis = kinds.Contains(TransformKind.Translate) ? ax.ToString().ToLowerInvariant() : null,
            fill = s.Fill.ToString().ToLowerInvariant(), layers = results[0].Layers, outputs,
            sweeps = results.Select(r => new
            {
                transform = r.Options.Kind.ToString().ToLowerInvariant(), amounts = r.Amounts,
                curves = names.Select((img, i) => new
                {
                    image = img, @class = r.Classes[i], label = session.Label(r.Classes[i]),
                    points = r.Curve(i).Select(q => new
                    {
                        amount = q.Amount, distances = r.Layers.Select((l, j) => (l, q.Distances[j])).ToDictionary(t => t.l, t => t.Item2),
                        pClass = q.Probability, topClass = q.TopClass,
                    }),
                }),
            }).ToList(),
        };
        if (OutputWriter.IsNpy(outArg))
            foreach (var r in results)
            {
                string path = results.Count == 1 ? outArg : Path.ChangeExtension(outArg, null) + $"-{r.Options.Kind.ToString().ToLowerInvariant()}.npy";
                var (shape, data) = r.ToTable();
                files.Add(new NpyFile(path, shape, data, payload));
                outputs.Add(path);
            }
        else
        {
            string prefix = outArg.EndsWith('/') || Directory.Exists(outArg) ? Path.Combine(outArg, $"invariance-{name}") : outArg;
            if (Path.GetExtension(prefix).ToLowerInvariant() is ".png" or ".svg" or ".csv" or ".json") prefix = Path.ChangeExtension(prefix, null);
            var csv = results.Select(r => r.ToCsv(names)).ToList();
            files.Add(new TextFile(prefix + ".csv", csv[0] + string.Concat(csv.Skip(1).Select(c => c[(c.IndexOf('\n') + 1)..]))));
            var legend = shortNames.Select((n, i) => $"{n} ({session.Label(results[0].Classes[i])})").ToArray();
            var rows = results.Select(r => (IReadOnlyList<Chart>)Verbs.Charts(r, legend, r.Options.Kind, ax, results.Count > 1)).ToList();
            string title = $"{m.Net.Spec.Name}: " + string.Join(", ", kinds.Select(k => Verbs.Describe(k, ax)));
            files.Add(new TextFile(prefix + ".svg", ChartRow.ToSvg(rows, title)));
            outputs.AddRange([prefix + ".csv", prefix + ".svg", prefix + ".png"]);
            files.Add(new PngFile(prefix + ".png", ChartRow.ToImage(rows, title), payload));
        }
        return new Rendered(files, payload, w =>
        {
            foreach (var o in outputs) w.WriteLine($"wrote {o}");
            foreach (var r in results)
                for (int i = 0; i < names.Length; i++)
                {
                    var curve = r.Curve(i);
                    w.WriteLine($"{Verbs.Describe(r.Options.Kind, ax)}, {names[i]}: class {r.Classes[i]} ({session.Label(r.Classes[i])}), P from {curve.Min(q => q.Probability):F3} to {curve.Max(q => q.Probability):F3}, " +
                        string.Join(", ", r.Layers.Select((l, j) => $"max distance at {l} {curve.Max(q => q.Distances[j]):G4}")));
                }
        });
    }
}
