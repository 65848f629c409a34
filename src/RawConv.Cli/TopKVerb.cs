using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Ops;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`topk`'s settings: the layer, the dataset as typed, the scan options, the rule and the output path.</summary>
internal sealed record TopKSettings(string Layer, string Dataset, TopKOptions Options, ReluRule Rule, string Out);

/// <summary>The scan, the figure and the time each part took.</summary>
internal sealed record TopKRun(IDataset Data, TopKResult Scan, TopKFigure Figure, TopKGridOptions GridOptions, double ScanSeconds, double Seconds);

/// <summary>`rawconv topk`: the k images that excite each feature map most over a dataset, projected beside their patches.</summary>
internal sealed class TopKVerb : Verb<TopKSettings, TopKRun>
{
    private readonly Option<string> layer = new("--layer") { Description = "layer name (see `rawconv info`)", Required = true };
    private readonly Option<string> dataset = new("--dataset") { Description = "fashion-mnist (its test split; default), fashion-mnist:train, or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
    private readonly Option<int> k = new("--k") { Description = "images kept per feature map", DefaultValueFactory = _ => 9 };
    private readonly Option<int> limit = new("--limit") { Description = "scan only the first N images (0: all)" };
    private readonly Option<string?> channels = new("--channels") { Description = "feature maps to show, e.g. 0,1,5 (default: all)" };
    private readonly Option<int> batch = new("--batch") { Description = "images per forward pass", DefaultValueFactory = _ => 64 };
    private readonly Option<string> rule = new("--rule") { Description = "deconvnet (Zeiler–Fergus; default) | gradient | guided", DefaultValueFactory = _ => "deconvnet" };
    private readonly Option<string> output = new("--out") { Description = "grid .png (+ .json index beside it), a folder (writes topk-LAYER.png there), or .npy (the projections, (N, C, H, W) float32, + .json index)", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("topk", "Zeiler–Fergus top-k: the k images that excite each feature map most over a dataset, projected to pixels beside their receptive-field patches.");
        Common.Add(cmd, Common.Model, Common.Prototxt, Common.Device);
        Common.Add(cmd, layer, dataset, k, limit, channels, batch, rule, output, Common.Json);
        return cmd;
    }

    public override TopKSettings Read(ParseResult p)
    {
        string name = p.GetValue(layer)!;
        var chosen = p.GetValue(channels) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out int v) ? v : throw new RawConvException($"--channels: '{s}' is not a channel number")).ToArray() : null;
        var options = new TopKOptions(Checks.Int(p.GetValue(k), "--k", 1, TopKOptions.MaxK, "images kept per feature map"),
            Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "images per forward pass"), Checks.Int(p.GetValue(limit), "--limit", 0, int.MaxValue, "0 scans all"), chosen);
        return new TopKSettings(name, p.GetValue(dataset)!, options, Verbs.TopKRule(p.GetValue(rule)!), Verbs.TopKOutputPath(p.GetValue(output)!, name));
    }

    public override TopKRun Compute(Session session, TopKSettings s)
    {
        var m = session.Model;
        var data = new Verbs.ModelInputDataset(Verbs.Dataset(s.Dataset, "test", m.Net.Spec), m.Preprocessing);
        string outPath = s.Out;
        var options = s.Options;
        var clock = Stopwatch.StartNew();
        TopKResult scan = null!;
        int total = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
        if (total == 0) throw new RawConvException($"--dataset: {s.Dataset} holds no images — give a dataset with at least one");
        if (options.K > total) throw new RawConvException($"--k: {options.K} is more than the {total} images scanned — give 1 to {total}");
        RawConv.Algorithms.BatchMemory.Check(m.Net, Math.Min(options.BatchSize, total), "--batch");
        Progress.Run($"scan {s.Layer}", total, step =>
        {
            int last = 0;
            scan = TopKScan.Run(m.Net, data, s.Layer, options, (done, _) => { step(done - last); last = done; });
        });
        double scanSeconds = clock.Elapsed.TotalSeconds;
        var gridOptions = new TopKGridOptions(s.Rule, BatchSize: options.BatchSize, KeepProjections: OutputWriter.IsNpy(outPath));
        TopKFigure figure = null!;
        int entries = scan.Entries.Sum(e => e.Count);
        Progress.Run($"project {s.Layer}", entries, step =>
        {
            int last = 0;
            figure = TopKGrid.Build(m.Net, data, scan, m.Preprocessing, gridOptions, (done, _) => { step(done - last); last = done; });
        });
        return new TopKRun(data, scan, figure, gridOptions, scanSeconds, clock.Elapsed.TotalSeconds);
    }

    public override Rendered Render(Session session, TopKSettings s, TopKRun r)
    {
        var (m, scan, figure, data) = (session.Model, r.Scan, r.Figure, r.Data);
        string name = s.Layer, outPath = s.Out;
        var field = ReceptiveField.Of(m.Net.Spec, name);
        var index = scan.Channels.Select(ch => new
        {
            channel = ch,
            entries = figure.Patches.Where(q => q.Channel == ch).Select(q => new
            {
                image = q.Entry.Image, value = q.Entry.Value, y = q.Entry.Y, x = q.Entry.X,
                label = data.Label(q.Entry.Image) is var l && l < data.Classes.Count ? data.Classes[l] : null,
                box = new[] { q.Box.Y0, q.Box.X0, q.Box.Y1, q.Box.X1 },
            }),
        }).ToList();
        double scanSeconds = r.ScanSeconds, seconds = r.Seconds;
        var payload = new
        {
            model = m.Source, device = session.Backend.Info.Name, layer = name, dataset = s.Dataset, images = scan.Images, k = scan.K,
            rule = r.GridOptions.Rule.ToString(), layerShape = new[] { scan.Dims.C, scan.Dims.H, scan.Dims.W },
            receptiveField = new { size = new[] { field.Y.Size, field.X.Size }, jump = new[] { field.Y.Jump, field.X.Jump }, start = new[] { field.Y.Start, field.X.Start }, global = field.Global },
            upscale = figure.Upscale, scanSeconds, scanImagesPerSecond = scan.Images / Math.Max(scanSeconds, 1e-9), seconds,
            output = outPath, channels = index,
        };
        OutputFile file = OutputWriter.IsNpy(outPath)
            ? new NpyFile(outPath, figure.ProjectionShape.Dims, figure.Projections!, payload)
            : new PngFile(outPath, figure.Image, payload);
        var json = new { output = outPath, index = Path.ChangeExtension(outPath, ".json"), layer = name, images = scan.Images, channels = scan.Channels.Count, scanSeconds, scanImagesPerSecond = payload.scanImagesPerSecond, seconds };
        return new Rendered([file], json, w =>
            w.WriteLine($"wrote {outPath}: top-{scan.K} of {scan.Channels.Count} feature maps of {name} over {scan.Images} images " +
                        $"(scan {scanSeconds:F1} s, {payload.scanImagesPerSecond:F0} images/s; total {seconds:F1} s)"));
    }
}
