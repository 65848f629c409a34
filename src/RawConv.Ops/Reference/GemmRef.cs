using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference GEMM and fully connected layer: plain loops, generic so tests can run them in float64.</summary>
public static class GemmRef
{
    /// <summary>
    /// y (m×n) = alpha·op(a)·op(b) + beta·cin[i·sm + j·sn] (cin ignored when beta is 0); a is m×k
    /// (k×m when transA), b is k×n (n×k when transB), all row-major.
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> cin, int sm, int sn, Span<T> y,
        int m, int n, int k, bool transA, bool transB, T alpha, T beta) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T acc = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[p * m + i] : a[i * k + p];
                    T bv = transB ? b[j * k + p] : b[p * n + j];
                    acc += av * bv;
                }
                T v = alpha * acc;
                if (beta != T.Zero) v += beta * cin[i * sm + j * sn];
                y[i * n + j] = v;
            }
    }

    /// <summary>Fully connected: y (batch×out) = x (batch×in) · wᵀ + bias, w (out×in); bias may be empty.</summary>
    public static void LinearForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, int batch, int inF, int outF)
        where T : IFloatingPointIeee754<T>
    {
        Forward(x, w, bias, 0, 1, y, batch, outF, inF, false, true, T.One, bias.IsEmpty ? T.Zero : T.One);
    }

    /// <summary>dx (batch×in) = dy (batch×out) · w (out×in).</summary>
    public static void LinearBackwardData<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, int batch, int inF, int outF)
        where T : IFloatingPointIeee754<T> =>
        Forward(dy, w, ReadOnlySpan<T>.Empty, 0, 0, dx, batch, inF, outF, false, false, T.One, T.Zero);

    /// <summary>dw (out×in) = dyᵀ · x.</summary>
    public static void LinearBackwardWeight<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, int batch, int inF, int outF)
        where T : IFloatingPointIeee754<T> =>
        Forward(dy, x, ReadOnlySpan<T>.Empty, 0, 0, dw, outF, inF, batch, true, false, T.One, T.Zero);

    /// <summary>db (out) = Σ over the batch of dy.</summary>
    public static void LinearBackwardBias<T>(ReadOnlySpan<T> dy, Span<T> db, int batch, int outF) where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outF; o++)
        {
            T acc = T.Zero;
            for (int i = 0; i < batch; i++) acc += dy[i * outF + o];
            db[o] = acc;
        }
    }
}
