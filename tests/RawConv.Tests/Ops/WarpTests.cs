using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class WarpTests : BackendTest
{
    public static TheoryData<int[], int[], float, WarpPadding> Cases => new()
    {
        { [2, 3, 7, 9], [2, 2, 7, 9], 2.5f, WarpPadding.Zeros },
        { [2, 3, 7, 9], [2, 2, 7, 9], 2.5f, WarpPadding.Border },
        { [1, 3, 6, 8], [1, 2, 9, 5], 1.5f, WarpPadding.Zeros },
        { [1, 3, 6, 8], [1, 2, 9, 11], 1.5f, WarpPadding.Border },
        { [1, 2, 5, 5], [1, 2, 5, 5], 12f, WarpPadding.Border },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void AllThreeMatchReference(int[] xDims, int[] flowDims, float maxFlow, WarpPadding padding)
    {
        var xs = new Shape(xDims);
        var fs = new Shape(flowDims);
        Compare(xs, Rand.Uniform(71, xs.Count), fs, Rand.Uniform(72, fs.Count, -maxFlow, maxFlow), padding, Check.ForwardAtol);
    }

    [SkippableTheory]
    [InlineData(WarpPadding.Zeros)]
    [InlineData(WarpPadding.Border)]
    public void AlexNetSizedSmoothFlowMatchesReference(WarpPadding padding)
    {
        var xs = new Shape(1, 96, 27, 27);
        Compare(xs, Rand.Uniform(73, xs.Count), new Shape(1, 2, 27, 27), SmoothFlow(27, 27, 3.3f), padding, Check.ForwardAtol);
    }

    /// <summary>A smooth flow field with amplitude up to <paramref name="amp"/> pixels.</summary>
    public static float[] SmoothFlow(int h, int w, float amp)
    {
        var f = new float[2 * h * w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                f[i * w + j] = amp * MathF.Sin(0.31f * i + 0.17f * j + 0.4f);
                f[h * w + i * w + j] = amp * MathF.Cos(0.23f * i - 0.29f * j);
            }
        return f;
    }

    private void Compare(Shape xs, float[] xv, Shape fs, float[] fv, WarpPadding padding, double atol)
    {
        var ys = new Shape(xs.N, xs.C, fs.H, fs.W);
        var dyv = Rand.Uniform(74, ys.Count);
        using var x = Tensor.FromArray(B, xs, xv);
        using var f = Tensor.FromArray(B, fs, fv);
        using var dy = Tensor.FromArray(B, ys, dyv);
        using var xr = Tensor.FromArray(Ref, xs, xv);
        using var fr = Tensor.FromArray(Ref, fs, fv);
        using var dyr = Tensor.FromArray(Ref, ys, dyv);
        string what = $"warp x {xs} flow {fs} {padding}";
        using var y = Warp.Forward(x, f, padding);
        using var yr = Warp.Forward(xr, fr, padding);
        Check.Close(y.ToArray(), yr.ToArray(), atol, Check.ForwardRtol, what + " forward");
        using var dx = Warp.Adjoint(dy, f, xs, padding);
        using var dxr = Warp.Adjoint(dyr, fr, xs, padding);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " adjoint");
        using var df = Warp.BackwardFlow(x, f, dy, padding);
        using var dfr = Warp.BackwardFlow(xr, fr, dyr, padding);
        Check.Close(df.ToArray(), dfr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " backward flow");
        double lhs = Dot(y.ToArray(), dyv), rhs = Dot(xv, dx.ToArray());
        Assert.True(Math.Abs(lhs - rhs) <= 1e-5 * (1 + Math.Abs(lhs)), $"{what}: ⟨Warp x, y⟩ = {lhs} but ⟨x, Adjoint y⟩ = {rhs}");
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    [SkippableFact]
    public void BadShapesNameOp()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 3, 4, 5));
        using var f3 = Tensor.Zeros(B, new Shape(1, 3, 4, 5));
        var e = Assert.Throws<RawConvException>(() => Warp.Forward(x, f3));
        Assert.Contains("warp.forward", e.Message);
        Assert.Contains("(1, 3, 4, 5)", e.Message);
        using var f = Tensor.Zeros(B, new Shape(2, 2, 4, 5));
        e = Assert.Throws<RawConvException>(() => Warp.Forward(x, f));
        Assert.Contains("(2, 2, 4, 5)", e.Message);
        using var f1 = Tensor.Zeros(B, new Shape(1, 2, 4, 5));
        using var dy = Tensor.Zeros(B, new Shape(1, 3, 4, 6));
        e = Assert.Throws<RawConvException>(() => Warp.BackwardFlow(x, f1, dy));
        Assert.Contains("warp.backward_flow", e.Message);
        Assert.Contains("(1, 3, 4, 6)", e.Message);
        e = Assert.Throws<RawConvException>(() => Warp.Adjoint(dy, f1, x.Shape));
        Assert.Contains("warp.adjoint", e.Message);
    }
}

public sealed class WarpOpenClTests : WarpTests { protected override string BackendName => "opencl"; }
public sealed class WarpCudaTests : WarpTests { protected override string BackendName => "cuda"; }

public class WarpReferenceTests
{
    private static double[] Forward(double[] x, double[] flow, int c, int hx, int wx, int h, int w, bool border)
    {
        var y = new double[c * h * w];
        WarpRef.Forward<double>(x, flow, y, 1, c, hx, wx, h, w, border);
        return y;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IntegerFlowIsAnExactShift(bool border)
    {
        // Flow (+1 right, −2 up): y[h, w] = x[h − 2, w + 1], outside → 0 or the clamped edge.
        int h = 4, w = 5;
        var x = Enumerable.Range(0, h * w).Select(i => (double)(i + 1)).ToArray();
        var flow = new double[2 * h * w];
        for (int i = 0; i < h * w; i++) { flow[i] = 1; flow[h * w + i] = -2; }
        var y = Forward(x, flow, 1, h, w, h, w, border);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                int si = i - 2, sj = j + 1;
                bool inside = si >= 0 && sj < w;
                double expected = inside ? x[si * w + sj] : border ? x[Math.Max(si, 0) * w + Math.Min(sj, w - 1)] : 0;
                Assert.Equal(expected, y[i * w + j]);
            }
    }

    [Fact]
    public void FractionalSampleIsBilinear()
    {
        // x = [[0, 1], [2, 3]]; sampling (0.25, 0.5) from (0, 0) gives 0.5 + 2·0.25 = 1.
        double[] x = [0, 1, 2, 3];
        double[] flow = [0.5, 0, 0, 0, 0.25, 0, 0, 0];
        Assert.Equal(1.0, Forward(x, flow, 1, 2, 2, 2, 2, false)[0], 12);
        // Half a pixel past the right edge: zeros halves x[0,1] = 1, border keeps it.
        double[] right = [1.5, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(0.5, Forward(x, right, 1, 2, 2, 2, 2, false)[0], 12);
        Assert.Equal(1.0, Forward(x, right, 1, 2, 2, 2, 2, true)[0], 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdjointIdentityHolds(bool border)
    {
        int c = 2, hx = 5, wx = 6, h = 7, w = 4;
        var x = FiniteDiff.Uniform(75, c * hx * wx);
        var flow = FiniteDiff.Uniform(76, 2 * h * w, -3, 3);
        var dy = FiniteDiff.Uniform(77, c * h * w);
        var dx = new double[x.Length];
        WarpRef.Adjoint<double>(dy, flow, dx, 1, c, hx, wx, h, w, border);
        double lhs = FiniteDiff.Dot(Forward(x, flow, c, hx, wx, h, w, border), dy), rhs = FiniteDiff.Dot(x, dx);
        Assert.Equal(lhs, rhs, 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardsMatchFiniteDifferences(bool border)
    {
        int c = 2, hx = 5, wx = 6, h = 4, w = 5;
        var x = FiniteDiff.Uniform(78, c * hx * wx);
        // Integer part in [−3, 3], fraction in [0.2, 0.8]: away from the kinks at integer sample positions.
        var r = new Random(79);
        var flow = Enumerable.Range(0, 2 * h * w).Select(_ => r.Next(-3, 4) + 0.2 + 0.6 * r.NextDouble()).ToArray();
        var seed = FiniteDiff.Uniform(80, c * h * w);
        var dx = new double[x.Length];
        WarpRef.Adjoint<double>(seed, flow, dx, 1, c, hx, wx, h, w, border);
        FiniteDiff.AssertMatches(dx, v => Forward(v, flow, c, hx, wx, h, w, border), x, seed, $"warp d/dx border={border}");
        var dflow = new double[flow.Length];
        WarpRef.BackwardFlow<double>(x, flow, seed, dflow, 1, c, hx, wx, h, w, border);
        FiniteDiff.AssertMatches(dflow, v => Forward(x, v, c, hx, wx, h, w, border), flow, seed, $"warp d/dflow border={border}");
    }
}
