using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference elementwise helpers.</summary>
public static class ElementwiseRef
{
    /// <summary>y += a·x.</summary>
    public static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    /// <summary>z = a + b.</summary>
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> z) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < a.Length; i++) z[i] = a[i] + b[i];
    }

    /// <summary>z = a·b.</summary>
    public static void Mul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> z) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < a.Length; i++) z[i] = a[i] * b[i];
    }

    /// <summary>y = s·x (y may be x).</summary>
    public static void Scale<T>(ReadOnlySpan<T> x, T s, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = s * x[i];
    }

    /// <summary>y = min(max(x, lo), hi).</summary>
    public static void Clamp<T>(ReadOnlySpan<T> x, T lo, T hi, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Min(T.Max(x[i], lo), hi);
    }

    /// <summary>dx = dy·[lo ≤ x ≤ hi].</summary>
    public static void ClampBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T lo, T hi, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] >= lo && x[i] <= hi ? dy[i] : T.Zero;
    }
}
