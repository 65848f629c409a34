using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference Gram matrix of (N, C, HW) features and its backward.</summary>
public static class GramRef
{
    /// <summary>G[n,c,d] = scale·Σ_k x[n,c,k]·x[n,d,k].</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> g, int n, int c, int hw, T scale) where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++)
                {
                    T s = T.Zero;
                    for (int k = 0; k < hw; k++) s += x[(b * c + i) * hw + k] * x[(b * c + j) * hw + k];
                    g[(b * c + i) * c + j] = scale * s;
                }
    }

    /// <summary>dx[n,c,k] = scale·Σ_d (dG[n,c,d] + dG[n,d,c])·x[n,d,k].</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dg, Span<T> dx, int n, int c, int hw, T scale)
        where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
            for (int i = 0; i < c; i++)
                for (int k = 0; k < hw; k++)
                {
                    T s = T.Zero;
                    for (int d = 0; d < c; d++)
                        s += (dg[(b * c + i) * c + d] + dg[(b * c + d) * c + i]) * x[(b * c + d) * hw + k];
                    dx[(b * c + i) * hw + k] = scale * s;
                }
    }
}
