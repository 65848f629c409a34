namespace RawConv.Tests.TestUtil;

/// <summary>Seeded random test data.</summary>
public static class Rand
{
    /// <summary>Uniform floats in [lo, hi).</summary>
    public static float[] Uniform(int seed, long n, float lo = -1, float hi = 1)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextSingle();
        return a;
    }

    /// <summary>Standard normal floats times <paramref name="scale"/>.</summary>
    public static float[] Normal(int seed, long n, float scale = 1)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++)
            a[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
        return a;
    }

    /// <summary>A float tensor of uniform values on <paramref name="b"/>.</summary>
    public static Tensor Tensor(IBackend b, int seed, params int[] dims) =>
        RawConv.Tensor.FromArray(b, new Shape(dims), Uniform(seed, new Shape(dims).Count));
}
