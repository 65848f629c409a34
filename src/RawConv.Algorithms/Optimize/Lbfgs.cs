using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// L-BFGS over parameter groups: each <see cref="Step(Func{Evaluation})"/> downloads the groups' values
/// as one flat double vector (group order), runs <see cref="Run"/> — every evaluation writes the trial
/// point into the groups (rounded to float32), calls the closure and downloads its gradients — and
/// writes the final point back. The history lives in <see cref="History"/> between steps. A group's
/// weight decay λ adds λ/2·‖w‖² to the minimized objective (after the sign flip of
/// <see cref="LbfgsOptions.Maximize"/>); one step length serves all groups, so every multiplier must be 1.
/// <see cref="LbfgsOptions.Bounds"/> are given per value in group order; a bound float32 cannot represent
/// may be passed by one rounding when the point is written to the groups.
/// </summary>
public sealed partial class Lbfgs : Optimizer
{
    private readonly int[] offsets;

    /// <summary>An optimizer over <paramref name="groups"/> with an empty history.</summary>
    public Lbfgs(IEnumerable<ParameterGroup> groups, LbfgsOptions options)
        : base(groups, new LrSchedule((float)options.LearningRate), options.Maximize)
    {
        options.Validate();
        Options = options;
        offsets = new int[Groups.Count + 1];
        for (int i = 0; i < Groups.Count; i++)
        {
            var g = Groups[i];
            if (g.LrMultiplier != 1f)
                throw new RawConvException($"lbfgs: group '{g.Name}' has learning-rate multiplier {g.LrMultiplier}; L-BFGS takes one step " +
                    "length for all groups — give every group multiplier 1");
            long next = offsets[i] + g.Value.Count;
            if (next > Array.MaxLength)
                throw new RawConvException($"lbfgs: the groups hold {next} values, more than one host vector can — optimize fewer or smaller tensors");
            offsets[i + 1] = (int)next;
        }
    }

    /// <summary>The settings.</summary>
    public LbfgsOptions Options { get; }

    /// <summary>The curvature history carried between steps.</summary>
    public LbfgsState History { get; } = new();

    /// <summary>What the last step did (null before the first); its values are of the objective minimized (sign flipped when maximizing, decay added).</summary>
    public LbfgsResult? LastResult { get; private set; }

    /// <inheritdoc/>
    protected override string Kind => "lbfgs";

    /// <summary>
    /// One L-BFGS step of up to <see cref="LbfgsOptions.MaxIter"/> iterations, calling
    /// <paramref name="closure"/> at every point it evaluates; returns the loss the closure reported at the
    /// starting point.
    /// </summary>
    public override float Step(Func<Evaluation> closure)
    {
        var x = Download();
        float? first = null;
        double sign = Maximize ? -1 : 1;
        (double, double[]) F(double[] at)
        {
            Upload(at);
            using var e = closure();
            if (e.Gradients.Count != Groups.Count)
                throw new RawConvException($"lbfgs: the closure returned {e.Gradients.Count} gradients for {Groups.Count} groups — return one per group, in group order");
            first ??= e.Loss;
            var g = new double[x.Length];
            double value = sign * e.Loss;
            for (int i = 0; i < Groups.Count; i++)
            {
                var p = Groups[i];
                if (e.Gradients[i].Shape != p.Value.Shape)
                    throw new RawConvException($"lbfgs: gradient {e.Gradients[i].Shape} of group '{p.Name}' does not match its value {p.Value.Shape}");
                var gi = e.Gradients[i].ToArray();
                double lambda = p.WeightDecay, decay = 0;
                for (int j = 0; j < gi.Length; j++)
                {
                    double w = (float)at[offsets[i] + j];
                    g[offsets[i] + j] = sign * gi[j] + lambda * w;
                    decay += w * w;
                }
                value += 0.5 * lambda * decay;
            }
            return (value, g);
        }
        LastResult = Run(History, F, x, Options with { Maximize = false });
        Upload(x);
        Iteration++;
        return first!.Value;
    }

    /// <summary>Not available: L-BFGS searches along its direction and needs a closure.</summary>
    protected override void Update(int group, Tensor gradient, float lr) =>
        throw new RawConvException("lbfgs: a step needs a closure that re-evaluates the loss and gradients for its line search — " +
            "call Step(Func<Evaluation>) instead of Step(gradients)");

    private double[] Download()
    {
        var x = new double[offsets[^1]];
        for (int i = 0; i < Groups.Count; i++)
        {
            var v = Groups[i].Value.ToArray();
            for (int j = 0; j < v.Length; j++) x[offsets[i] + j] = v[j];
        }
        return x;
    }

    private void Upload(double[] x)
    {
        for (int i = 0; i < Groups.Count; i++)
        {
            var t = Groups[i].Value;
            var v = new float[t.Count];
            for (int j = 0; j < v.Length; j++) v[j] = (float)x[offsets[i] + j];
            t.Backend.Upload(t.Buffer, (ReadOnlySpan<float>)v);
        }
    }
}
