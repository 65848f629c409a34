using System.Text;

namespace RawConv.Tests.TestUtil;

/// <summary>The one comparison helper: |a − e| ≤ atol + rtol·|e|, NaN fails, reports the worst element.</summary>
public static class Check
{
    /// <summary>Forward fp32 tolerances (STYLE.md).</summary>
    public const double ForwardAtol = 1e-5, ForwardRtol = 1e-4;
    /// <summary>Backward fp32 tolerances (STYLE.md).</summary>
    public const double BackwardAtol = 1e-4, BackwardRtol = 1e-3;

    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double atol, double rtol, string what)
    {
        var a = new double[actual.Length];
        var e = new double[expected.Length];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        Close(a, e, atol, rtol, what);
    }

    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double atol, double rtol, string what)
    {
        if (actual.Length != expected.Length)
            Assert.Fail($"{what}: length {actual.Length}, expected {expected.Length}");
        int worst = -1, bad = 0;
        double worstExcess = double.NegativeInfinity;
        for (int i = 0; i < actual.Length; i++)
        {
            double x = actual[i], y = expected[i];
            bool nanOk = double.IsNaN(x) && double.IsNaN(y);
            double excess = double.IsNaN(x) || double.IsNaN(y) ? double.PositiveInfinity : Math.Abs(x - y) - (atol + rtol * Math.Abs(y));
            if (nanOk) excess = double.NegativeInfinity;
            if (x == y) excess = Math.Min(excess, -1);
            if (excess > 0) bad++;
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        if (bad == 0) return;
        var sb = new StringBuilder();
        sb.Append($"{what}: {bad} of {actual.Length} elements outside atol {atol:g3} + rtol {rtol:g3}; ");
        sb.Append($"worst at {worst}: got {actual[worst]:g9}, expected {expected[worst]:g9}; first values got [");
        for (int i = 0; i < Math.Min(6, actual.Length); i++) sb.Append(i > 0 ? ", " : "").Append(actual[i].ToString("g6"));
        sb.Append("] expected [");
        for (int i = 0; i < Math.Min(6, expected.Length); i++) sb.Append(i > 0 ? ", " : "").Append(expected[i].ToString("g6"));
        sb.Append(']');
        Assert.Fail(sb.ToString());
    }

    /// <summary>Normalized MSE Σ(a−e)²/Σe² ≤ limit, for large reductions (STYLE.md: 1e-7).</summary>
    public static void Nmse(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double limit, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double num = 0, den = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (float.IsNaN(actual[i])) Assert.Fail($"{what}: NaN at {i}");
            double d = actual[i] - (double)expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        double nmse = num / Math.Max(den, 1e-30);
        Assert.True(nmse <= limit, $"{what}: normalized MSE {nmse:g3} > {limit:g3}");
    }

    /// <summary>Integer arrays equal element for element (switches, indices).</summary>
    public static void Exact(ReadOnlySpan<int> actual, ReadOnlySpan<int> expected, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < actual.Length; i++)
            if (actual[i] != expected[i])
                Assert.Fail($"{what}: first difference at {i}: got {actual[i]}, expected {expected[i]}");
    }
}
