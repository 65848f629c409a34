using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Settings of one Adam update (Kingma &amp; Ba, PyTorch's torch.optim.Adam without amsgrad):
/// <paramref name="LearningRate"/> already scaled by the group's multiplier, <paramref name="Step"/> the
/// 1-based step count the bias corrections use, <paramref name="WeightDecay"/> the L2 coefficient added
/// to the gradient as λ·p, <paramref name="Maximize"/> flipping the gradient's sign (decay still shrinks).
/// β1 and β2 are doubles, as PyTorch's are: 1 − β is worked out before rounding to float32.
/// </summary>
public sealed record AdamStepParams(float LearningRate, int Step, double Beta1 = 0.9, double Beta2 = 0.999, float Eps = 1e-8f,
    float WeightDecay = 0f, bool Maximize = false)
{
    /// <summary>1 − β1, rounded once from double (as PyTorch rounds its Python-float scalars).</summary>
    public float C1 => (float)(1.0 - Beta1);
    /// <summary>1 − β2, rounded once from double.</summary>
    public float C2 => (float)(1.0 - Beta2);
    /// <summary>The step size lr / (1 − β1^t), worked out in double.</summary>
    public float StepSize => (float)(LearningRate / (1.0 - Math.Pow(Beta1, Step)));
    /// <summary>√(1 − β2^t), worked out in double.</summary>
    public float Bc2Sqrt => (float)Math.Sqrt(1.0 - Math.Pow(Beta2, Step));
}

/// <summary>Fused optimizer updates: one kernel per tensor, in place on the parameter and its state, on its device.</summary>
public static class OptimizerSteps
{
    /// <summary>
    /// One Adam update of <paramref name="p"/> from gradient <paramref name="g"/>, updating the first and
    /// second moments <paramref name="m"/> and <paramref name="v"/> in place (zeros before the first step).
    /// </summary>
    public static void Adam(Tensor p, Tensor g, Tensor m, Tensor v, AdamStepParams a)
    {
        const string op = "optimizer.adam";
        var b = Guard.SameBackend(op, p, g, m, v);
        foreach (var (name, t) in new[] { ("p", p), ("g", g), ("m", m), ("v", v) })
        {
            Guard.Float(op, name, t);
            Guard.SameShape(op, "p", p, name, t);
        }
        Guard.That(a.Step >= 1, op, $"step {a.Step} must be 1 or more (p {p.Shape} on {b.Name})");
        Guard.That(a.Beta1 is >= 0 and < 1 && a.Beta2 is >= 0 and < 1, op,
            $"β1 = {a.Beta1} and β2 = {a.Beta2} must lie in [0, 1) (p {p.Shape} on {b.Name})");
        Guard.That(a.Eps > 0, op, $"eps = {a.Eps} must be positive (p {p.Shape} on {b.Name})");
        int n = Kernels.Int(op, p.Count);
        float sign = a.Maximize ? -1f : 1f;
        if (b.AsKernel() is { } k)
            k.Run("optimizersteps", "adam_step", LaunchGeometry.Linear(n), p, g, m, v, a.StepSize, (float)a.Beta1, a.C1, (float)a.Beta2, a.C2, a.Eps, a.Bc2Sqrt,
                a.WeightDecay, sign, n);
        else
            OptimizerStepsRef.AdamStep<float>(F(p), F(g), F(m), F(v), a.StepSize, (float)a.Beta1, a.C1, (float)a.Beta2, a.C2, a.Eps, a.Bc2Sqrt, a.WeightDecay, sign);
    }

    private static Span<float> F(Tensor t) => ReferenceBackend.Floats(t.Buffer);
}
