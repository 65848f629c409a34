using System.CommandLine;
using RawConv.Algorithms;
using RawConv.Algorithms.Dgn;
using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>A loaded generator: its network, its description, and the file it came from.</summary>
internal sealed record LoadedGenerator(Net Net, GeneratorInfo Info, string Path) : IDisposable
{
    public void Dispose() => Net.Dispose();

    /// <summary>The generator file for the session: --generator, else the default model's shipped one beside it.</summary>
    public static string PathFor(string? given, LoadedModel model)
    {
        if (given is { Length: > 0 }) return given;
        string dir = System.IO.Path.GetDirectoryName(model.Source) ?? ".";
        if (System.IO.Path.GetFileName(model.Source) == "default.h5") return System.IO.Path.Combine(dir, "default-generator.h5");
        throw new RawConvException($"--generator: {model.Source} has no shipped generator — train one with `rawconv dgn train --model {model.Source} --out g.h5` and give --generator g.h5");
    }

    /// <summary>Loads <paramref name="path"/> on <paramref name="model"/>'s backend and checks it was trained for that model.</summary>
    public static LoadedGenerator Load(string path, LoadedModel model, IBackend backend)
    {
        if (!File.Exists(path)) throw new RawConvException($"--generator: {path}: no such file");
        string json = WeightsFile.ReadAttribute(path, "generator")
            ?? throw new RawConvException($"{path}: a weights file without a generator description — give a file written by `rawconv dgn train`");
        var info = GeneratorInfo.FromJson(json, path);
        string sha = Verbs.Sha256(model.Source);
        if (!string.Equals(sha, info.EncoderSha256, StringComparison.OrdinalIgnoreCase))
            throw new RawConvException($"{path}: trained for {info.Encoder} (SHA-256 {info.EncoderSha256[..12]}…), not for {model.Source} ({sha[..12]}…) — give the generator trained for this model");
        var w = WeightsFile.Load(path, backend);
        try
        {
            var codeShape = model.Net.Spec.Shapes(model.Net.Spec.InputShape(1), info.CodeLayer)[^1];
            if (w.Net.Spec.InputShape(1) != codeShape)
                throw new RawConvException($"{path}: the generator takes {w.Net.Spec.InputShape(1)}, but {info.CodeLayer} of {model.Source} gives {codeShape}");
            if (w.Net.Spec.Shapes(w.Net.Spec.InputShape(1))[^1] != model.Net.Spec.InputShape(1))
                throw new RawConvException($"{path}: the generator makes {w.Net.Spec.Shapes(w.Net.Spec.InputShape(1))[^1]}, the model takes {model.Net.Spec.InputShape(1)}");
            return new LoadedGenerator(w.Net, info, path);
        }
        catch
        {
            w.Dispose();
            throw;
        }
    }
}

/// <summary>`dgn`'s settings.</summary>
internal sealed record DgnSettings(string Target, string? Generator, DgnOptions Options, string Out);

/// <summary>The DGN-AM result, the objective term, each start's probabilities, and the generator (disposed with it).</summary>
internal sealed record DgnRun(DgnResult Result, ObjectiveTerm Term, float[][] Probabilities, LoadedGenerator Generator) : IDisposable
{
    public void Dispose()
    {
        Result.Dispose();
        Generator.Dispose();
    }
}

/// <summary>`rawconv dgn`: DGN-AM, activation maximization in a trained generator's code space (Nguyen et al. 2016).</summary>
internal sealed class DgnVerb : Verb<DgnSettings, DgnRun>
{
    private static readonly DgnOptions Defaults = new();
    private readonly Option<int?> cls = new("--class") { Description = "maximize this class (its log-probability, or its pre-softmax score with --objective score)" };
    private readonly Option<string> objective = new("--objective")
    {
        Description = "with --class: logprob (log softmax probability) or score (the pre-softmax score, as Nguyen et al.)",
        DefaultValueFactory = _ => "logprob",
    };
    private readonly Option<string?> unit = new("--unit") { Description = "maximize a unit, LAYER:C[:y:x] (the centre of the map without a position)" };
    private readonly Option<string?> generator = new("--generator") { Description = "the generator (rawconv dgn train); default: weights/default-generator.h5 for the default model" };
    private readonly Option<int> iterations = new("--iterations") { Description = "ascent steps on the code", DefaultValueFactory = _ => Defaults.Iterations };
    private readonly Option<float> lr = new("--lr") { Description = "step on the gradient normalized by its mean magnitude (cosine-decayed to 0)", DefaultValueFactory = _ => Defaults.LearningRate };
    private readonly Option<float> momentum = new("--momentum") { DefaultValueFactory = _ => Defaults.Momentum };
    private readonly Option<float> decay = new("--decay") { Description = "L2 decay on the code", DefaultValueFactory = _ => Defaults.Decay };
    private readonly Option<float?> codeMax = new("--code-max") { Description = "clip the code to [0, this] (default: the largest code value on real images)" };
    private readonly Option<int> seeds = new("--seeds") { Description = "seeded starts optimized together", DefaultValueFactory = _ => Defaults.Seeds };
    private readonly Option<int> seed = new("--seed") { DefaultValueFactory = _ => 0 };
    private readonly Option<int> stripEvery = new("--strip-every") { Description = "the strip shows the first start every this many steps", DefaultValueFactory = _ => Defaults.StripEvery };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: the starts' images (top row) and the first start's strip (below) with a JSON sidecar; x.npy: the images, (S, C, H, W) in the model's input space",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("dgn", "Deep generator networks as priors (Nguyen et al. 2016): maximize a class or unit over a trained generator's code (DGN-AM); `dgn train` trains the generator, `dgn reconstruct` shows G(E(x)).");
        Common.Add(cmd, Common.Model, Common.Device);
        Common.Add(cmd, cls, objective, unit, generator, iterations, lr, momentum, decay, codeMax, seeds, seed, stripEvery, output, Common.Json);
        return cmd;
    }

    public override DgnSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        var (k, u) = (p.GetValue(cls), p.GetValue(unit));
        if ((k is null) == (u is null)) throw new RawConvException("dgn: give one of --class K and --unit LAYER:C[:y:x]");
        if (k is < 0) throw new RawConvException($"--class: {k} must be ≥ 0");
        var o = new DgnOptions(p.GetValue(iterations), p.GetValue(lr), p.GetValue(momentum), p.GetValue(decay), p.GetValue(codeMax),
            p.GetValue(seeds), p.GetValue(seed), p.GetValue(stripEvery)).Validate();
        return new DgnSettings(k is { } c ? $"{Objective(p.GetValue(objective) ?? "logprob")}:{c}" : $"unit:{u}", p.GetValue(generator), o, outPath);
    }

    private static string Objective(string name) => name.ToLowerInvariant() switch
    {
        "logprob" => "logprob",
        "score" => "class",
        _ => throw new RawConvException($"--objective: unknown objective '{name}'; use logprob or score"),
    };

    public override DgnRun Compute(Session session, DgnSettings s)
    {
        var m = session.Model;
        var term = MaximizeTarget.Parse(s.Target, m.Net.Spec);
        var g = LoadedGenerator.Load(LoadedGenerator.PathFor(s.Generator, m), m, session.Backend);
        try
        {
            DgnResult? r = null;
            Progress.RunObjective($"dgn {s.Target}", s.Options.Iterations, step => r = DgnMaximization.Run(m.Net, g.Net, g.Info, term, s.Options, (_, v) => step(1, v)));
            using var pass = m.Net.Forward(r!.Images);
            var probs = m.Net.Spec.Roles.Probabilities is null ? [] : NetQueries.Probabilities(m.Net, pass);
            int classes = probs.Length / s.Options.Seeds;
            var per = Enumerable.Range(0, s.Options.Seeds).Select(i => probs.AsSpan(i * classes, classes).ToArray()).ToArray();
            return new DgnRun(r, term, per, g);
        }
        catch
        {
            g.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, DgnSettings s, DgnRun run)
    {
        var (r, m, o) = (run.Result, session.Model, s.Options);
        int? target = run.Term switch { ClassScore c => c.Class, ClassProbability p => p.Class, _ => null };
        var images = run.Probabilities.Select((p, i) =>
        {
            int top = p.Length > 0 ? NetQueries.ArgMax(p) : -1;
            return new
            {
                start = i, objective = r.History[i][^1], topClass = top >= 0 ? top : (int?)null, topLabel = top >= 0 ? session.Label(top) : null,
                topProbability = top >= 0 ? p[top] : (float?)null, targetProbability = target is { } t && t < p.Length ? p[t] : (float?)null,
            };
        }).ToArray();
        double? mean = target is null || run.Probabilities[0].Length == 0 ? null : images.Average(i => (double)i.targetProbability!);
        var payload = new
        {
            model = m.Source, generator = run.Generator.Path, target = s.Target, objective = run.Term.Describe(m.Net.Spec),
            settings = new { iterations = o.Iterations, lr = o.LearningRate, momentum = o.Momentum, decay = o.Decay, codeMax = r.CodeMax, seeds = o.Seeds, seed = o.Seed, stripEvery = o.StripEvery },
            meanTargetProbability = mean, images, strip = r.Strip.Select(x => x.Step).ToArray(), history = r.History,
        };
        var files = new List<OutputFile>();
        if (OutputWriter.IsNpy(s.Out)) files.Add(new NpyFile(s.Out, r.Images.Shape.Dims, r.Images.ToArray(), payload));
        else files.Add(new PngFile(s.Out, Picture(r, m.Preprocessing), payload));
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{run.Term.Describe(m.Net.Spec)} over the code of {run.Generator.Path}, {o.Seeds} starts × {o.Iterations} steps");
            foreach (var i in images)
                w.WriteLine($"start {i.start}: {i.objective:G5}" + (i.topLabel is null ? "" : $", classified {i.topLabel} (P = {i.topProbability:F4})"));
            if (mean is { } mp) w.WriteLine($"mean P(target) {mp:F4}");
            w.WriteLine($"wrote {s.Out}");
        });
    }

    /// <summary>The starts' images in a row above the first start's strip, each upscaled.</summary>
    private static Image Picture(DgnResult r, Preprocessing pre)
    {
        var sh = r.Images.Shape;
        int k = Verbs.UpscaleFor(sh.H, sh.W);
        var finals = Enumerable.Range(0, sh.N).Select(i => Verbs.Upscale(Display.Input(r.Images, i, pre), k)).ToList();
        var strip = r.Strip.Select(x => Verbs.Upscale(Display.Input(x.Image, 0, pre), k)).ToList();
        int cols = Math.Max(finals.Count, strip.Count);
        var tiles = finals.Concat(Enumerable.Range(0, cols - finals.Count).Select(_ => Blank(finals[0])))
            .Concat(strip).Concat(Enumerable.Range(0, cols - strip.Count).Select(_ => Blank(finals[0]))).ToList();
        return Grid.Images(tiles, new GridOptions { Cols = cols, Rows = 2 });
    }

    private static Image Blank(Image like) => new(like.Width, like.Height, like.Channels, like.BitDepth);
}
