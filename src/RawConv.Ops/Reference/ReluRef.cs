using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference (leaky) ReLU: plain loops, generic so tests can run it in float64.</summary>
public static class ReluRef
{
    /// <summary>y = x &gt; 0 ? x : slope·x (+0, never −0, for slope 0).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, T slope = default!) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : T.Zero + slope * x[i];
    }

    /// <summary>dx under <paramref name="rule"/> for a unit of leak <paramref name="slope"/> (kernels/relu.cl's header gives the rules).</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, ReluRule rule, T slope = default!) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T g = dy[i];
            T through = x[i] > T.Zero ? g : T.Zero + slope * g;
            dx[i] = rule switch
            {
                ReluRule.Deconvnet => g > T.Zero ? g : T.Zero,
                ReluRule.Guided => g > T.Zero ? through : T.Zero,
                _ => through,
            };
        }
    }
}
