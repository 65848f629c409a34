using System.CommandLine;
using RawConv.Algorithms;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using CorrespondenceAnalysis = RawConv.Algorithms.Seeing.Correspondence;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

/// <summary>`correspondence`'s settings: the boxes as given, layers, random draws, seed, fill, batch and the optional picture.</summary>
internal sealed record CorrespondenceSettings(Box[] Boxes, string[]? Layers, int Random, int Seed, OcclusionFill Fill, int Batch, string? Out);

/// <summary>The input, its names, the boxes per image and the analysis.</summary>
internal sealed record CorrespondenceRun(Tensor X, string[] Names, Box[] Boxes, CorrespondenceOptions Options, CorrespondenceResult Result) : IDisposable
{
    public void Dispose() => X.Dispose();
}

/// <summary>`rawconv correspondence`: Zeiler &amp; Fergus §4.3, one part occluded in every image against random occlusions.</summary>
internal sealed class CorrespondenceVerb : Verb<CorrespondenceSettings, CorrespondenceRun>
{
    private readonly Option<string> fill = Verbs.FillOption();
    private readonly Option<string[]> box = new("--box") { Description = "y0,x0,y1,x1 (end exclusive, input pixels): one per image in order, or one for all", Required = true, AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> layers = new("--layers") { Description = "comma-separated layers (default: the last convolution's rectified output and the last hidden fully connected layer's)" };
    private readonly Option<int> random = new("--random") { Description = "random occlusion draws (same box sizes, random positions)", DefaultValueFactory = _ => 50 };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the random boxes", DefaultValueFactory = _ => 1 };
    private readonly Option<int> batch = new("--batch") { Description = "occluded images per forward", DefaultValueFactory = _ => 32 };
    private readonly Option<string?> output = new("--out") { Description = "boxes.png: the images with the part occluded (+ .json sidecar with the results)" };

    protected override Command Build()
    {
        var cmd = new Command("correspondence", "Correspondence analysis (Zeiler & Fergus §4.3): Δ = Σ_{i<j} Hamming(sign ε_i, sign ε_j) for one part occluded in every image, against random occlusions.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, box, layers, random, seed, fill, batch, output, Common.Json);
        return cmd;
    }

    public override CorrespondenceSettings Read(ParseResult p) => new(
        p.GetValue(box)!.Select(Verbs.ParseBox).ToArray(),
        p.GetValue(layers) is { } l ? l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
        Checks.Int(p.GetValue(random), "--random", 0, 10_000, "random occlusion draws"), p.GetValue(seed), OcclusionFill.Parse(p.GetValue(fill)!),
        Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "occluded images per forward pass"), p.GetValue(output) is { } o ? Checks.OutFile(o, ".png") : null);

    public override CorrespondenceRun Compute(Session session, CorrespondenceSettings s)
    {
        var (x, names) = session.Inputs();
        try
        {
            int n = x.Shape.N;
            var boxes = s.Boxes.Length == 1 && n > 1 ? Enumerable.Repeat(s.Boxes[0], n).ToArray() : s.Boxes;
            if (boxes.Length != n) throw new RawConvException($"correspondence: {n} images but {boxes.Length} --box values (give one per image, or one for all)");
            var o = new CorrespondenceOptions(s.Layers ?? Verbs.DefaultLayers(session.Net.Spec), s.Random, s.Seed, s.Fill, s.Batch);
            RawConv.Algorithms.BatchMemory.Check(session.Net, (int)Math.Min(s.Batch, (long)n * (o.Random + 1)), "--batch");
            CorrespondenceResult? r = null;
            Progress.Run("correspondence", n * (o.Random + 1), step => r = CorrespondenceAnalysis.Run(session.Net, x, boxes, session.Model.Preprocessing, o, step));
            return new CorrespondenceRun(x, names, boxes, o, r!);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, CorrespondenceSettings s, CorrespondenceRun run)
    {
        var (x, names, boxes, o, r, m) = (run.X, run.Names, run.Boxes, run.Options, run.Result, session.Model);
        int n = x.Shape.N;
        var payload = new
        {
            model = m.Source, device = session.Backend.Info.Name, images = names, boxes = r.Boxes.Select(v => new[] { v.Y0, v.X0, v.Y1, v.X1 }),
            settings = new { random = o.Random, seed = o.Seed, fill = r.Fill.ToString(), batch = o.BatchSize },
            definition = "delta = sum over unordered pairs i<j of Hamming(sign(eps_i), sign(eps_j)), eps_i = features(original_i) - features(occluded_i), sign(0) = 0; ZF's sum over i != j equals 2*delta; std has an n-1 denominator",
            layers = r.Layers.Select(c => new
            {
                layer = c.Layer, dimension = c.Dimension, pairs = c.Pairs, delta = c.Delta, deltaPerPair = c.DeltaPerPair,
                randomMean = c.RandomMean, randomStd = c.RandomStd, randomMeanPerPair = c.RandomMeanPerPair, randomStdPerPair = c.RandomStdPerPair,
                randomDeltas = c.RandomDeltas,
            }),
            output = s.Out,
        };
        var files = new List<OutputFile>();
        if (s.Out is { } outPath)
        {
            var fillValues = r.Fill.Values(m.Preprocessing, x.Shape.C);
            var all = x.ToArray();
            int per = x.Shape.C * x.Shape.H * x.Shape.W;
            var shown = Enumerable.Range(0, n).Select(i =>
            {
                var occluded = new float[per];
                NetQueries.Occlude(all.AsSpan(i * per, per), occluded, x.Shape.C, x.Shape.H, x.Shape.W, boxes[i], fillValues);
                return Verbs.Outline(Deprocess.ToImage(occluded, x.Shape.C, x.Shape.H, x.Shape.W, m.Preprocessing.For(x.Shape.C)).ToRgb8(), boxes[i]);
            }).ToList();
            int up = Math.Max(1, (int)Math.Ceiling(120.0 / Math.Max(x.Shape.H, x.Shape.W)));
            files.Add(new PngFile(outPath, Grid.Images(shown, new GridOptions { Rows = 1, Upscale = up, Padding = 2 }), payload));
        }
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{n} images, {n * (n - 1) / 2} pairs, {o.Random} random draws (seed {o.Seed}), fill {r.Fill}; Δ = Σ_(i<j) Hamming(sign ε_i, sign ε_j)");
            w.WriteLine($"{"layer",-10} {"dim",8} {"Δ part",10} {"Δ/pair",10} {"random Δ (mean ± std)",26} {"random/pair",18}");
            foreach (var c in r.Layers)
                w.WriteLine($"{c.Layer,-10} {c.Dimension,8} {c.Delta,10} {c.DeltaPerPair,10:F1} {$"{c.RandomMean:F1} ± {c.RandomStd:F1}",26} {$"{c.RandomMeanPerPair:F1} ± {c.RandomStdPerPair:F1}",18}");
            if (s.Out is { } o2) w.WriteLine($"wrote {o2}");
        });
    }
}
