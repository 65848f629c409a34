using System.CommandLine;
using RawConv.Algorithms.Adversarial;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

/// <summary>`adversarial`'s settings as typed (for the sidecar) and the attack's options (ε resolved in Compute when not given).</summary>
internal sealed record AdversarialSettings(int? Target, string MethodName, AttackOptions Options, bool EpsilonGiven, string ClipName, string Out);

/// <summary>The original input, what the network made of it, and the attack's result.</summary>
internal sealed record AdversarialRun(Tensor X, string Name, int Label, float Probability, float Epsilon, AttackResult Result) : IDisposable
{
    public void Dispose()
    {
        Result.Dispose();
        X.Dispose();
    }
}

/// <summary>`rawconv adversarial`: a small perturbation that changes the network's answer (FGSM, PGD).</summary>
internal sealed class AdversarialVerb : Verb<AdversarialSettings, AdversarialRun>
{
    private readonly Option<int?> target = new("--target") { Description = "the class the perturbed input should be given (default: any class but the current one)" };
    private readonly Option<string> method = new("--method") { Description = "pgd | fgsm | lbfgs (Szegedy et al.'s box-constrained L-BFGS with a search over c; needs --target)", DefaultValueFactory = _ => "pgd" };
    private readonly Option<float?> epsilon = new("--epsilon") { Description = "L∞ radius of the perturbation in input units (default: 24 grey levels)" };
    private readonly Option<int?> steps = new("--steps") { Description = "pgd: steps (default 40); lbfgs: iterations per solve (default 100)" };
    private readonly Option<float> c = new("--c") { Description = "lbfgs: the first weight c of ‖r‖² tried", DefaultValueFactory = _ => 1f };
    private readonly Option<int> cSearch = new("--c-search") { Description = "lbfgs: solves of the search over c", DefaultValueFactory = _ => 8 };
    private readonly Option<float> stepSize = new("--step-size") { Description = "pgd: step in input units (0: ε/4)", DefaultValueFactory = _ => 0f };
    private readonly Option<bool> randomStart = new("--random-start") { Description = "pgd: start from a random point of the ε-ball" };
    private readonly Option<bool> allSteps = new("--all-steps") { Description = "pgd: take every step instead of stopping once the attack succeeds" };
    private readonly Option<string> clip = new("--clip") { Description = "pixels | none", DefaultValueFactory = _ => "pixels" };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the random start", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: original | perturbation (magnified) | adversarial, with a JSON sidecar; x.npy: the adversarial NCHW float32 input",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("adversarial", "An adversarial example: the smallest-looking change that makes the network answer another class (Szegedy et al.; FGSM; PGD).");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, target, method, epsilon, steps, stepSize, randomStart, allSteps, c, cSearch, clip, seed, output, Common.Json);
        return cmd;
    }

    public override AdversarialSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        string m = p.GetValue(method)!.ToLowerInvariant();
        var kind = m switch
        {
            "fgsm" => AttackMethod.Fgsm,
            "pgd" => AttackMethod.Pgd,
            "lbfgs" or "l-bfgs" => AttackMethod.Lbfgs,
            _ => throw new RawConvException($"--method: unknown method '{m}'; use pgd, fgsm or lbfgs"),
        };
        string clipName = p.GetValue(clip)!.ToLowerInvariant();
        var clipMode = InputOptimizing.Clip(clipName);
        if (p.GetValue(target) is < 0) throw new RawConvException($"--target: {p.GetValue(target)} must be a class index ≥ 0");
        float? eps = p.GetValue(epsilon);
        var o = new AttackOptions
        {
            Method = kind, Epsilon = eps ?? 1f, Steps = p.GetValue(steps) ?? 40, StepSize = p.GetValue(stepSize), RandomStart = p.GetValue(randomStart),
            StopEarly = !p.GetValue(allSteps), Clip = clipMode, Seed = p.GetValue(seed),
            C = p.GetValue(c), CSearch = p.GetValue(cSearch), LbfgsIterations = p.GetValue(steps) ?? 100,
        }.Validate();
        if (kind == AttackMethod.Lbfgs && p.GetValue(target) is null) throw new RawConvException("--method lbfgs: give --target K (Szegedy et al.'s search is targeted)");
        return new AdversarialSettings(p.GetValue(target), m, o, eps is not null, clipName, outPath);
    }

    public override AdversarialRun Compute(Session session, AdversarialSettings s)
    {
        var net = session.Net;
        var pre = session.Model.Preprocessing.For(net.Spec.InputChannels);
        var o = s.Options;
        // 24 grey levels in input units unless --epsilon was given.
        if (!s.EpsilonGiven) o = o with { Epsilon = 24 * pre.Scale / (pre.Std.Length > 0 ? pre.Std[0] : 1f) };
        var (x, names) = session.Inputs();
        try
        {
            if (x.Shape.N != 1) throw new RawConvException($"adversarial: the input holds {x.Shape.N} images; give one");
            var (label, p, probs) = AdversarialAttack.Predict(net, x);
            if (s.Target is { } t && t >= probs.Length) throw new RawConvException($"--target: {t} is not a class (the model has {probs.Length})");
            AttackResult? r = null;
            Progress.RunObjective($"adversarial {s.MethodName}", o.Method switch { AttackMethod.Pgd => o.Steps, AttackMethod.Lbfgs => o.CSearch, _ => 1 },
                step => r = AdversarialAttack.Run(net, pre, x, s.Target ?? -1, o, (_, v) => step(1, v)));
            return new AdversarialRun(x, names[0], label, p, o.Epsilon, r!);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, AdversarialSettings s, AdversarialRun run)
    {
        var (r, m, o) = (run.Result, session.Model, s.Options);
        bool success = s.Target is { } t ? r.Label == t : r.Label != run.Label;
        var settings = new
        {
            method = s.MethodName, target = s.Target, epsilon = run.Epsilon, steps = o.Method == AttackMethod.Pgd ? o.Steps : (int?)null,
            stepSize = o.Method == AttackMethod.Pgd ? (o.StepSize > 0 ? o.StepSize : run.Epsilon / 4) : (float?)null,
            randomStart = o.RandomStart, stopEarly = o.StopEarly, clip = s.ClipName, seed = o.Seed,
            c = o.Method == AttackMethod.Lbfgs ? o.C : (float?)null, cSearch = o.Method == AttackMethod.Lbfgs ? o.CSearch : (int?)null,
        };
        var payload = new
        {
            model = m.Source, image = run.Name, settings, success, label = r.Label, labelName = session.Label(r.Label), probability = r.Probability,
            targetProbability = r.TargetProbability, l2 = r.L2, linf = r.LInf, stepsTaken = r.Steps, history = r.History,
            originalLabel = run.Label, originalLabelName = session.Label(run.Label), originalProbability = run.Probability,
        };
        var files = new List<OutputFile>();
        if (OutputWriter.IsNpy(s.Out)) files.Add(new NpyFile(s.Out, r.Input.Shape.Dims, r.Input.ToArray(), payload));
        else
        {
            var sh = r.Input.Shape;
            var a = r.Input.ToArray();
            var x0 = run.X.ToArray();
            var diff = a.Select((v, i) => v - x0[i]).ToArray();
            var tiles = new[] { Display.Input(run.X, 0, m.Preprocessing), Display.Signed(diff, sh.C, sh.H, sh.W, m.Preprocessing), Display.Input(r.Input, 0, m.Preprocessing) };
            files.Add(new PngFile(s.Out, Verbs.Strip(tiles, Verbs.UpscaleFor(sh.H, sh.W)), payload));
        }
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{run.Name}: {session.Label(run.Label)} (P = {run.Probability:F4}) → {session.Label(r.Label)} (P = {r.Probability:F4})" +
                $" with ‖r‖₂ = {r.L2:G4}, ‖r‖∞ = {r.LInf:G4} ({(success ? "success" : "failed")}, {r.Steps} steps)");
            w.WriteLine($"wrote {s.Out}");
        });
    }
}
