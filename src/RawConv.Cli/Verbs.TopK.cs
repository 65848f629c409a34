using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>`rawconv topk` (the method cannot be called TopK: Verbs.Run.cs uses the TopK op).</summary>
    public static Command TopKVerb()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var device = DeviceOption(); var json = JsonOption();
        var layer = new Option<string>("--layer") { Description = "layer name (see `rawconv info`)", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (its test split; default), fashion-mnist:train, or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
        var k = new Option<int>("--k") { Description = "images kept per feature map", DefaultValueFactory = _ => 9 };
        var limit = new Option<int>("--limit") { Description = "scan only the first N images (0: all)" };
        var channels = new Option<string?>("--channels") { Description = "feature maps to show, e.g. 0,1,5 (default: all)" };
        var batch = new Option<int>("--batch") { Description = "images per forward pass", DefaultValueFactory = _ => 64 };
        var rule = new Option<string>("--rule") { Description = "deconvnet (Zeiler–Fergus; default) | gradient | guided", DefaultValueFactory = _ => "deconvnet" };
        var output = new Option<string>("--out") { Description = "grid .png (+ .json index beside it), a folder (writes topk-LAYER.png there), or .npy (the projections, (N, C, H, W) float32)", Required = true };
        var cmd = new Command("topk", "Zeiler–Fergus top-k: the k images that excite each feature map most over a dataset, projected to pixels beside their receptive-field patches.")
            { model, proto, device, layer, dataset, k, limit, channels, batch, rule, output, json };
        cmd.SetAction(p =>
        {
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), null, b);
            string name = p.GetValue(layer)!;
            var data = new ModelInputDataset(Dataset(p.GetValue(dataset)!, "test", m.Net.Spec), m.Preprocessing);
            var chosen = p.GetValue(channels) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, out int v) ? v : throw new RawConvException($"--channels: '{s}' is not a channel number")).ToArray() : null;
            var options = new TopKOptions(p.GetValue(k), p.GetValue(batch), p.GetValue(limit), chosen);
            string outPath = TopKOutputPath(p.GetValue(output)!, name);

            var clock = Stopwatch.StartNew();
            TopKResult scan = null!;
            int total = options.Limit > 0 ? Math.Min(options.Limit, data.Count) : data.Count;
            Progress.Run($"scan {name}", total, step =>
            {
                int last = 0;
                scan = TopKScan.Run(m.Net, data, name, options, (done, _) => { step(done - last); last = done; });
            });
            double scanSeconds = clock.Elapsed.TotalSeconds;
            var gridOptions = new TopKGridOptions(TopKRule(p.GetValue(rule)!), BatchSize: options.BatchSize, KeepProjections: Outputs.IsNpy(outPath));
            TopKFigure figure = null!;
            int entries = scan.Entries.Sum(e => e.Count);
            Progress.Run($"project {name}", entries, step =>
            {
                int last = 0;
                figure = TopKGrid.Build(m.Net, data, scan, m.Preprocessing, gridOptions, (done, _) => { step(done - last); last = done; });
            });
            double seconds = clock.Elapsed.TotalSeconds;

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
            var payload = new
            {
                model = m.Source, device = b.Info.Name, layer = name, dataset = p.GetValue(dataset), images = scan.Images, k = scan.K,
                rule = gridOptions.Rule.ToString(), layerShape = new[] { scan.Dims.C, scan.Dims.H, scan.Dims.W },
                receptiveField = new { size = new[] { field.Y.Size, field.X.Size }, jump = new[] { field.Y.Jump, field.X.Jump }, start = new[] { field.Y.Start, field.X.Start }, global = field.Global },
                upscale = figure.Upscale, scanSeconds, scanImagesPerSecond = scan.Images / Math.Max(scanSeconds, 1e-9), seconds,
                output = outPath, channels = index,
            };
            if (Outputs.IsNpy(outPath))
            {
                Outputs.EnsureFolder(outPath);
                RawConv.Imaging.Npy.Write(outPath, figure.ProjectionShape.Dims, figure.Projections!);
                Outputs.Sidecar(outPath, payload);
            }
            else Outputs.Png(outPath, figure.Image, payload);
            Print(p.GetValue(json), new { output = outPath, index = Path.ChangeExtension(outPath, ".json"), layer = name, images = scan.Images, channels = scan.Channels.Count, scanSeconds, scanImagesPerSecond = payload.scanImagesPerSecond, seconds },
                () => Console.WriteLine($"wrote {outPath}: top-{scan.K} of {scan.Channels.Count} feature maps of {name} over {scan.Images} images " +
                                        $"(scan {scanSeconds:F1} s, {payload.scanImagesPerSecond:F0} images/s; total {seconds:F1} s)"));
            return 0;
        });
        return cmd;
    }

    /// <summary>--out as given when it names a .png or .npy file, else a folder to hold topk-LAYER.png.</summary>
    private static string TopKOutputPath(string output, string layer)
    {
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is ".png" or ".npy") return output;
        if (File.Exists(output)) throw new RawConvException($"{output}: --out must be a .png, a .npy or a folder");
        return Path.Combine(output, $"topk-{layer}.png");
    }

    /// <summary>--rule deconvnet | gradient | guided.</summary>
    private static ReluRule TopKRule(string rule) => rule.ToLowerInvariant() switch
    {
        "deconvnet" or "deconv" => ReluRule.Deconvnet,
        "gradient" or "standard" => ReluRule.Standard,
        "guided" => ReluRule.Guided,
        _ => throw new RawConvException($"unknown --rule '{rule}'; expected deconvnet, gradient or guided"),
    };

    /// <summary>
    /// A dataset's items (pixels/255 in [0, 1], RGB or grey) as the network's input: channels ordered and
    /// normalized with the model's preprocessing, x = (255·v·Scale − Mean[c]) / Std[c] (the identity for the
    /// default model, which takes [0, 1]).
    /// </summary>
    private sealed class ModelInputDataset(IDataset inner, Preprocessing pre) : IDataset
    {
        public int Count => inner.Count;
        public IReadOnlyList<string> Classes => inner.Classes;
        public Shape ItemShape => inner.ItemShape;
        public int Label(int index) => inner.Label(index);

        public void CopyItem(int index, Span<float> dst)
        {
            var s = inner.ItemShape;
            int plane = s.H * s.W;
            var raw = new float[s.C * plane];
            inner.CopyItem(index, raw);
            float factor = 255f * pre.Scale;   // exactly 1 for Scale = 1/255: the default model's inputs pass unchanged
            for (int c = 0; c < s.C; c++)
            {
                int src = s.C == 3 && pre.ChannelOrder == ChannelOrder.BGR ? 2 - c : c;
                int mc = Math.Min(c, pre.Mean.Length - 1);
                float mean = pre.Mean[mc], std = pre.Std[mc];
                for (int i = 0; i < plane; i++) dst[c * plane + i] = (raw[src * plane + i] * factor - mean) / std;
            }
        }
    }
}
