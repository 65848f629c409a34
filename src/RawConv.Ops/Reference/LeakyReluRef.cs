using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference leaky ReLU backward: plain loops, generic so tests can run it in float64 (forward: <see cref="ReluRef.Forward{T}"/>).</summary>
public static class LeakyReluRef
{
    /// <summary>dx under <paramref name="rule"/> for a unit of leak <paramref name="slope"/> (kernels/leakyrelu.cl's header gives the rules).</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, ReluRule rule, T slope) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T g = dy[i];
            T through = x[i] > T.Zero ? g : T.Zero + slope * g;
            dx[i] = rule switch
            {
                ReluRule.Deconvnet => g > T.Zero ? g : T.Zero + slope * g,
                ReluRule.Guided => g > T.Zero ? through : T.Zero,
                _ => through,
            };
        }
    }
}
