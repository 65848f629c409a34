using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference ReLU: plain loops, generic so tests can run it in float64.</summary>
public static class ReluRef
{
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : T.Zero;
    }

    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, ReluRule rule) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            bool pass = rule switch
            {
                ReluRule.Deconvnet => dy[i] > T.Zero,
                ReluRule.Guided => x[i] > T.Zero && dy[i] > T.Zero,
                _ => x[i] > T.Zero,
            };
            dx[i] = pass ? dy[i] : T.Zero;
        }
    }
}
