using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference hyperbolic tangent: plain loops, generic so tests can run it in float64.</summary>
public static class TanhRef
{
    /// <summary>y = tanh(x).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    /// <summary>dx = dy · (1 − y²) from the forward output <paramref name="y"/>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (T.One - y[i] * y[i]);
    }
}
