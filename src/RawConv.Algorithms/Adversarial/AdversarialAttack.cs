using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Adversarial;

/// <summary>How the perturbation is searched for.</summary>
public enum AttackMethod
{
    /// <summary>Goodfellow et al.'s fast gradient sign method: one step of ε·sign(∇).</summary>
    Fgsm,
    /// <summary>Iterated FGSM projected onto the L∞ ball of radius ε (Kurakin et al.; Madry et al.'s PGD).</summary>
    Pgd,
    /// <summary>
    /// Szegedy et al.'s box-constrained L-BFGS: minimize c·‖r‖² − log p_target(x + r) with x + r in the pixel range
    /// (projected L-BFGS), searching for the largest c (the smallest perturbation) that still gives the target.
    /// </summary>
    Lbfgs,
}

/// <summary>
/// Settings of an attack. <see cref="Epsilon"/> is the L∞ radius in input units; PGD takes <see cref="Steps"/> steps of
/// <see cref="StepSize"/> (default ε/4) from a start drawn uniformly in the ball when <see cref="RandomStart"/>;
/// the result stays in the pixel range of the preprocessing unless <see cref="Clip"/> is None.
/// </summary>
public sealed record AttackOptions
{
    /// <summary>The method.</summary>
    public AttackMethod Method { get; init; } = AttackMethod.Pgd;
    /// <summary>L∞ radius of the perturbation, in input units.</summary>
    public float Epsilon { get; init; }
    /// <summary>PGD steps.</summary>
    public int Steps { get; init; } = 40;
    /// <summary>PGD step size in input units (0: ε/4).</summary>
    public float StepSize { get; init; }
    /// <summary>PGD: start from a uniform random point of the ball.</summary>
    public bool RandomStart { get; init; }
    /// <summary>Stop PGD as soon as the target class is the top class.</summary>
    public bool StopEarly { get; init; } = true;
    /// <summary>Clipping of the adversarial input.</summary>
    public PixelClip Clip { get; init; } = PixelClip.Pixels;
    /// <summary>Seed of the random start.</summary>
    public int Seed { get; init; }
    /// <summary>L-BFGS: the first c tried (per unit of ‖r‖² in input units).</summary>
    public float C { get; init; } = 1f;
    /// <summary>L-BFGS: solves of the search over c (doubling while the attack succeeds, then bisection).</summary>
    public int CSearch { get; init; } = 8;
    /// <summary>L-BFGS: iterations per solve.</summary>
    public int LbfgsIterations { get; init; } = 100;

    /// <summary>Checks ranges; errors name the option as the verb spells it.</summary>
    public AttackOptions Validate()
    {
        if (!(Epsilon > 0) || !float.IsFinite(Epsilon)) throw new RawConvException($"--epsilon: {Epsilon} must be a positive number");
        if (Steps is < 1 or > 10_000) throw new RawConvException($"--steps: {Steps} must lie in 1–10000");
        if (!(StepSize >= 0) || !float.IsFinite(StepSize)) throw new RawConvException($"--step-size: {StepSize} must be a finite number ≥ 0");
        if (!(C > 0) || !float.IsFinite(C)) throw new RawConvException($"--c: {C} must be a positive number");
        if (CSearch is < 1 or > 50) throw new RawConvException($"--c-search: {CSearch} must lie in 1–50");
        if (LbfgsIterations is < 1 or > 10_000) throw new RawConvException($"--steps: {LbfgsIterations} L-BFGS iterations must lie in 1–10000");
        return this;
    }
}

/// <summary>An adversarial input (owned) and what the network makes of it.</summary>
public sealed record AttackResult(Tensor Input, int Label, float Probability, float TargetProbability, double L2, double LInf, int Steps) : IDisposable
{
    /// <summary>The objective per step (FGSM, PGD: log p of the target or of the true label before each step) or per L-BFGS solve (its final c·‖r‖² − log p_target).</summary>
    public double[] History { get; init; } = [];

    /// <summary>Releases the input.</summary>
    public void Dispose() => Input.Dispose();
}

/// <summary>
/// Adversarial examples (Szegedy et al. 2014; Goodfellow et al. 2015; Madry et al. 2018): a small perturbation r of an
/// input x that makes the network answer class <c>target</c> (targeted: ascend log p_target) or anything but its
/// current answer (untargeted, target −1: descend log p_label).
/// </summary>
public static class AdversarialAttack
{
    /// <summary>Attacks one image <paramref name="x"/> (1, C, H, W) on <paramref name="net"/>; <paramref name="pre"/> (for C channels) gives the pixel range.</summary>
    public static AttackResult Run(Net net, Preprocessing pre, Tensor x, int target, AttackOptions options, Action<int, double>? progress = null)
    {
        var o = options.Validate();
        if (x.Shape.N != 1) throw new RawConvException($"adversarial: the input {x.Shape} must hold one image");
        int label = Predict(net, x).Label;
        bool targeted = target >= 0;
        var goal = new InputObjective([new ClassProbability(targeted ? target : label, Log: true)], [], maximize: targeted);
        var x0 = x.ToArray();
        var adv = x.Clone();
        var history = new List<double>();
        void Heard(int step, double value)
        {
            history.Add(value);
            progress?.Invoke(step, value);
        }
        try
        {
            int steps = 0;
            if (o.Method == AttackMethod.Lbfgs)
            {
                if (!targeted) throw new RawConvException("--method lbfgs: give --target (Szegedy et al.'s search is targeted)");
                adv.Dispose();
                adv = Szegedy(net, pre, x, x0, target, o, Heard, out steps);
            }
            else if (o.Method == AttackMethod.Fgsm)
            {
                Heard(0, SignStep(net, goal, adv, o.Epsilon, targeted));
                steps = 1;
                Project(adv, x0, o.Epsilon, o.Clip, pre);
            }
            else
            {
                float alpha = o.StepSize > 0 ? o.StepSize : o.Epsilon / 4;
                if (o.RandomStart)
                {
                    var rng = new Random(o.Seed);
                    adv.CopyFrom(x0.Select(v => v + (float)(o.Epsilon * (2 * rng.NextDouble() - 1))).ToArray());
                    Project(adv, x0, o.Epsilon, o.Clip, pre);
                }
                for (steps = 0; steps < o.Steps; steps++)
                {
                    if (o.StopEarly && Done(net, adv, targeted, target, label)) break;
                    double loss = SignStep(net, goal, adv, alpha, targeted);
                    Project(adv, x0, o.Epsilon, o.Clip, pre);
                    Heard(steps, loss);
                }
            }
            var (l, p, probs) = Predict(net, adv);
            var r = adv.ToArray();
            double l2 = 0, linf = 0;
            for (int i = 0; i < r.Length; i++)
            {
                double d = r[i] - x0[i];
                l2 += d * d;
                linf = Math.Max(linf, Math.Abs(d));
            }
            return new AttackResult(adv, l, p, targeted ? probs[target] : probs[label], Math.Sqrt(l2), linf, steps) { History = [.. history] };
        }
        catch
        {
            adv.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Szegedy et al.'s search: for each c, projected L-BFGS on c·‖r‖² − log p_target(x + r) over the pixel box from x;
    /// c doubles while the result is classified as the target and is then bisected between the last success and the
    /// first failure. Returns the successful result with the largest c (the smallest ‖r‖), or the last one if none succeeded.
    /// </summary>
    private static Tensor Szegedy(Net net, Preprocessing pre, Tensor x, float[] x0, int target, AttackOptions o, Action<int, double>? progress, out int solves)
    {
        var s = x.Shape;
        int plane = s.H * s.W;
        var lo = new double[x0.Length];
        var hi = new double[x0.Length];
        for (int i = 0; i < x0.Length; i++)
        {
            var (l, h) = InputSteps.PixelRange(pre, i / plane % s.C);
            (lo[i], hi[i]) = o.Clip == PixelClip.Pixels ? (l, h) : (double.NegativeInfinity, double.PositiveInfinity);
        }
        var box = new LbfgsBox(lo, hi);
        Tensor? best = null, last = null;
        double c = o.C, good = 0, bad = double.PositiveInfinity;
        solves = 0;
        try
        {
            for (int k = 0; k < o.CSearch; k++)
            {
                var cand = x.Clone();
                var goal = new InputObjective([new ClassProbability(target, Log: true) { Weight = -1 }], [new DistancePenalty((float)c, x)], maximize: false);
                double loss = double.NaN;
                using (var opt = new Lbfgs([ParameterGroup.For(cand)], new LbfgsOptions(1, MaxIter: o.LbfgsIterations, HistorySize: 10, Bounds: box)))
                    opt.Step(() =>
                    {
                        var (v, g) = goal.Evaluate(net, cand);
                        loss = v.Total;
                        return new Evaluation((float)v.Total, [g]);
                    });
                solves++;
                progress?.Invoke(k, loss);
                bool ok = Predict(net, cand).Label == target;
                last?.Dispose();
                last = null;
                if (ok)
                {
                    best?.Dispose();
                    best = cand;
                    good = c;
                    c = double.IsPositiveInfinity(bad) ? c * 2 : (good + bad) / 2;
                }
                else
                {
                    last = cand;
                    bad = Math.Min(bad, c);
                    c = good > 0 ? (good + bad) / 2 : c / 4;
                }
            }
            var result = best ?? last ?? x.Clone();
            if (!ReferenceEquals(result, last)) last?.Dispose();
            if (!ReferenceEquals(result, best)) best?.Dispose();
            return result;
        }
        catch
        {
            best?.Dispose();
            last?.Dispose();
            throw;
        }
    }

    /// <summary>The top class, its probability and all probabilities of one input, from the logits in double.</summary>
    public static (int Label, float Probability, float[] Probabilities) Predict(Net net, Tensor x)
    {
        string logits = net.Spec.Roles.Logits;
        using var pass = net.Forward(x, logits);
        var p = ClassProbability.Softmax(pass[logits].ToArray()).Select(v => (float)v).ToArray();
        int best = NetQueries.ArgMax(p);
        return (best, p[best], p);
    }

    private static bool Done(Net net, Tensor x, bool targeted, int target, int label)
    {
        int now = Predict(net, x).Label;
        return targeted ? now == target : now != label;
    }

    /// <summary>x ← x + step·sign(∂goal/∂x) when ascending (targeted), x − step·sign(…) when descending.</summary>
    private static double SignStep(Net net, InputObjective goal, Tensor x, float step, bool ascend)
    {
        var (value, g) = goal.Evaluate(net, x);
        float[] gv;
        using (g) gv = g.ToArray();
        var v = x.ToArray();
        float s = ascend ? step : -step;
        for (int i = 0; i < v.Length; i++) v[i] += s * MathF.Sign(gv[i]);
        x.CopyFrom(v);
        return value.Total;
    }

    /// <summary>Projects onto the L∞ ball of radius ε around x0, then into the pixel range.</summary>
    private static void Project(Tensor x, float[] x0, float eps, PixelClip clip, Preprocessing pre)
    {
        var v = x.ToArray();
        for (int i = 0; i < v.Length; i++) v[i] = Math.Clamp(v[i], x0[i] - eps, x0[i] + eps);
        x.CopyFrom(v);
        if (clip == PixelClip.Pixels) InputSteps.ClipToPixels(x, pre);
    }
}
