using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Ops;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`topk`'s settings: the layer, the dataset as typed, the scan options, the rule, the output path and, for --direction, the direction's seed (null: feature maps).</summary>
internal sealed record TopKSettings(string Layer, string Dataset, TopKOptions Options, ReluRule Rule, string Out, int? DirectionSeed = null);

/// <summary>The scan (for a direction: the units beside it in <see cref="Scan"/>, the direction in <see cref="Direction"/>), the figure and the time each part took.</summary>
internal sealed record TopKRun(IDataset Data, TopKResult Scan, TopKFigure Figure, TopKGridOptions GridOptions, double ScanSeconds, double Seconds,
    TopKDirectionResult? Direction = null);

/// <summary>`rawconv topk`: the k images that excite each feature map (or a random direction) most over a dataset, projected beside their patches.</summary>
internal sealed class TopKVerb : Verb<TopKSettings, TopKRun>
{
    private readonly Option<string?> layer = new("--layer") { Description = "layer name (see `rawconv info`); or give --direction" };
    private readonly Option<string?> direction = new("--direction") { Description = "LAYER[:SEED]: the random direction `maximize --target direction:LAYER[:SEED]` uses (seed 0 when omitted), shown beside the units it weighs most (Szegedy et al.)" };
    private readonly Option<string> dataset = new("--dataset") { Description = "fashion-mnist (its test split; default), fashion-mnist:train, or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
    private readonly Option<int> k = new("--k") { Description = "images kept per feature map", DefaultValueFactory = _ => 9 };
    private readonly Option<int> limit = new("--limit") { Description = "scan only the first N images (0: all)" };
    private readonly Option<string?> channels = new("--channels") { Description = "feature maps to show, e.g. 0,1,5 (default: all; with --direction: the 4 it weighs most)" };
    private readonly Option<int> batch = new("--batch") { Description = "images per forward pass", DefaultValueFactory = _ => 64 };
    private readonly Option<string> rule = new("--rule") { Description = "deconvnet (Zeiler–Fergus; default) | gradient | guided", DefaultValueFactory = _ => "deconvnet" };
    private readonly Option<string> output = new("--out") { Description = "grid .png (+ .json index beside it), a folder (writes topk-LAYER.png there), or .npy (the projections, (N, C, H, W) float32, + .json index)", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("topk", "Zeiler–Fergus top-k: the k images that excite each feature map (or a random direction) most over a dataset, projected to pixels beside their receptive-field patches.");
        Common.Add(cmd, Common.Model, Common.Prototxt, Common.Device);
        Common.Add(cmd, layer, direction, dataset, k, limit, channels, batch, rule, output, Common.Json);
        return cmd;
    }

    public override TopKSettings Read(ParseResult p)
    {
        var (name, seed) = (p.GetValue(layer), p.GetValue(direction)) switch
        {
            ({ }, { }) => throw new RawConvException("--layer, --direction: give one of them, not both — --layer L ranks L's feature maps, --direction L[:seed] a random direction in L"),
            (null, null) => throw new RawConvException("--layer or --direction is required — e.g. --layer conv5, or --direction conv5:1 for a random direction"),
            ({ } l, null) => (l, (int?)null),
            (null, { } d) => Direction(d),
        };
        var chosen = p.GetValue(channels) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out int v) ? v : throw new RawConvException($"--channels: '{s}' is not a channel number")).ToArray() : null;
        var options = new TopKOptions(Checks.Int(p.GetValue(k), "--k", 1, TopKOptions.MaxK, "images kept per feature map"),
            Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "images per forward pass"), Checks.Int(p.GetValue(limit), "--limit", 0, int.MaxValue, "0 scans all"), chosen);
        return new TopKSettings(name, p.GetValue(dataset)!, options, Verbs.TopKRule(p.GetValue(rule)!),
            Verbs.TopKOutputPath(p.GetValue(output)!, seed is { } sd ? $"direction-{name}-{sd}" : name), seed);
    }

    /// <summary>--direction LAYER[:SEED] (seed 0 when omitted, as maximize's direction:LAYER).</summary>
    private static (string Layer, int? Seed) Direction(string text)
    {
        var parts = text.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0)
            throw new RawConvException($"--direction {text}: give LAYER or LAYER:SEED — e.g. --direction conv5:1");
        if (parts.Length == 1) return (parts[0], 0);
        return int.TryParse(parts[1], out int seed) && seed >= 0 ? (parts[0], seed)
            : throw new RawConvException($"--direction {text}: the seed '{parts[1]}' must be a non-negative integer — e.g. --direction {parts[0]}:1");
    }

    public override TopKRun Compute(Session session, TopKSettings s)
    {
        var m = session.Model;
        var data = new Verbs.ModelInputDataset(Verbs.Dataset(s.Dataset, "test", m.Net.Spec), m.Preprocessing);
        string outPath = s.Out;
        var options = s.Options;
        var clock = Stopwatch.StartNew();
        int total = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
        if (total == 0) throw new RawConvException($"--dataset: {s.Dataset} holds no images — give a dataset with at least one");
        if (options.K > total) throw new RawConvException($"--k: {options.K} is more than the {total} images scanned — give 1 to {total}");
        RawConv.Algorithms.BatchMemory.Check(m.Net, Math.Min(options.BatchSize, total), "--batch");
        var weights = s.DirectionSeed is { } seed ? DirectionWeights(m.Net.Spec, s.Layer, seed) : null;
        TopKResult scan = null!;
        TopKDirectionResult? dir = null;
        string what = weights is null ? s.Layer : $"direction {s.Layer}:{s.DirectionSeed}";
        Progress.Run($"scan {what}", total, step =>
        {
            int last = 0;
            void Step(int done, int _) { step(done - last); last = done; }
            if (weights is null) scan = TopKScan.Run(m.Net, data, s.Layer, options, Step);
            else
            {
                var units = options.Channels ?? TopKScan.Heaviest(weights, Math.Min(DefaultUnits, weights.Length));
                dir = TopKScan.RunDirection(m.Net, data, s.Layer, weights, units, options, Step);
                scan = dir.Units;
            }
        });
        double scanSeconds = clock.Elapsed.TotalSeconds;
        var gridOptions = new TopKGridOptions(s.Rule, BatchSize: options.BatchSize, KeepProjections: OutputWriter.IsNpy(outPath));
        TopKFigure figure = null!;
        int entries = scan.Entries.Sum(e => e.Count) + (dir?.Entries.Count ?? 0);
        Progress.Run($"project {what}", entries, step =>
        {
            int last = 0;
            void Step(int done, int _) { step(done - last); last = done; }
            figure = dir is null ? TopKGrid.Build(m.Net, data, scan, m.Preprocessing, gridOptions, Step)
                : TopKGrid.BuildDirection(m.Net, data, dir, m.Preprocessing, gridOptions, Step);
        });
        return new TopKRun(data, scan, figure, gridOptions, scanSeconds, clock.Elapsed.TotalSeconds, dir);
    }

    /// <summary>Units shown beside a direction when --channels does not name them: the ones it weighs most.</summary>
    private const int DefaultUnits = 4;

    /// <summary>The direction `maximize --target direction:LAYER:SEED` ascends, over <paramref name="layer"/>'s channels.</summary>
    private static float[] DirectionWeights(RawConv.Graph.NetSpec spec, string layer, int seed)
    {
        if (spec.Layers.All(l => l.Name != layer))
            throw new RawConvException($"--direction {layer}:{seed}: {spec.Name} has no layer '{layer}' — layers are {string.Join(", ", spec.Layers.Select(l => l.Name))}");
        return RawConv.Algorithms.Optimize.Direction.Random(spec.Shapes(spec.InputShape(1), layer)[^1][1], seed);
    }

    public override Rendered Render(Session session, TopKSettings s, TopKRun r)
    {
        var (m, scan, figure, data) = (session.Model, r.Scan, r.Figure, r.Data);
        string name = s.Layer, outPath = s.Out;
        var field = ReceptiveField.Of(m.Net.Spec, name);
        object Entries(int channel) => figure.Patches.Where(q => q.Channel == channel).Select(q => new
        {
            image = q.Entry.Image, value = q.Entry.Value, y = q.Entry.Y, x = q.Entry.X,
            label = data.Label(q.Entry.Image) is var l && l < data.Classes.Count ? data.Classes[l] : null,
            box = new[] { q.Box.Y0, q.Box.X0, q.Box.Y1, q.Box.X1 },
        }).ToList();
        double scanSeconds = r.ScanSeconds, seconds = r.Seconds, rate = scan.Images / Math.Max(scanSeconds, 1e-9);
        var common = new
        {
            model = m.Source, device = session.Backend.Info.Name, layer = name, dataset = s.Dataset, images = scan.Images, k = scan.K,
            rule = r.GridOptions.Rule.ToString(), layerShape = new[] { scan.Dims.C, scan.Dims.H, scan.Dims.W },
            receptiveField = new { size = new[] { field.Y.Size, field.X.Size }, jump = new[] { field.Y.Jump, field.X.Jump }, start = new[] { field.Y.Start, field.X.Start }, global = field.Global },
            upscale = figure.Upscale, scanSeconds, scanImagesPerSecond = rate, seconds, output = outPath,
        };
        object payload;
        if (r.Direction is { } d)
        {
            var rows = new List<object> { new { row = "direction", label = $"direction {name}:{s.DirectionSeed} (Szegedy et al.)", channel = (int?)null, weight = (float?)null, entries = Entries(TopKGrid.DirectionRow) } };
            rows.AddRange(scan.Channels.Select(ch => new { row = "unit", label = $"unit {ch} (weight {d.Weights[ch]:+0.000;-0.000})", channel = (int?)ch, weight = (float?)d.Weights[ch], entries = Entries(ch) }));
            payload = new { common.model, common.device, common.layer, seed = s.DirectionSeed, weights = d.Weights, common.dataset, common.images, common.k, common.rule,
                common.layerShape, common.receptiveField, common.upscale, common.scanSeconds, common.scanImagesPerSecond, common.seconds, common.output, rows };
        }
        else
            payload = new { common.model, common.device, common.layer, common.dataset, common.images, common.k, common.rule, common.layerShape, common.receptiveField,
                common.upscale, common.scanSeconds, common.scanImagesPerSecond, common.seconds, common.output, channels = scan.Channels.Select(ch => new { channel = ch, entries = Entries(ch) }).ToList() };
        OutputFile file = OutputWriter.IsNpy(outPath)
            ? new NpyFile(outPath, figure.ProjectionShape.Dims, figure.Projections!, payload)
            : new PngFile(outPath, figure.Image, payload);
        string index = Path.ChangeExtension(outPath, ".json");
        object json = r.Direction is null
            ? new { output = outPath, index, layer = name, images = scan.Images, channels = scan.Channels.Count, scanSeconds, scanImagesPerSecond = rate, seconds }
            : new { output = outPath, index, layer = name, seed = s.DirectionSeed, images = scan.Images, channels = scan.Channels.Count, scanSeconds, scanImagesPerSecond = rate, seconds };
        string what = r.Direction is null ? $"{scan.Channels.Count} feature maps of {name}" : $"direction {name}:{s.DirectionSeed} and of {scan.Channels.Count} units beside it";
        return new Rendered([file], json, w =>
            w.WriteLine($"wrote {outPath}: top-{scan.K} of {what} over {scan.Images} images (scan {scanSeconds:F1} s, {rate:F0} images/s; total {seconds:F1} s)"));
    }
}
