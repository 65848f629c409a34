using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>A differentiable penalty R(x) on the input, with its gradient; <see cref="Weight"/> is its λ in the objective.</summary>
public abstract record Penalty(float Weight)
{
    /// <summary>R(x) and ∂R/∂x (unweighted).</summary>
    public abstract (double Value, Tensor Gradient) Evaluate(Tensor x);

    /// <summary>A short description for sidecars.</summary>
    public abstract string Describe();
}

/// <summary>
/// The α-norm penalty Σ|x|^α (Mahendran–Vedaldi's ‖x‖_α^α; α = 2 is Simonyan et al.'s L2 regularizer):
/// gradient α·sign(x)·|x|^(α−1). α must be at least 1.
/// </summary>
public sealed record AlphaNorm(float Weight, float Alpha = 2f) : Penalty(Weight)
{
    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor x)
    {
        if (!(Alpha >= 1) || !float.IsFinite(Alpha)) throw new RawConvException($"α-norm: α = {Alpha} must be a finite number ≥ 1");
        if (Alpha == 2f)
        {
            double n = Reduce.L2Norm(x);
            return (n * n, Elementwise.Scale(x, 2f));
        }
        var v = x.ToArray();
        var g = new float[v.Length];
        double value = 0;
        for (int i = 0; i < v.Length; i++)
        {
            double a = Math.Abs((double)v[i]);
            value += Math.Pow(a, Alpha);
            g[i] = (float)(Math.Sign(v[i]) * Alpha * Math.Pow(a, Alpha - 1));
        }
        return (value, Tensor.FromArray(x.Backend, x.Shape, g));
    }

    /// <inheritdoc/>
    public override string Describe() => Alpha == 2f ? $"{Weight:G4}·‖x‖²" : $"{Weight:G4}·‖x‖_{Alpha:G3}^{Alpha:G3}";
}

/// <summary>
/// Total variation TV_β(x) (Mahendran–Vedaldi; see <see cref="TotalVariation"/>), on the device. With β = 2 it is exactly
/// Gatys et al.'s (neural-style's) TV loss Σ over channels and pixels of (x[i, j+1] − x[i, j])² + (x[i+1, j] − x[i, j])²,
/// differences past the last column and row taken as 0.
/// </summary>
public sealed record TotalVariationPenalty(float Weight, float Beta = 2f) : Penalty(Weight)
{
    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor x) => (TotalVariation.Forward(x, Beta), TotalVariation.Backward(x, Beta));

    /// <inheritdoc/>
    public override string Describe() => $"{Weight:G4}·TV_{Beta:G3}";
}

/// <summary>The squared distance ‖x − origin‖² to a fixed input (Szegedy et al.'s ‖r‖² term): gradient 2(x − origin). The caller owns <paramref name="Origin"/>.</summary>
public sealed record DistancePenalty(float Weight, Tensor Origin) : Penalty(Weight)
{
    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor x)
    {
        if (x.Shape != Origin.Shape) throw new RawConvException($"distance: input {x.Shape} does not match the origin {Origin.Shape}");
        var d = x.Clone();
        Elementwise.Axpy(-1f, Origin, d);
        double n = Reduce.L2Norm(d);
        Elementwise.ScaleInPlace(d, 2f);
        return (n * n, d);
    }

    /// <inheritdoc/>
    public override string Describe() => $"{Weight:G4}·‖x − x₀‖²";
}
