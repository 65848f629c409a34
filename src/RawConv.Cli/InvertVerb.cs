using System.CommandLine;
using RawConv.Algorithms.Invert;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`invert`'s settings as typed (for the sidecar) and the algorithm's options.</summary>
internal sealed record InvertSettings(string Layer, InvertOptions Options, string OptimizerName, float? Lr, string ClipName, string Out);

/// <summary>The original input and the inversion (disposed with the run).</summary>
internal sealed record InvertRun(Tensor X, string Name, InvertResult Result) : IDisposable
{
    public void Dispose()
    {
        Result.Dispose();
        X.Dispose();
    }
}

/// <summary>`rawconv invert`: the picture a layer's code describes (Mahendran–Vedaldi).</summary>
internal sealed class InvertVerb : Verb<InvertSettings, InvertRun>
{
    private readonly Option<string> layer = new("--layer") { Description = "the layer whose code is inverted", Required = true };
    private readonly Option<int> iterations = new("--iterations") { Description = "optimizer steps per restart", DefaultValueFactory = _ => new InvertOptions().Iterations };
    private readonly Option<string> optimizer = new("--optimizer") { Description = "adam | sgd | lbfgs", DefaultValueFactory = _ => "adam" };
    private readonly Option<float?> lr = new("--lr") { Description = "learning rate in input units (default: Adam at 3 % of the pixel range)" };
    private readonly Option<float> momentum = new("--momentum") { Description = "sgd momentum", DefaultValueFactory = _ => 0.9f };
    private readonly Option<float> alpha = new("--alpha") { Description = "exponent α of the norm prior", DefaultValueFactory = _ => 6f };
    private readonly Option<float> lambdaAlpha = new("--lambda-alpha") { Description = "weight of the normalized α-norm prior", DefaultValueFactory = _ => new InvertOptions().LambdaAlpha };
    private readonly Option<float> beta = new("--tv-beta") { Description = "exponent β of the total-variation prior", DefaultValueFactory = _ => 2f };
    private readonly Option<float> lambdaTv = new("--lambda-tv") { Description = "weight of the normalized total-variation prior", DefaultValueFactory = _ => new InvertOptions().LambdaTv };
    private readonly Option<int> restarts = new("--restarts") { Description = "runs from different seeded starts; the best is kept", DefaultValueFactory = _ => 1 };
    private readonly Option<string> clip = new("--clip") { Description = "pixels | none", DefaultValueFactory = _ => "pixels" };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the first start", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: original | reconstruction with a JSON sidecar; x.npy: the reconstruction as NCHW float32",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("invert", "The picture a layer's code describes: gradient descent to match the code under natural-image priors (Mahendran and Vedaldi 2015).");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, layer, iterations, optimizer, lr, momentum, alpha, lambdaAlpha, beta, lambdaTv, restarts, clip, seed, output, Common.Json);
        return cmd;
    }

    public override InvertSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        string clipName = p.GetValue(clip)!.ToLowerInvariant();
        var clipMode = InputOptimizing.Clip(clipName);
        string optName = p.GetValue(optimizer)!.ToLowerInvariant();
        var kind = OptimizerSettings.ParseKind(optName);
        float? rate = p.GetValue(lr);
        if (rate is { } r && (!(r > 0) || !float.IsFinite(r))) throw new RawConvException($"--lr: {r} must be a positive number");
        var o = new InvertOptions
        {
            Iterations = p.GetValue(iterations), Alpha = p.GetValue(alpha), LambdaAlpha = p.GetValue(lambdaAlpha), Beta = p.GetValue(beta),
            LambdaTv = p.GetValue(lambdaTv), Restarts = p.GetValue(restarts), Clip = clipMode, Seed = p.GetValue(seed),
            Optimizer = rate is null && kind == OptimizerKind.Adam ? null : new OptimizerSettings(kind, rate ?? 1f, p.GetValue(momentum)),
        }.Validate();
        return new InvertSettings(p.GetValue(layer)!, o, optName, rate, clipName, outPath);
    }

    public override InvertRun Compute(Session session, InvertSettings s)
    {
        var net = session.Net;
        net.Spec.IndexOf(s.Layer);
        var pre = session.Model.Preprocessing.For(net.Spec.InputChannels);
        var (x, names) = session.Inputs();
        try
        {
            if (x.Shape.N != 1) throw new RawConvException($"invert: the input holds {x.Shape.N} images; give one");
            InvertResult? r = null;
            Progress.RunObjective($"invert {s.Layer}", s.Options.Iterations * s.Options.Restarts, step =>
                r = Inversion.Run(net, pre, s.Layer, x, s.Options, (_, _, v) => step(1, v)));
            return new InvertRun(x, names[0], r!);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, InvertSettings s, InvertRun run)
    {
        var (r, m, o) = (run.Result, session.Model, s.Options);
        var settings = new
        {
            layer = s.Layer, iterations = o.Iterations, optimizer = s.OptimizerName, lr = s.Lr, alpha = o.Alpha, lambdaAlpha = o.LambdaAlpha,
            tvBeta = o.Beta, lambdaTv = o.LambdaTv, restarts = o.Restarts, clip = s.ClipName, seed = o.Seed,
        };
        var payload = new
        {
            model = m.Source, image = run.Name, settings, layer = s.Layer, normalizedError = r.NormalizedError, best = r.Best,
            restarts = r.Restarts.Select(q => new { seed = q.Seed, normalizedError = q.NormalizedError, history = q.History }).ToArray(),
        };
        var files = new List<OutputFile>();
        if (OutputWriter.IsNpy(s.Out)) files.Add(new NpyFile(s.Out, r.Input.Shape.Dims, r.Input.ToArray(), payload));
        else
        {
            var sh = r.Input.Shape;
            var tiles = new[] { Display.Input(run.X, 0, m.Preprocessing), Display.Input(r.Input, 0, m.Preprocessing) };
            files.Add(new PngFile(s.Out, Verbs.Strip(tiles, Verbs.UpscaleFor(sh.H, sh.W)), payload));
        }
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{run.Name}: {s.Layer} inverted, normalized error {r.NormalizedError:F4}" +
                (r.Restarts.Count > 1 ? $" (best of {r.Restarts.Count}: {string.Join(", ", r.Restarts.Select(q => q.NormalizedError.ToString("F4")))})" : ""));
            w.WriteLine($"wrote {s.Out}");
        });
    }
}
