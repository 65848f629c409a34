namespace RawConv.Algorithms.Optimize;

/// <summary>Host double vectors for the L-BFGS core: sums run left to right, one rounding per operation.</summary>
internal static class Vec
{
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    public static double SumAbs(double[] a)
    {
        double s = 0;
        foreach (var v in a) s += Math.Abs(v);
        return s;
    }

    /// <summary>y ← y + alpha·x.</summary>
    public static void Axpy(double alpha, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>alpha·x as a new vector.</summary>
    public static double[] Scale(double alpha, double[] x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < y.Length; i++) y[i] = alpha * x[i];
        return y;
    }

    /// <summary>a − b as a new vector.</summary>
    public static double[] Sub(double[] a, double[] b)
    {
        var y = new double[a.Length];
        for (int i = 0; i < y.Length; i++) y[i] = a[i] - b[i];
        return y;
    }

    /// <summary>x + t·d as a new vector.</summary>
    public static double[] Along(double[] x, double t, double[] d)
    {
        var y = new double[x.Length];
        for (int i = 0; i < y.Length; i++) y[i] = x[i] + t * d[i];
        return y;
    }
}
