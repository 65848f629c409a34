using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>
/// Reference total variation on (P, H, W) planes (Mahendran–Vedaldi): Σ (a² + b²)^(β/2) with
/// a = x[h,w+1] − x[h,w], b = x[h+1,w] − x[h,w], both 0 past the last column / row (replicate padding).
/// </summary>
public static class TotalVariationRef
{
    private static (T A, T B) Diffs<T>(ReadOnlySpan<T> x, int p, int h, int w, int hh, int ww) where T : IFloatingPointIeee754<T>
    {
        int o = (p * hh + h) * ww + w;
        T a = w + 1 < ww ? x[o + 1] - x[o] : T.Zero;
        T b = h + 1 < hh ? x[o + ww] - x[o] : T.Zero;
        return (a, b);
    }

    /// <summary>TV_β of all planes, accumulated in double.</summary>
    public static double Forward<T>(ReadOnlySpan<T> x, int planes, int h, int w, T beta) where T : IFloatingPointIeee754<T>
    {
        double sum = 0;
        T half = beta / T.CreateChecked(2);
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var (a, b) = Diffs(x, p, i, j, h, w);
                    T s = a * a + b * b;
                    sum += s > T.Zero ? double.CreateChecked(T.Pow(s, half)) : 0;
                }
        return sum;
    }

    /// <summary>dx = ∂TV_β/∂x (terms with a² + b² = 0 contribute 0).</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, Span<T> dx, int planes, int h, int w, T beta) where T : IFloatingPointIeee754<T>
    {
        dx.Clear();
        T two = T.CreateChecked(2), half = beta / two;
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var (a, b) = Diffs(x, p, i, j, h, w);
                    T s = a * a + b * b;
                    if (s == T.Zero) continue;
                    T g = half * T.Pow(s, half - T.One);
                    int o = (p * h + i) * w + j;
                    dx[o] -= two * g * (a + b);
                    if (j + 1 < w) dx[o + 1] += two * g * a;
                    if (i + 1 < h) dx[o + w] += two * g * b;
                }
    }
}
