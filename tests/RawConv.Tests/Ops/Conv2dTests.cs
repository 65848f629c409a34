using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>Shared odd-shaped convolution cases.</summary>
public static class ConvCases
{
    /// <summary>x shape, w shape, parameters.</summary>
    public static readonly (int[] X, int[] W, Conv2dParams P)[] All =
    [
        ([2, 3, 7, 9], [4, 3, 3, 3], new Conv2dParams()),
        ([2, 3, 7, 9], [5, 3, 2, 3], new Conv2dParams(2, 2, 1, 1)),
        ([1, 4, 9, 7], [6, 2, 3, 3], new Conv2dParams(3, 3, 2, 1, Groups: 2)),
        ([2, 4, 8, 9], [4, 1, 3, 3], new Conv2dParams(PadH: 2, PadW: 2, DilationH: 2, DilationW: 2, Groups: 4)),
        ([2, 6, 7, 9], [6, 2, 3, 2], new Conv2dParams(2, 1, 1, 0, 2, 1, 3)),
        ([3, 5, 6, 7], [3, 5, 1, 1], new Conv2dParams()),
        ([2, 3, 11, 13], [7, 3, 5, 4], new Conv2dParams(3, 2, 2, 1, 1, 2)),
    ];

    public static TheoryData<int> Indices()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < All.Length; i++) d.Add(i);
        return d;
    }
}

public abstract class Conv2dTests : BackendTest
{
    private (float[] Got, float[] Want) Both(Func<IBackend, Tensor> f)
    {
        using var got = f(B);
        using var want = f(Ref);
        return (got.ToArray(), want.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(ConvCases.Indices), MemberType = typeof(ConvCases))]
    public void AllPassesMatchReference(int i)
    {
        var (xd, wd, p) = ConvCases.All[i];
        var xs = new Shape(xd);
        var ws = new Shape(wd);
        var ys = Conv2d.OutputShape(xs, ws, p);
        var x = Rand.Uniform(10 + i, xs.Count);
        var w = Rand.Uniform(20 + i, ws.Count);
        var bias = Rand.Uniform(30 + i, ws[0]);
        var dy = Rand.Uniform(40 + i, ys.Count);
        var (y, yr) = Both(b => Conv2d.Forward(T(b, xs, x), T(b, ws, w), T(b, new Shape(ws[0]), bias), p));
        Check.Close(y, yr, Check.ForwardAtol, Check.ForwardRtol, $"conv2d forward case {i}");
        var (dx, dxr) = Both(b => Conv2d.BackwardData(T(b, ys, dy), T(b, ws, w), xs, p));
        Check.Close(dx, dxr, Check.BackwardAtol, Check.BackwardRtol, $"conv2d backward data case {i}");
        var (dw, dwr) = Both(b => Conv2d.BackwardFilter(T(b, xs, x), T(b, ys, dy), ws, p));
        Check.Close(dw, dwr, Check.BackwardAtol, Check.BackwardRtol, $"conv2d backward filter case {i}");
        var (db, dbr) = Both(b => Conv2d.BackwardBias(T(b, ys, dy)));
        Check.Close(db, dbr, Check.BackwardAtol, Check.BackwardRtol, $"conv2d backward bias case {i}");
    }

    [SkippableFact]
    public void ChunkedBatchesMatchOneChunk()
    {
        var (xd, wd, p) = ConvCases.All[1];
        var xs = new Shape(5, xd[1], xd[2], xd[3]);
        var ws = new Shape(wd);
        var ys = Conv2d.OutputShape(xs, ws, p);
        var x = Rand.Uniform(1, xs.Count);
        var w = Rand.Uniform(2, ws.Count);
        var dy = Rand.Uniform(3, ys.Count);
        float[] Run(long budget)
        {
            // one image (budget 1) or two per chunk, on a private backend so no other test sees the budget
            using var b = Backends.OpenTuned(BackendName, t => t with { ConvColumnBudget = budget });
            using var y = Conv2d.Forward(T(b, xs, x), T(b, ws, w), null, p);
            using var dx = Conv2d.BackwardData(T(b, ys, dy), T(b, ws, w), xs, p);
            using var dw = Conv2d.BackwardFilter(T(b, xs, x), T(b, ys, dy), ws, p);
            return [.. y.ToArray(), .. dx.ToArray(), .. dw.ToArray()];
        }
        var one = Run(1);
        var two = Run(2L * xs[1] * 2 * 3 * ys[2] * ys[3]);
        var want = Run(1L << 25);
        Check.Close(one, want, Check.BackwardAtol, Check.BackwardRtol, "one image per chunk");
        Check.Close(two, want, Check.BackwardAtol, Check.BackwardRtol, "two images per chunk");
    }

    [SkippableFact]
    public void AlexNetConv2MatchesReference()
    {
        var xs = new Shape(1, 96, 27, 27);
        var ws = new Shape(256, 48, 5, 5);
        var p = new Conv2dParams(PadH: 2, PadW: 2, Groups: 2);
        var ys = Conv2d.OutputShape(xs, ws, p);
        Assert.Equal(new Shape(1, 256, 27, 27), ys);
        var x = Rand.Uniform(5, xs.Count);
        var w = Rand.Normal(6, ws.Count, 0.05f);
        var bias = Rand.Uniform(7, 256);
        var dy = Rand.Uniform(8, ys.Count);
        var (y, yr) = Both(b => Conv2d.Forward(T(b, xs, x), T(b, ws, w), T(b, new Shape(256), bias), p));
        Check.Nmse(y, yr, 1e-7, "alexnet conv2 forward");
        var (dx, dxr) = Both(b => Conv2d.BackwardData(T(b, ys, dy), T(b, ws, w), xs, p));
        Check.Nmse(dx, dxr, 1e-7, "alexnet conv2 backward data");
        var (dw, dwr) = Both(b => Conv2d.BackwardFilter(T(b, xs, x), T(b, ys, dy), ws, p));
        Check.Nmse(dw, dwr, 1e-7, "alexnet conv2 backward filter");
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void AdjointIdentityHoldsInFloat(int i)
    {
        var (xd, wd, p) = ConvCases.All[i];
        var xs = new Shape(xd);
        var ws = new Shape(wd);
        var ys = Conv2d.OutputShape(xs, ws, p);
        var x = Rand.Uniform(50, xs.Count);
        var yv = Rand.Uniform(51, ys.Count);
        using var w = T(B, ws, Rand.Uniform(52, ws.Count));
        using var cx = Conv2d.Forward(T(B, xs, x), w, null, p);
        using var cty = Conv2d.BackwardData(T(B, ys, yv), w, xs, p);
        double lhs = Dot(cx.ToArray(), yv), rhs = Dot(x, cty.ToArray());
        // float32 sums of a few thousand products: agree to ~1e-5 relative
        Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * (1 + Math.Abs(lhs)), $"<conv x, y> = {lhs}, <x, convT y> = {rhs}");
    }

    [SkippableFact]
    public void BadInputNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 3, 5, 5));
        using var w = Tensor.Zeros(B, new Shape(4, 2, 3, 3));
        var e = Assert.Throws<RawConvException>(() => Conv2d.Forward(x, w, null, new Conv2dParams()));
        Assert.Contains("conv2d.forward", e.Message);
        Assert.Contains("(1, 3, 5, 5)", e.Message);
        Assert.Contains("(4, 2, 3, 3)", e.Message);
        using var w3 = Tensor.Zeros(B, new Shape(4, 1, 3, 3));
        e = Assert.Throws<RawConvException>(() => Conv2d.Forward(x, w3, null, new Conv2dParams(Groups: 2)));
        Assert.Contains("groups 2", e.Message);
        using var big = Tensor.Zeros(B, new Shape(4, 3, 7, 3));
        e = Assert.Throws<RawConvException>(() => Conv2d.Forward(x, big, null, new Conv2dParams(PadH: 0)));
        Assert.Contains("larger than the padded input", e.Message);
        using var wOk = Tensor.Zeros(B, new Shape(4, 3, 3, 3));
        using var bias = Tensor.Zeros(B, new Shape(5));
        e = Assert.Throws<RawConvException>(() => Conv2d.Forward(x, wOk, bias, new Conv2dParams()));
        Assert.Contains("bias (5)", e.Message);
        using var dy = Tensor.Zeros(B, new Shape(1, 4, 4, 4));
        e = Assert.Throws<RawConvException>(() => Conv2d.BackwardData(dy, wOk, x.Shape, new Conv2dParams()));
        Assert.Contains("conv2d.backward_data", e.Message);
        Assert.Contains("(1, 4, 4, 4)", e.Message);
        e = Assert.Throws<RawConvException>(() => Conv2d.BackwardFilter(x, dy, wOk.Shape, new Conv2dParams()));
        Assert.Contains("conv2d.backward_filter", e.Message);
    }

    internal static Tensor T(IBackend b, Shape s, float[] d) => Tensor.FromArray(b, s, d);

    internal static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }
}

public sealed class Conv2dOpenClTests : Conv2dTests { protected override string BackendName => "opencl"; }
public sealed class Conv2dCudaTests : Conv2dTests { protected override string BackendName => "cuda"; }

public class Conv2dReferenceTests
{
    private static readonly double[] X3 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    private static readonly double[] W2 = [1, 2, 3, 4];

    [Fact]
    public void HandComputedValidConvolution()
    {
        var y = new double[4];
        Conv2dRef.Forward<double>(X3, W2, [1.0], y, new Shape(1, 1, 3, 3), new Shape(1, 1, 2, 2), new Conv2dParams());
        Assert.Equal([38, 48, 68, 78], y);
    }

    [Fact]
    public void HandComputedStridedPaddedConvolution()
    {
        var p = new Conv2dParams(2, 2, 1, 1);
        Assert.Equal(new Shape(1, 1, 2, 2), Conv2d.OutputShape(new Shape(1, 1, 3, 3), new Shape(1, 1, 2, 2), p));
        var y = new double[4];
        Conv2dRef.Forward<double>(X3, W2, [], y, new Shape(1, 1, 3, 3), new Shape(1, 1, 2, 2), p);
        Assert.Equal([4, 18, 36, 77], y);
    }

    [Fact]
    public void HandComputedBackwardFilterAndBias()
    {
        // dy all ones on the 2×2 valid output: dw[r, s] = sum of the 2×2 input window at (r, s).
        var dw = new double[4];
        Conv2dRef.BackwardFilter<double>(X3, [1.0, 1, 1, 1], dw, new Shape(1, 1, 3, 3), new Shape(1, 1, 2, 2), new Conv2dParams());
        Assert.Equal([12, 16, 24, 28], dw);
        var db = new double[1];
        Conv2dRef.BackwardBias<double>([1.0, 2, 3, 4], db, new Shape(1, 1, 2, 2));
        Assert.Equal([10], db);
    }

    [Theory]
    [MemberData(nameof(ConvCases.Indices), MemberType = typeof(ConvCases))]
    public void BackwardMatchesFiniteDifferences(int i)
    {
        var (xd, wd, p) = ConvCases.All[i];
        var xs = new Shape(1, xd[1], Math.Min(xd[2], 7), Math.Min(xd[3], 7));
        var ws = new Shape(wd);
        var ys = Conv2d.OutputShape(xs, ws, p);
        var x = FiniteDiff.Uniform(60 + i, (int)xs.Count);
        var w = FiniteDiff.Uniform(70 + i, (int)ws.Count);
        var bias = FiniteDiff.Uniform(80 + i, ws[0]);
        var seed = FiniteDiff.Uniform(90 + i, (int)ys.Count);
        double[] Fwd(double[] xv, double[] wv, double[] bv)
        {
            var y = new double[ys.Count];
            Conv2dRef.Forward<double>(xv, wv, bv, y, xs, ws, p);
            return y;
        }
        var dx = new double[xs.Count];
        Conv2dRef.BackwardData<double>(seed, w, dx, xs, ws, p);
        FiniteDiff.AssertMatches(dx, v => Fwd(v, w, bias), x, seed, $"conv2d dx case {i}");
        var dw = new double[ws.Count];
        Conv2dRef.BackwardFilter<double>(x, seed, dw, xs, ws, p);
        FiniteDiff.AssertMatches(dw, v => Fwd(x, v, bias), w, seed, $"conv2d dw case {i}");
        var db = new double[ws[0]];
        Conv2dRef.BackwardBias<double>(seed, db, ys);
        FiniteDiff.AssertMatches(db, v => Fwd(x, w, v), bias, seed, $"conv2d db case {i}");
    }

    [Theory]
    [MemberData(nameof(ConvCases.Indices), MemberType = typeof(ConvCases))]
    public void AdjointIdentityHoldsInDouble(int i)
    {
        var (xd, wd, p) = ConvCases.All[i];
        var xs = new Shape(xd);
        var ws = new Shape(wd);
        var ys = Conv2d.OutputShape(xs, ws, p);
        var x = FiniteDiff.Uniform(1, (int)xs.Count);
        var w = FiniteDiff.Uniform(2, (int)ws.Count);
        var y = FiniteDiff.Uniform(3, (int)ys.Count);
        var cx = new double[ys.Count];
        Conv2dRef.Forward<double>(x, w, [], cx, xs, ws, p);
        var cty = new double[xs.Count];
        Conv2dRef.BackwardData<double>(y, w, cty, xs, ws, p);
        double lhs = FiniteDiff.Dot(cx, y), rhs = FiniteDiff.Dot(x, cty);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"<conv x, y> = {lhs}, <x, convT y> = {rhs}");
    }

    [Fact]
    public void OutputShapeFollowsTheFormula()
    {
        Assert.Equal(new Shape(16, 96, 55, 55), Conv2d.OutputShape(new Shape(16, 3, 227, 227), new Shape(96, 3, 11, 11), new Conv2dParams(4, 4)));
        Assert.Equal(new Shape(2, 4, 3, 3), Conv2d.OutputShape(new Shape(2, 4, 8, 9), new Shape(4, 1, 3, 3), new Conv2dParams(2, 3, 1, 1, 2, 2, 4)));
    }
}
