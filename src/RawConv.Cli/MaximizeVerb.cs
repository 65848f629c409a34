using System.CommandLine;
using RawConv.Algorithms;
using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`maximize`'s settings: the target as typed, the algorithm's options, the output path.</summary>
internal sealed record MaximizeSettings(string Target, MaximizeOptions Options, string OptimizerName, string ClipName, string Out);

/// <summary>The optimized input, the objective term and the class probabilities of the result (disposed with it).</summary>
internal sealed record MaximizeRun(MaximizeResult Result, ObjectiveTerm Term, float[] Probabilities, bool Started) : IDisposable
{
    public void Dispose() => Result.Dispose();
}

/// <summary>`rawconv maximize`: class models, unit and channel visualizations and random directions by gradient ascent on the input.</summary>
internal sealed class MaximizeVerb : Verb<MaximizeSettings, MaximizeRun>
{
    private static readonly MaximizeOptions Defaults = new();

    private readonly Option<string> target = new("--target") { Description = "class:K | unit:LAYER:C[:y:x] | channel:LAYER:C | direction:LAYER[:seed]", Required = true };
    private readonly Option<string> optimizer = new("--optimizer") { Description = "sgd | adam | lbfgs", DefaultValueFactory = _ => "sgd" };
    private readonly Option<float> lr = new("--lr") { Description = "learning rate", DefaultValueFactory = _ => Defaults.Optimizer.LearningRate };
    private readonly Option<float> momentum = new("--momentum") { Description = "sgd momentum", DefaultValueFactory = _ => Defaults.Optimizer.Momentum };
    private readonly Option<int> iterations = new("--iterations") { Description = "optimizer steps (1–100000)", DefaultValueFactory = _ => Defaults.Iterations };
    private readonly Option<float> l2 = new("--l2") { Description = "weight of the α-norm penalty Σ|x|^α", DefaultValueFactory = _ => Defaults.L2 };
    private readonly Option<float> alpha = new("--alpha") { Description = "exponent α of the norm penalty", DefaultValueFactory = _ => 2f };
    private readonly Option<float> tv = new("--tv") { Description = "weight of the total-variation penalty", DefaultValueFactory = _ => Defaults.Tv };
    private readonly Option<float> tvBeta = new("--tv-beta") { Description = "exponent β of the total variation", DefaultValueFactory = _ => 2f };
    private readonly Option<int> blurEvery = new("--blur-every") { Description = "Gaussian blur every k steps (0: never)", DefaultValueFactory = _ => Defaults.BlurEvery };
    private readonly Option<float> blurSigma = new("--blur-sigma") { Description = "σ of that blur in pixels", DefaultValueFactory = _ => Defaults.BlurSigma };
    private readonly Option<int> jitter = new("--jitter") { Description = "largest random shift per step, pixels", DefaultValueFactory = _ => Defaults.Jitter };
    private readonly Option<float> scale = new("--scale") { Description = "largest random relative scale change per step", DefaultValueFactory = _ => 0f };
    private readonly Option<float> rotate = new("--rotate") { Description = "largest random rotation per step, degrees", DefaultValueFactory = _ => 0f };
    private readonly Option<string> clip = new("--clip") { Description = "pixels (clip to the 0–255 range of the preprocessing) | none", DefaultValueFactory = _ => "pixels" };
    private readonly Option<float> clipNorm = new("--clip-norm") { Description = "Yosinski et al.: zero pixels whose norm is below this percentile", DefaultValueFactory = _ => 0f };
    private readonly Option<float> clipContribution = new("--clip-contribution") { Description = "Yosinski et al.: zero pixels whose contribution is below this percentile", DefaultValueFactory = _ => 0f };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the start image and the random shifts", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: the optimized input as a picture with a JSON sidecar; x.npy: the NCHW float32 input (what --input takes) and x.json",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("maximize", "The input a class, unit, channel or direction responds to most: gradient ascent on the image, with the regularizers of Simonyan, Yosinski and Mahendran–Vedaldi.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, target, optimizer, lr, momentum, iterations, l2, alpha, tv, tvBeta, blurEvery, blurSigma, jitter, scale, rotate, clip, clipNorm,
            clipContribution, seed, output, Common.Json);
        return cmd;
    }

    public override MaximizeSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        string clipName = p.GetValue(clip)!.ToLowerInvariant();
        var clipMode = InputOptimizing.Clip(clipName);
        string optName = p.GetValue(optimizer)!.ToLowerInvariant();
        var o = new MaximizeOptions
        {
            Iterations = p.GetValue(iterations),
            Optimizer = new OptimizerSettings(OptimizerSettings.ParseKind(optName), p.GetValue(lr), p.GetValue(momentum)),
            L2 = p.GetValue(l2), Alpha = p.GetValue(alpha), Tv = p.GetValue(tv), TvBeta = p.GetValue(tvBeta),
            BlurEvery = p.GetValue(blurEvery), BlurSigma = p.GetValue(blurSigma), Jitter = p.GetValue(jitter),
            ScaleJitter = p.GetValue(scale), Rotate = p.GetValue(rotate), Clip = clipMode,
            NormPercentile = p.GetValue(clipNorm), ContributionPercentile = p.GetValue(clipContribution), Seed = p.GetValue(seed),
        }.Validate();
        o.Optimizer.Create([], maximize: true).Dispose();
        return new MaximizeSettings(p.GetValue(target)!, o, optName, clipName, outPath);
    }

    public override MaximizeRun Compute(Session session, MaximizeSettings s)
    {
        var net = session.Net;
        var term = MaximizeTarget.Parse(s.Target, net.Spec);
        var pre = session.Model.Preprocessing.For(net.Spec.InputChannels);
        bool started = session.Args.Images.Length > 0 || session.Args.Input is not null;
        Tensor start;
        if (started)
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
        return new MaximizeRun(result, term, probs, started);
    }

    public override Rendered Render(Session session, MaximizeSettings s, MaximizeRun run)
    {
        var (r, m, o) = (run.Result, session.Model, s.Options);
        int top = run.Probabilities.Length > 0 ? NetQueries.ArgMax(run.Probabilities) : -1;
        int? cls = run.Term is ClassScore k ? k.Class : null;
        var settings = new
        {
            target = s.Target, objective = run.Term.Describe(m.Net.Spec), start = run.Started ? "input" : "random",
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
