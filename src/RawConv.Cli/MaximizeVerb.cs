using System.CommandLine;
using RawConv.Algorithms;
using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`maximize`'s settings: the target as typed, the algorithm's options, the output path.</summary>
internal sealed record MaximizeSettings(string Target, MaximizeOptions Options, string OptimizerName, string ClipName, string Out)
{
    /// <summary>The preset the options start from.</summary>
    public MaximizePreset? Preset { get; init; }

    /// <summary>The options given on the command line (null: from the preset), applied once the target is known.</summary>
    public MaximizeOverrides? Overrides { get; init; }
}

/// <summary>maximize's options as given on the command line; null where the preset decides.</summary>
internal sealed record MaximizeOverrides(string? Optimizer, float? Lr, float? Momentum, int? Iterations, float? L2, float? Alpha, float? Tv, float? TvBeta,
    int? BlurEvery, float? BlurSigma, int? Jitter, float? Scale, float? Rotate, string? Clip, float? ClipNorm, float? ClipContribution, string? Param,
    bool NoDecorrelate, float? FourierDecay, int Seed);

/// <summary>The optimized input, the objective term and the class probabilities of the result (disposed with it).</summary>
internal sealed record MaximizeRun(MaximizeResult Result, ObjectiveTerm Term, float[] Probabilities, bool Started, MaximizeSettings Resolved) : IDisposable
{
    public void Dispose() => Result.Dispose();
}

/// <summary>`rawconv maximize`: class models, unit and channel visualizations and random directions by gradient ascent on the input.</summary>
internal sealed class MaximizeVerb : Verb<MaximizeSettings, MaximizeRun>
{
    private const string FromPreset = " (default: from --preset)";

    private readonly Option<string> target = new("--target") { Description = "class:K | unit:LAYER:C[:y:x] | channel:LAYER:C | direction:LAYER[:seed]", Required = true };
    private readonly Option<string> preset = new("--preset")
    {
        Description = "published settings: default (tuned on the default model) | simonyan | yosinski | lucid; options given explicitly override them",
        DefaultValueFactory = _ => "default",
    };
    private readonly Option<string?> optimizer = new("--optimizer") { Description = "sgd | adam | lbfgs" + FromPreset };
    private readonly Option<float?> lr = new("--lr") { Description = "learning rate" + FromPreset };
    private readonly Option<float?> momentum = new("--momentum") { Description = "sgd momentum" + FromPreset };
    private readonly Option<int?> iterations = new("--iterations") { Description = "optimizer steps (1–100000)" + FromPreset };
    private readonly Option<float?> l2 = new("--l2") { Description = "weight of the α-norm penalty Σ|x|^α" + FromPreset };
    private readonly Option<float?> alpha = new("--alpha") { Description = "exponent α of the norm penalty" + FromPreset };
    private readonly Option<float?> tv = new("--tv") { Description = "weight of the total-variation penalty" + FromPreset };
    private readonly Option<float?> tvBeta = new("--tv-beta") { Description = "exponent β of the total variation" + FromPreset };
    private readonly Option<int?> blurEvery = new("--blur-every") { Description = "Gaussian blur every k steps (0: never)" + FromPreset };
    private readonly Option<float?> blurSigma = new("--blur-sigma") { Description = "σ of that blur in pixels" + FromPreset };
    private readonly Option<int?> jitter = new("--jitter") { Description = "largest random shift per step, pixels" + FromPreset };
    private readonly Option<float?> scale = new("--scale") { Description = "largest random relative scale change per step" + FromPreset };
    private readonly Option<float?> rotate = new("--rotate") { Description = "largest random rotation per step, degrees" + FromPreset };
    private readonly Option<string?> clip = new("--clip") { Description = "pixels (clip to the 0–255 range of the preprocessing) | none" + FromPreset };
    private readonly Option<float?> clipNorm = new("--clip-norm") { Description = "Yosinski et al.: zero pixels whose norm is below this percentile" + FromPreset };
    private readonly Option<float?> clipContribution = new("--clip-contribution") { Description = "Yosinski et al.: zero pixels whose contribution is below this percentile" + FromPreset };
    private readonly Option<string?> param = new("--param") { Description = "pixels | fourier (Lucid's colour-decorrelated, 1/f-scaled spectrum through a sigmoid)" + FromPreset };
    private readonly Option<bool> noDecorrelate = new("--no-decorrelate") { Description = "fourier: skip the colour decorrelation" };
    private readonly Option<float?> fourierDecay = new("--fourier-decay") { Description = "fourier: exponent of the 1/f scaling (default 1)" };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the start image (or spectrum) and the random transforms", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: the optimized input as a picture with a JSON sidecar; x.npy: the NCHW float32 input (what --input takes) and x.json",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("maximize", "The input a class, unit, channel or direction responds to most: gradient ascent on the image (or on a decorrelated spectrum), with the published settings of Simonyan, Yosinski and Lucid as presets.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, target, preset, optimizer, lr, momentum, iterations, l2, alpha, tv, tvBeta, blurEvery, blurSigma, jitter, scale, rotate, clip, clipNorm,
            clipContribution, param, noDecorrelate, fourierDecay, seed, output, Common.Json);
        return cmd;
    }

    public override MaximizeSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        var chosen = MaximizePresets.Get(p.GetValue(preset)!);
        string? optName = p.GetValue(optimizer)?.ToLowerInvariant();
        if (optName is not null) OptimizerSettings.ParseKind(optName);
        if (p.GetValue(clip) is { } c) InputOptimizing.Clip(c);
        if (p.GetValue(param) is { } pn) Parameterization(pn);
        return new MaximizeSettings(p.GetValue(target)!, new MaximizeOptions(), optName ?? "", "", outPath)
        {
            Preset = chosen,
            Overrides = new MaximizeOverrides(optName, p.GetValue(lr), p.GetValue(momentum), p.GetValue(iterations), p.GetValue(l2), p.GetValue(alpha),
                p.GetValue(tv), p.GetValue(tvBeta), p.GetValue(blurEvery), p.GetValue(blurSigma), p.GetValue(jitter), p.GetValue(scale), p.GetValue(rotate),
                p.GetValue(clip)?.ToLowerInvariant(), p.GetValue(clipNorm), p.GetValue(clipContribution), p.GetValue(param)?.ToLowerInvariant(),
                p.GetValue(noDecorrelate), p.GetValue(fourierDecay), p.GetValue(seed)),
        };
    }

    private static InputParameterization Parameterization(string name) => name.ToLowerInvariant() switch
    {
        "pixels" => InputParameterization.Pixels,
        "fourier" => InputParameterization.Fourier,
        _ => throw new RawConvException($"--param: unknown parameterization '{name}'; use pixels or fourier"),
    };

    /// <summary>The preset's settings for the target on this model, with the options given on the command line laid over them.</summary>
    internal static MaximizeSettings Resolve(MaximizeSettings s, ObjectiveTerm term, Preprocessing pre)
    {
        var v = s.Overrides!;
        var b = s.Preset!.For(term, pre);
        var kind = v.Optimizer is { } on ? OptimizerSettings.ParseKind(on) : b.Optimizer.Kind;
        var paramKind = v.Param is { } pn ? Parameterization(pn) : b.Parameterization;
        bool fourierFromPixels = paramKind == InputParameterization.Fourier && b.Parameterization == InputParameterization.Pixels;
        var o = b with
        {
            Optimizer = new OptimizerSettings(kind, v.Lr ?? b.Optimizer.LearningRate, v.Momentum ?? b.Optimizer.Momentum),
            Iterations = v.Iterations ?? b.Iterations, L2 = v.L2 ?? b.L2, Alpha = v.Alpha ?? b.Alpha, Tv = v.Tv ?? b.Tv, TvBeta = v.TvBeta ?? b.TvBeta,
            // Blur and pixel clipping act on pixels: a preset's blur is dropped when the user switches it to the spectrum.
            BlurEvery = v.BlurEvery ?? (fourierFromPixels ? 0 : b.BlurEvery), BlurSigma = v.BlurSigma ?? b.BlurSigma,
            Jitter = v.Jitter ?? b.Jitter, ScaleJitter = v.Scale ?? b.ScaleJitter, Rotate = v.Rotate ?? b.Rotate,
            Clip = v.Clip is { } cn ? InputOptimizing.Clip(cn) : fourierFromPixels ? PixelClip.None : b.Clip,
            NormPercentile = v.ClipNorm ?? (fourierFromPixels ? 0 : b.NormPercentile),
            ContributionPercentile = v.ClipContribution ?? (fourierFromPixels ? 0 : b.ContributionPercentile),
            Parameterization = paramKind, Decorrelate = !v.NoDecorrelate, FourierDecay = v.FourierDecay ?? b.FourierDecay, Seed = v.Seed,
        };
        o.Validate();
        o.Optimizer.Create([], maximize: true).Dispose();
        return s with { Options = o, OptimizerName = o.Optimizer.Kind.ToString().ToLowerInvariant(), ClipName = o.Clip.ToString().ToLowerInvariant() };
    }

    public override MaximizeRun Compute(Session session, MaximizeSettings s)
    {
        var net = session.Net;
        var term = MaximizeTarget.Parse(s.Target, net.Spec);
        var pre = session.Model.Preprocessing.For(net.Spec.InputChannels);
        s = Resolve(s, term, pre);
        bool started = session.Args.Images.Length > 0 || session.Args.Input is not null;
        if (started && s.Options.Parameterization == InputParameterization.Fourier)
            throw new RawConvException("--param fourier: the spectrum starts from seeded noise; drop --input/--image or use --param pixels");
        Tensor? start;
        if (s.Options.Parameterization == InputParameterization.Fourier) start = null;
        else if (started)
        {
            var (x, _) = session.Inputs();
            if (x.Shape.N != 1)
            {
                x.Dispose();
                throw new RawConvException($"maximize: the start input holds {x.Shape.N} images; give one");
            }
            start = x;
        }
        else start = ActivationMaximization.RandomStart(net, pre, s.Options.Seed);
        MaximizeResult? result = null;
        using (start)
            Progress.RunObjective($"maximize {s.Target}", s.Options.Iterations, step =>
                result = ActivationMaximization.Run(net, pre, term, start, s.Options, (_, v) => step(1, v)));
        using var pass = net.Forward(result!.Input);
        var probs = net.Spec.Roles.Probabilities is null ? [] : NetQueries.Probabilities(net, pass);
        return new MaximizeRun(result, term, probs, started, s);
    }

    public override Rendered Render(Session session, MaximizeSettings given, MaximizeRun run)
    {
        var s = run.Resolved;
        var (r, m, o) = (run.Result, session.Model, s.Options);
        int top = run.Probabilities.Length > 0 ? NetQueries.ArgMax(run.Probabilities) : -1;
        int? cls = run.Term switch { ClassScore k => k.Class, ClassProbability p => p.Class, _ => null };
        var settings = new
        {
            target = s.Target, preset = s.Preset?.Name, objective = run.Term.Describe(m.Net.Spec),
            start = run.Started ? "input" : o.Parameterization == InputParameterization.Fourier ? "spectrum" : "random",
            param = o.Parameterization.ToString().ToLowerInvariant(), decorrelate = o.Parameterization == InputParameterization.Fourier ? o.Decorrelate : (bool?)null,
            fourierDecay = o.Parameterization == InputParameterization.Fourier ? o.FourierDecay : (float?)null,
            optimizer = s.OptimizerName, lr = o.Optimizer.LearningRate, momentum = o.Optimizer.Momentum, iterations = o.Iterations,
            l2 = o.L2, alpha = o.Alpha, tv = o.Tv, tvBeta = o.TvBeta, blurEvery = o.BlurEvery, blurSigma = o.BlurSigma,
            jitter = o.Jitter, scale = o.ScaleJitter, rotate = o.Rotate, clip = s.ClipName, clipNorm = o.NormPercentile,
            clipContribution = o.ContributionPercentile, seed = o.Seed,
        };
        var payload = new
        {
            model = m.Source, settings, objective = r.Final.Total, term = r.Final.Terms[0],
            topClass = top >= 0 ? top : (int?)null, topLabel = top >= 0 ? session.Label(top) : null,
            topProbability = top >= 0 ? run.Probabilities[top] : (float?)null,
            targetProbability = cls is { } c && c < run.Probabilities.Length ? run.Probabilities[c] : (float?)null,
            history = r.History,
        };
        var files = new List<OutputFile>();
        if (OutputWriter.IsNpy(s.Out)) files.Add(new NpyFile(s.Out, r.Input.Shape.Dims, r.Input.ToArray(), payload));
        else
        {
            var sh = r.Input.Shape;
            var img = Display.Input(r.Input, 0, m.Preprocessing);
            files.Add(new PngFile(s.Out, Verbs.Upscale(img, Verbs.UpscaleFor(sh.H, sh.W)), payload));
        }
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{run.Term.Describe(m.Net.Spec)}: {r.History[0]:G6} → {r.Final.Total:G6} after {o.Iterations} steps");
            if (top >= 0) w.WriteLine($"the result is classified {session.Label(top)} (P = {run.Probabilities[top]:F4})");
            w.WriteLine($"wrote {s.Out}");
        });
    }
}
