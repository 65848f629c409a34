using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference softmax and log-softmax over the middle axis of an (outer, dim, inner) view.</summary>
public static class SoftmaxRef
{
    /// <summary>y = softmax(x) (or log-softmax when <paramref name="log"/>) along dim, max-subtracted.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int dim, int inner, bool log)
        where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                T m = T.NegativeInfinity;
                for (int j = 0; j < dim; j++) m = T.Max(m, x[b + j * inner]);
                T s = T.Zero;
                for (int j = 0; j < dim; j++) s += T.Exp(x[b + j * inner] - m);
                for (int j = 0; j < dim; j++)
                {
                    T v = x[b + j * inner] - m;
                    y[b + j * inner] = log ? v - T.Log(s) : T.Exp(v) / s;
                }
            }
    }

    /// <summary>Softmax: dx = y·(dy − Σ dy·y); log-softmax (y = its output): dx = dy − exp(y)·Σ dy.</summary>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int outer, int dim, int inner, bool log)
        where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                T s = T.Zero;
                for (int j = 0; j < dim; j++) s += log ? dy[b + j * inner] : dy[b + j * inner] * y[b + j * inner];
                for (int j = 0; j < dim; j++)
                {
                    int k = b + j * inner;
                    dx[k] = log ? dy[k] - T.Exp(y[k]) * s : y[k] * (dy[k] - s);
                }
            }
    }
}
