using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference LRN across channels: plain loops over (N, C, H·W), generic so tests can run it in float64.</summary>
public static class LrnRef
{
    /// <summary>First and last channel offsets of the window around c: c − floor((size−1)/2) … c + ceil((size−1)/2) (ONNX).</summary>
    public static (int Lo, int Hi) Window(int size) => ((size - 1) / 2, size / 2);

    /// <summary>scale[c] = k + (alpha/size)·Σ_window x², for every element.</summary>
    public static void Scale<T>(ReadOnlySpan<T> x, Span<T> scale, Shape s, LrnParams p) where T : IFloatingPointIeee754<T>
    {
        int C = s[1], hw = (int)(s.Count / Math.Max(1, (long)s[0] * C));
        var (lo, hi) = Window(p.Size);
        T a = T.CreateChecked(p.Alpha) / T.CreateChecked(p.Size), k = T.CreateChecked(p.K);
        for (int nb = 0; nb < s[0]; nb++)
            for (int c = 0; c < C; c++)
                for (int i = 0; i < hw; i++)
                {
                    T acc = T.Zero;
                    for (int q = Math.Max(c - lo, 0); q <= Math.Min(c + hi, C - 1); q++)
                    {
                        T v = x[(nb * C + q) * hw + i];
                        acc += v * v;
                    }
                    scale[(nb * C + c) * hw + i] = k + a * acc;
                }
    }

    /// <summary>y = x · scale^(−beta).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, Shape s, LrnParams p) where T : IFloatingPointIeee754<T>
    {
        var scale = new T[x.Length];
        Scale(x, scale, s, p);
        T nb = -T.CreateChecked(p.Beta);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * T.Pow(scale[i], nb);
    }

    /// <summary>
    /// dx = dy·scale^(−beta) − (2·alpha·beta/size)·x·Σ_{c'' whose window holds c} dy·y/scale; the sum runs
    /// over c − ceil((size−1)/2) … c + floor((size−1)/2), the transpose of the forward window.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, Shape s, LrnParams p)
        where T : IFloatingPointIeee754<T>
    {
        var scale = new T[x.Length];
        Scale(x, scale, s, p);
        var r = new T[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = dy[i] * y[i] / scale[i];
        int C = s[1], hw = (int)(s.Count / Math.Max(1, (long)s[0] * C));
        var (lo, hi) = Window(p.Size);
        T nb = -T.CreateChecked(p.Beta);
        T coef = T.CreateChecked(2) * T.CreateChecked(p.Alpha) * T.CreateChecked(p.Beta) / T.CreateChecked(p.Size);
        for (int b = 0; b < s[0]; b++)
            for (int c = 0; c < C; c++)
                for (int i = 0; i < hw; i++)
                {
                    T acc = T.Zero;
                    for (int q = Math.Max(c - hi, 0); q <= Math.Min(c + lo, C - 1); q++) acc += r[(b * C + q) * hw + i];
                    int e = (b * C + c) * hw + i;
                    dx[e] = dy[e] * T.Pow(scale[e], nb) - coef * x[e] * acc;
                }
    }
}
