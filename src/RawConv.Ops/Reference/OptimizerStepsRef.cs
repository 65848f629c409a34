using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference per-element optimizer updates, in the operation order of kernels/optimizersteps.cl.</summary>
public static class OptimizerStepsRef
{
    /// <summary>
    /// One Adam update in place: g ← sign·g + decay·p; m ← β1·m + c1·g; v ← β2·v + c2·g²;
    /// p ← p − step·m / (√v / bc2sqrt + eps).
    /// </summary>
    public static void AdamStep<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v,
        T step, T beta1, T c1, T beta2, T c2, T eps, T bc2sqrt, T decay, T sign) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            T w = p[i];
            T gi = sign * g[i] + decay * w;
            T mi = beta1 * m[i] + c1 * gi;
            T vi = beta2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = w - step * mi / (T.Sqrt(vi) / bc2sqrt + eps);
        }
    }
}
