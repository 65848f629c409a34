using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

/// <summary>`occlusion`'s settings: the algorithm's options and the output path.</summary>
internal sealed record OcclusionSettings(OcclusionOptions Options, string Out);

/// <summary>The input, its name, the maps and the time the scan took.</summary>
internal sealed record OcclusionRun(Tensor X, string Name, OcclusionResult Result, int Total, double Seconds) : IDisposable
{
    public void Dispose() => X.Dispose();
}

/// <summary>`rawconv occlusion`: occlusion sensitivity (Zeiler &amp; Fergus §4.2).</summary>
internal sealed class OcclusionVerb : Verb<OcclusionSettings, OcclusionRun>
{
    private readonly Option<string> fill = Verbs.FillOption();
    private readonly Option<int> size = new("--size") { Description = "side of the occluding square, input pixels", DefaultValueFactory = _ => 8 };
    private readonly Option<int> stride = new("--stride") { Description = "step between square positions, input pixels", DefaultValueFactory = _ => 2 };
    private readonly Option<int?> cls = new("--class") { Description = "class whose probability is mapped (default: the top class of the unoccluded image)" };
    private readonly Option<string?> layer = new("--layer") { Description = "layer whose strongest feature map is summed (default: the last convolution's rectified output)" };
    private readonly Option<int> batch = new("--batch") { Description = "occluded images per forward", DefaultValueFactory = _ => 32 };
    private readonly Option<string> output = new("--out") { Description = "strip.png (input | P(class) | activation | label, + .json sidecar) or maps.npy ((3, rows, cols) float32, + .json sidecar)", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("occlusion", "Occlusion sensitivity (Zeiler & Fergus §4.2): slide a square over the image, map P(class), a feature map's total activation and the top label.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, size, stride, fill, cls, layer, batch, output, Common.Json);
        return cmd;
    }

    public override OcclusionSettings Read(ParseResult p) => new(
        new OcclusionOptions(Checks.Int(p.GetValue(size), "--size", 1, 4096, "side of the square in input pixels"), Checks.Int(p.GetValue(stride), "--stride", 1, 4096, "input pixels"),
            OcclusionFill.Parse(p.GetValue(fill)!), Checks.Int(p.GetValue(cls), "--class", 0, int.MaxValue, "a class index"), p.GetValue(layer),
            Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "occluded images per forward pass")),
        Checks.OutFile(p.GetValue(output)!, ".png", ".npy"));

    public override OcclusionRun Compute(Session session, OcclusionSettings s)
    {
        var (x, names) = session.Inputs();
        try
        {
            if (x.Shape.N != 1) throw new RawConvException($"occlusion: takes one image, got {x.Shape.N} — give one --image, or an --input of shape (1, C, H, W)");
            var o = s.Options;
            int total = OcclusionScan.Positions(x.Shape.H, o.Size, o.Stride).Length * OcclusionScan.Positions(x.Shape.W, o.Size, o.Stride).Length;
            RawConv.Algorithms.BatchMemory.Check(session.Net, Math.Min(o.BatchSize, total), "--batch");
            OcclusionResult? r = null;
            var watch = Stopwatch.StartNew();
            Progress.Run("occlusion", total, step => r = OcclusionScan.Run(session.Net, x, session.Model.Preprocessing, o, step));
            return new OcclusionRun(x, names[0], r!, total, watch.Elapsed.TotalSeconds);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, OcclusionSettings s, OcclusionRun run)
    {
        var (r, o, x, total, seconds) = (run.Result, s.Options, run.X, run.Total, run.Seconds);
        var m = session.Model;
        string outPath = s.Out;
        var legend = r.Label.Distinct().Order().Select((k, i) => new
        {
            @class = k, label = session.Label(k), color = Verbs.Hex(Verbs.LabelColor(i)), positions = r.Label.Count(v => v == k),
        }).ToList();
        var payload = new
        {
            model = m.Source, device = session.Backend.Info.Name, image = run.Name,
            settings = new { size = o.Size, stride = o.Stride, fill = r.Fill.ToString(), batch = o.BatchSize },
            @class = new { index = r.Class, label = session.Label(r.Class), given = o.Class.HasValue },
            layer = r.Layer, featureMap = r.FeatureMap,
            baseline = new { probability = r.BaselineProbability, activation = r.BaselineActivation, label = r.BaselineLabel, labelName = session.Label(r.BaselineLabel) },
            rows = r.Rows, cols = r.Cols, ys = r.Ys, xs = r.Xs,
            layout = $"entry [r][c] is the {r.Size}×{r.Size} square with top-left corner (ys[r], xs[c]); panels colour each input pixel with the entry whose square centre is nearest",
            panels = new[] { "input", "probability (viridis, min..max)", "activation (inferno, min..max)", "label (legend)" },
            probability = Verbs.Rows(r.Probability, r.Rows, r.Cols), activation = Verbs.Rows(r.Activation, r.Rows, r.Cols),
            label = Verbs.Rows(r.Label, r.Rows, r.Cols), legend,
            probabilityRange = new[] { r.Probability.Min(), r.Probability.Max() }, activationRange = new[] { r.Activation.Min(), r.Activation.Max() },
            output = outPath, seconds, imagesPerSecond = total / seconds,
        };
        OutputFile file = OutputWriter.IsNpy(outPath)
            ? new NpyFile(outPath, [3, r.Rows, r.Cols], [.. r.Probability, .. r.Activation, .. r.Label.Select(v => (float)v)], payload)
            : new PngFile(outPath, Verbs.Strip(Display.Input(x, 0, m.Preprocessing), r, x.Shape.H, x.Shape.W), payload);
        return new Rendered([file], payload, w =>
        {
            w.WriteLine($"{run.Name}: {total} occluded images ({r.Rows}×{r.Cols} positions, {o.Size}px square, stride {o.Stride}, fill {r.Fill}) in {seconds:F2} s ({total / seconds:F1} images/s)");
            w.WriteLine($"  P({session.Label(r.Class)}) unoccluded {r.BaselineProbability:F4}, occluded {r.Probability.Min():F4}..{r.Probability.Max():F4}");
            w.WriteLine($"  {r.Layer} map {r.FeatureMap} total unoccluded {r.BaselineActivation:G5}, occluded {r.Activation.Min():G5}..{r.Activation.Max():G5}");
            w.WriteLine($"  labels: {string.Join(", ", legend.Select(l => $"{l.label} ×{l.positions}"))}");
            w.WriteLine($"wrote {outPath}");
        });
    }
}
