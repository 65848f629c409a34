namespace RawConv.Tests.TestUtil;

/// <summary>Central finite differences in float64, for checking backward passes of the reference ops.</summary>
public static class FiniteDiff
{
    /// <summary>
    /// Numerical gradient of the scalar L(x) = Σ f(x) · seed at <paramref name="x"/>, by central
    /// differences with step <paramref name="h"/>. <paramref name="f"/> maps x to the op's output.
    /// </summary>
    public static double[] Gradient(Func<double[], double[]> f, double[] x, double[] seed, double h = 1e-5)
    {
        var g = new double[x.Length];
        var xp = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double keep = xp[i];
            xp[i] = keep + h;
            double up = Dot(f(xp), seed);
            xp[i] = keep - h;
            double down = Dot(f(xp), seed);
            xp[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /// <summary>
    /// Indices of inputs whose ±h neighbourhood crosses a kink (a ReLU zero, a max tie) and so must be
    /// skipped: those where the one-sided differences disagree by more than <paramref name="tol"/>.
    /// </summary>
    public static bool[] Kinks(Func<double[], double[]> f, double[] x, double[] seed, double h = 1e-5, double tol = 1e-3)
    {
        var skip = new bool[x.Length];
        var xp = (double[])x.Clone();
        double mid = Dot(f(xp), seed);
        for (int i = 0; i < x.Length; i++)
        {
            double keep = xp[i];
            xp[i] = keep + h;
            double up = (Dot(f(xp), seed) - mid) / h;
            xp[i] = keep - h;
            double down = (mid - Dot(f(xp), seed)) / h;
            xp[i] = keep;
            skip[i] = Math.Abs(up - down) > tol * (1 + Math.Abs(up) + Math.Abs(down));
        }
        return skip;
    }

    /// <summary>Asserts analytic ≈ numeric except at kinks; fails if more than a quarter of the points were skipped.</summary>
    public static void AssertMatches(double[] analytic, Func<double[], double[]> f, double[] x, double[] seed,
        string what, double atol = 1e-6, double rtol = 1e-5, double h = 1e-5)
    {
        var numeric = Gradient(f, x, seed, h);
        var skip = Kinks(f, x, seed, h);
        int skipped = skip.Count(s => s);
        Assert.True(skipped <= x.Length / 4, $"{what}: {skipped} of {x.Length} points sit on kinks; choose other inputs");
        var a = analytic.Where((_, i) => !skip[i]).ToArray();
        var n = numeric.Where((_, i) => !skip[i]).ToArray();
        Check.Close(a, n, atol, rtol, what + " vs central differences");
    }

    /// <summary>Σ a·b in float64.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Seeded uniform doubles in [lo, hi).</summary>
    public static double[] Uniform(int seed, int n, double lo = -1, double hi = 1)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray();
    }
}
