using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference reductions, accumulated in double.</summary>
public static class ReduceRef
{
    /// <summary>Σ x.</summary>
    public static double Sum<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var v in x) s += double.CreateChecked(v);
        return s;
    }

    /// <summary>Σ x².</summary>
    public static double SumSquares<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var v in x) s += double.CreateChecked(v) * double.CreateChecked(v);
        return s;
    }

    /// <summary>Σ |x|.</summary>
    public static double SumAbs<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var v in x) s += Math.Abs(double.CreateChecked(v));
        return s;
    }

    /// <summary>max |x| (0 for an empty span).</summary>
    public static double MaxAbs<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double m = 0;
        foreach (var v in x) m = Math.Max(m, Math.Abs(double.CreateChecked(v)));
        return m;
    }

    /// <summary>dx = x·dNorm/‖x‖, 0 where ‖x‖ = 0.</summary>
    public static void L2NormBackward<T>(ReadOnlySpan<T> x, T dNorm, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        T norm = T.CreateChecked(Math.Sqrt(SumSquares(x)));
        for (int i = 0; i < x.Length; i++) dx[i] = norm == T.Zero ? T.Zero : x[i] * dNorm / norm;
    }

    /// <summary>
    /// y = Σ of x (shape <paramref name="dims"/>) over <paramref name="reduced"/> axes; y's layout is x's with
    /// those axes removed. Adds in flat order of x.
    /// </summary>
    public static void SumAxes<T>(ReadOnlySpan<T> x, int[] dims, bool[] reduced, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        y.Clear();
        var idx = new int[dims.Length];
        for (int flat = 0; flat < x.Length; flat++)
        {
            int o = 0;
            for (int a = 0; a < dims.Length; a++)
                if (!reduced[a]) o = o * dims[a] + idx[a];
            y[o] += x[flat];
            for (int a = dims.Length - 1; a >= 0; a--)
            {
                if (++idx[a] < dims[a]) break;
                idx[a] = 0;
            }
        }
    }
}
