using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class MaxPool2dTests : BackendTest
{
    // n, c, h, w, kernel, stride, pad, ceil, dilation
    public static TheoryData<int, int, int, int, int, int, int, bool, int> Cases => new()
    {
        { 2, 3, 7, 9, 2, 2, 0, false, 1 },
        { 2, 3, 7, 9, 2, 2, 0, true, 1 },
        { 2, 3, 7, 9, 3, 2, 1, false, 1 },
        { 2, 3, 7, 9, 3, 2, 1, true, 1 },
        { 1, 5, 13, 11, 3, 1, 1, false, 1 },
        { 1, 5, 13, 11, 3, 3, 0, true, 1 },
        { 1, 5, 13, 11, 3, 3, 1, true, 1 },
        { 1, 5, 13, 11, 2, 1, 0, false, 2 },
        { 2, 3, 7, 9, 3, 2, 1, true, 2 },
        { 1, 2, 1, 1, 1, 1, 0, false, 1 },
        { 1, 2, 30, 29, 7, 7, 3, true, 1 },
        { 1, 2, 30, 29, 5, 5, 2, false, 1 },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(int n, int c, int h, int w, int k, int s, int pad, bool ceil, int d)
    {
        var p = new Pool2dParams(k, k, s, s, pad, pad, ceil, d, d);
        Compare(new Shape(n, c, h, w), p, Rand.Uniform(10 + h, (long)n * c * h * w), $"{p}");
    }

    [SkippableFact]
    public void RectangularWindowsMatchReference()
    {
        var p = new Pool2dParams(3, 2, 2, 3, 1, 1, true, 1, 2);
        Compare(new Shape(2, 3, 11, 13), p, Rand.Uniform(21, 2 * 3 * 11 * 13), "rectangular");
    }

    [SkippableFact]
    public void WideRowsMatchReference()
    {
        // Rows of ≥ 8 outputs run 8 at a time on OpenCL (stride 1, 2 and any other stride take different
        // loads; blocks touching padding fall back to scalar): random values and tie-heavy ones.
        var shape = new Shape(1, 2, 9, 47);
        var r = new Random(24);
        var few = new float[shape.Count];
        for (int i = 0; i < few.Length; i++) few[i] = r.Next(3);
        foreach (var p in new[] { Pool2dParams.Square(3, 1), Pool2dParams.Square(3, 2, 1), Pool2dParams.Square(3, 3, 1, true),
                     new Pool2dParams(2, 3, 1, 2, 0, 1, false, 1, 2), new Pool2dParams(3, 2, 2, 5, 1, 0, true, 1, 1) })
        {
            Compare(shape, p, Rand.Uniform(26, shape.Count), $"wide {p}");
            Compare(shape, p, few, $"wide ties {p}");
        }
    }

    [SkippableFact]
    public void CeilModeWindowsHangingOverTheRightEdgeMatchReference()
    {
        // Ceil mode without padding lets the last windows of a row run past the input; on OpenCL those
        // 8-wide blocks mask the missing lanes instead of going scalar. The mini-AlexNet's pools (3/2 on
        // 40- and 20-wide maps) and other hangs: random and tie-heavy values.
        var r = new Random(31);
        foreach (var shape in new[] { new Shape(2, 3, 20, 20), new Shape(1, 2, 9, 40), new Shape(1, 2, 6, 26) })
        {
            var few = new float[shape.Count];
            for (int i = 0; i < few.Length; i++) few[i] = r.Next(3) - 1;
            foreach (var p in new[] { Pool2dParams.Square(3, 2, 0, true), Pool2dParams.Square(3, 3, 0, true), Pool2dParams.Square(5, 2, 0, true),
                         Pool2dParams.Square(2, 2, 0, true), new Pool2dParams(3, 3, 2, 2, 0, 0, true, 2, 2) })
            {
                Compare(shape, p, Rand.Uniform(32, shape.Count), $"hang {shape} {p}");
                Compare(shape, p, few, $"hang ties {shape} {p}");
            }
        }
    }

    [SkippableFact]
    public void AlexNetPool1MatchesReference()
    {
        var p = Pool2dParams.Square(3, 2);
        var shape = new Shape(2, 96, 55, 55);
        Assert.Equal(new Shape(2, 96, 27, 27), MaxPool2d.OutputShape(shape, p));
        Compare(shape, p, Rand.Uniform(22, shape.Count), "alexnet pool1");
    }

    [SkippableFact]
    public void MoreThan65535PlanesAreLaunchedInChunks()
    {
        var shape = new Shape(1, 65537, 2, 3);
        Compare(shape, Pool2dParams.Square(2, 1), Rand.Uniform(25, shape.Count), "65537 planes");
    }

    [SkippableFact]
    public void TiesPickTheFirstMaximum()
    {
        var shape = new Shape(2, 3, 9, 11);
        // Values from {0, 1, 2}: most windows hold repeated maxima, and overlapping windows share them.
        var r = new Random(23);
        var few = new float[shape.Count];
        for (int i = 0; i < few.Length; i++) few[i] = r.Next(3);
        foreach (var p in new[] { Pool2dParams.Square(3, 2), Pool2dParams.Square(3, 1, 1), Pool2dParams.Square(2, 2, 1, true), new Pool2dParams(3, 3, 2, 2, 1, 1, true, 2, 2) })
        {
            Compare(shape, p, few, $"ties {p}");
            Compare(shape, p, new float[shape.Count], $"all-zero {p}");
            using var x = Tensor.FromArray(B, shape, few);
            var (y, idx) = MaxPool2d.Forward(x, p);
            using (y) using (idx) Check.Exact(idx.ToIntArray(), FirstMaxSwitches(few, shape, y.Shape, p), $"first-max rule {p}");
        }
    }

    [SkippableFact]
    public void OutOfRangeSwitchesAreRejected()
    {
        var p = Pool2dParams.Square(2, 2);
        using var dy = Tensor.FromArray(B, new Shape(1, 2, 2, 2), Rand.Uniform(24, 8));
        int[] good = [0, 3, 8, 15, 5, 2, 13, 10];
        int[][] bad = [[0, 3, 8, 16, 5, 2, 13, 10], [0, 3, 8, 15, 5, -1, 13, 10], [0, 3, 8, 15, 5, 2, 13, 4]];
        using (var ok = Tensor.FromInts(B, dy.Shape, good)) MaxPool2d.Backward(dy, ok, new Shape(1, 2, 4, 4), p).Dispose();
        foreach (var ints in bad)
        {
            using var idx = Tensor.FromInts(B, dy.Shape, ints);
            var e = Assert.Throws<RawConvException>(() => MaxPool2d.Backward(dy, idx, new Shape(1, 2, 4, 4), p));
            Assert.Contains("maxpool2d.backward", e.Message);
        }
        using var floats = Tensor.FromArray(B, dy.Shape, new float[8]);
        Assert.Contains("Int32", Assert.Throws<RawConvException>(() => MaxPool2d.Backward(dy, floats, new Shape(1, 2, 4, 4), p)).Message);
    }

    [SkippableFact]
    public void BadSwitchesInWideRowsAreRejected()
    {
        // Rows of ≥ 8 outputs are checked 8 at a time on OpenCL: corrupt one switch at a time, at lanes of
        // the first, a middle and the last (shifted) block, to out of range and to outside its window.
        var xs = new Shape(1, 2, 5, 40);
        var p = Pool2dParams.Square(3, 2, 1);
        using var x = Tensor.FromArray(B, xs, Rand.Uniform(27, xs.Count));
        var (y, idx) = MaxPool2d.Forward(x, p);
        using (y) using (idx)
        {
            var good = idx.ToIntArray();
            using var dy = Tensor.FromArray(B, y.Shape, Rand.Uniform(28, y.Shape.Count));
            MaxPool2d.Backward(dy, idx, xs, p).Dispose();
            int ow = y.Shape.W, plane = xs.H * xs.W;
            foreach (int at in new[] { 0, 5, 11, ow - 1, ow + 8, 2 * ow + 13, y.Shape.Count - 1 })
                foreach (int v in new[] { -1, plane, (good[at] + 20) % plane })
                {
                    var ints = (int[])good.Clone();
                    ints[at] = v;
                    using var bad = Tensor.FromInts(B, y.Shape, ints);
                    var e = Assert.Throws<RawConvException>(() => MaxPool2d.Backward(dy, bad, xs, p));
                    Assert.Contains("maxpool2d.backward", e.Message);
                }
        }
    }

    [SkippableFact]
    public void BadShapesAndParametersAreRejected()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2, 5, 5));
        AssertFails(() => MaxPool2d.Forward(x, Pool2dParams.Square(7, 1, 0)), "larger than the padded input");
        AssertFails(() => MaxPool2d.Forward(x, Pool2dParams.Square(3, 1, 3)), "covers only padding");
        AssertFails(() => MaxPool2d.Forward(x, Pool2dParams.Square(3, 0)), "stride");
        using var x2 = Tensor.Zeros(B, new Shape(1, 2, 2, 2));
        AssertFails(() => MaxPool2d.Forward(x2, new Pool2dParams(2, 2, 1, 1, 1, 1, false, 3, 3)), "covers only padding");
        AssertFails(() => MaxPool2d.OutputShape(new Shape(1, 1, 1 << 20, 1), Pool2dParams.Square(1, 1)), "side limit");
        using var x3 = Tensor.Zeros(B, new Shape(2, 5, 5));
        AssertFails(() => MaxPool2d.Forward(x3, Pool2dParams.Square(2, 2)), "(2, 5, 5)");
        using var dy = Tensor.Zeros(B, new Shape(1, 2, 3, 2));
        using var idx = Tensor.Zeros(B, new Shape(1, 2, 2, 2), DType.Int32);
        AssertFails(() => MaxPool2d.Backward(dy, idx, new Shape(1, 2, 5, 5), Pool2dParams.Square(2, 2)), "(1, 2, 3, 2)");
    }

    [SkippableFact]
    public void SelectMapAdjointHoldsOnDevice() => MaxPool2dAdjoint.Check(B);

    private static void AssertFails(Func<object> f, string text)
    {
        var e = Assert.Throws<RawConvException>(() => f());
        Assert.Contains("maxpool2d", e.Message);
        Assert.Contains(text, e.Message);
    }

    private void Compare(Shape shape, Pool2dParams p, float[] xs, string what)
    {
        using var x = Tensor.FromArray(B, shape, xs);
        using var xr = Tensor.FromArray(Ref, shape, xs);
        var (y, idx) = MaxPool2d.Forward(x, p);
        var (yr, idxr) = MaxPool2d.Forward(xr, p);
        using (y) using (idx) using (yr) using (idxr)
        {
            Assert.Equal(yr.Shape, y.Shape);
            // A max copies an input value: the kernel must return exactly the reference's element.
            Check.Close(y.ToArray(), yr.ToArray(), 0, 0, what + " values");
            Check.Exact(idx.ToIntArray(), idxr.ToIntArray(), what + " switches");
            var dys = Rand.Uniform(shape.H * 31 + 7, y.Count);
            using var dy = Tensor.FromArray(B, y.Shape, dys);
            using var dyr = Tensor.FromArray(Ref, y.Shape, dys);
            using var dx = MaxPool2d.Backward(dy, idx, shape, p);
            using var dxr = MaxPool2d.Backward(dyr, idxr, shape, p);
            Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " backward");
        }
    }

    /// <summary>An independent statement of the rule: the max of the in-input taps, then the first tap holding it.</summary>
    private static int[] FirstMaxSwitches(float[] x, Shape xs, Shape ys, Pool2dParams p)
    {
        var idx = new int[ys.Count];
        int o = 0;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int oh = 0; oh < ys.H; oh++)
                for (int ow = 0; ow < ys.W; ow++, o++)
                {
                    var taps = new List<int>();
                    for (int i = 0; i < p.KernelH; i++)
                        for (int j = 0; j < p.KernelW; j++)
                        {
                            int h = oh * p.StrideH - p.PadH + i * p.DilationH, w = ow * p.StrideW - p.PadW + j * p.DilationW;
                            if (h >= 0 && h < xs.H && w >= 0 && w < xs.W) taps.Add(h * xs.W + w);
                        }
                    float m = taps.Max(t => x[pl * xs.H * xs.W + t]);
                    idx[o] = taps.First(t => x[pl * xs.H * xs.W + t] == m);
                }
        return idx;
    }
}

public sealed class MaxPool2dOpenClTests : MaxPool2dTests { protected override string BackendName => "opencl"; }
public sealed class MaxPool2dCudaTests : MaxPool2dTests { protected override string BackendName => "cuda"; }

/// <summary>
/// Adjoint identities of max pooling with FIXED switches. Let S be the switches of pool(x0) and
/// sel_S(x)[o] = x[plane(o), S[o]] the linear "select" map (so sel_S(x0) = Values). Tested, for a random
/// x unrelated to x0 and a random y: ⟨sel_S(x), y⟩ = ⟨x, MaxPool2d.Backward(y, S)⟩ and
/// ⟨sel_S(x), y⟩ = ⟨x, MaxUnpool2d.Forward(y, S, xShape, p)⟩, with overlapping 3×3/2 windows where
/// several outputs share a switch; and ⟨Values, y⟩ = ⟨x0, MaxUnpool2d.Forward(y, S, xShape)⟩ (the
/// scatter) for non-overlapping 2×2/2 windows, whose switches are unique.
/// </summary>
public static class MaxPool2dAdjoint
{
    public static void Check(IBackend b)
    {
        var shape = new Shape(2, 3, 11, 9);
        foreach (var p in new[] { Pool2dParams.Square(3, 2), Pool2dParams.Square(3, 2, 1, true), Pool2dParams.Square(2, 2) })
        {
            using var x0 = Tensor.FromArray(b, shape, Rand.Uniform(30, shape.Count));
            var (values, s) = MaxPool2d.Forward(x0, p);
            using (values) using (s)
            {
                var xs = Rand.Uniform(31, shape.Count);
                var ys = Rand.Uniform(32, values.Count);
                var sw = s.ToIntArray();
                var sel = new float[values.Count];
                int ohw = values.Shape.H * values.Shape.W, hw = shape.H * shape.W;
                for (int o = 0; o < sel.Length; o++) sel[o] = xs[o / ohw * hw + sw[o]];
                double lhs = Dot(sel, ys);
                using var x = Tensor.FromArray(b, shape, xs);
                using var y = Tensor.FromArray(b, values.Shape, ys);
                using var back = MaxPool2d.Backward(y, s, shape, p);
                using var unpool = MaxUnpool2d.Forward(y, s, shape, p);
                AssertNear(lhs, Dot(xs, back.ToArray()), $"⟨sel(x), y⟩ vs ⟨x, maxpool backward(y)⟩ {p}");
                AssertNear(lhs, Dot(xs, unpool.ToArray()), $"⟨sel(x), y⟩ vs ⟨x, unpool(y; p)⟩ {p}");
                if (p.KernelH == p.StrideH)
                {
                    using var scatter = MaxUnpool2d.Forward(y, s, shape);
                    AssertNear(Dot(values.ToArray(), ys), Dot(x0.ToArray(), scatter.ToArray()), $"⟨pool(x0), y⟩ vs ⟨x0, unpool(y)⟩ {p}");
                }
            }
        }
    }

    public static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    public static void AssertNear(double a, double e, string what) =>
        Assert.True(Math.Abs(a - e) <= 1e-5 * (1 + Math.Abs(e)), $"{what}: {a:g9} vs {e:g9}");
}

public class MaxPool2dReferenceTests
{
    private static readonly float[] X4 = [1, 5, 2, 0, 3, 4, 8, 6, 7, 0, 1, 2, 9, 3, 4, 10];

    [Fact]
    public void HandComputed4x4()
    {
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(1, 1, 4, 4), X4);
        var (y, idx) = MaxPool2d.Forward(x, Pool2dParams.Square(2, 2));
        Assert.Equal([5f, 8, 9, 10], y.ToArray());
        Assert.Equal([1, 6, 12, 15], idx.ToIntArray());
        // 3×3 stride 1: the two top windows both pick the 8 at (1, 2); backward sums their dy there.
        var (y3, idx3) = MaxPool2d.Forward(x, Pool2dParams.Square(3, 1));
        Assert.Equal([8f, 8, 9, 10], y3.ToArray());
        Assert.Equal([6, 6, 12, 15], idx3.ToIntArray());
        using var dy = Tensor.FromArray(b, y3.Shape, [1f, 2, 3, 4]);
        var dx = MaxPool2d.Backward(dy, idx3, x.Shape, Pool2dParams.Square(3, 1)).ToArray();
        Assert.Equal([0f, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 0, 4], dx);
        // Padding 1, ceil mode: 4 → 3 outputs; the padded border never wins even against negatives.
        using var neg = Tensor.FromArray(b, x.Shape, X4.Select(v => -v - 1).ToArray());
        var (yn, idxn) = MaxPool2d.Forward(neg, Pool2dParams.Square(2, 2, 1, true));
        Assert.Equal(new Shape(1, 1, 3, 3), yn.Shape);
        Assert.Equal([0, 2, 3, 4, 9, 11, 12, 13, 15], idxn.ToIntArray());
        Assert.Equal([-2f, -3, -1, -4, -1, -3, -10, -4, -11], yn.ToArray());
    }

    [Theory]
    [InlineData(7, 9, 3, 2, 0, false, 1)]
    [InlineData(7, 9, 3, 2, 1, true, 1)]
    [InlineData(8, 7, 2, 1, 1, false, 2)]
    public void BackwardMatchesFiniteDifferences(int h, int w, int k, int s, int pad, bool ceil, int d)
    {
        var p = new Pool2dParams(k, k, s, s, pad, pad, ceil, d, d);
        var xs = new Shape(1, 2, h, w);
        var ys = MaxPool2d.OutputShape(xs, p);
        var x = FiniteDiff.Uniform(40 + h, (int)xs.Count);
        var seed = FiniteDiff.Uniform(41 + h, (int)ys.Count);
        var idx = new int[ys.Count];
        Pool2dRef.MaxForward<double>(x, new double[ys.Count], idx, xs, ys, p);
        var dx = new double[xs.Count];
        Pool2dRef.MaxBackward<double>(seed, idx, dx, xs, ys);
        FiniteDiff.AssertMatches(dx, v =>
        {
            var y = new double[ys.Count];
            Pool2dRef.MaxForward<double>(v, y, new int[ys.Count], xs, ys, p);
            return y;
        }, x, seed, $"maxpool {p}");
    }

    [Fact]
    public void SelectMapAdjointHolds() => MaxPool2dAdjoint.Check(Backends.Reference);

    [Theory]
    [InlineData(55, 3, 2, 0, false, 27)]
    [InlineData(27, 3, 2, 0, true, 13)]
    [InlineData(13, 3, 2, 0, true, 6)]
    [InlineData(7, 2, 2, 0, true, 4)]
    [InlineData(7, 2, 2, 0, false, 3)]
    [InlineData(5, 2, 2, 1, true, 3)]
    [InlineData(6, 2, 2, 1, true, 4)]
    [InlineData(4, 3, 3, 1, true, 2)]
    public void OutputSizeFollowsFloorAndClippedCeil(int input, int k, int s, int pad, bool ceil, int expected)
    {
        // (4, 3, 3, 1, ceil): ceil((4 + 2 − 3) / 3) + 1 = 2, last window starts at 3 − 1 = 2 < 4 + 1: kept.
        // (6, 2, 2, 1, ceil): ceil(6 / 2) + 1 = 4, last window starts at 6 − 1 = 5 < 7: kept.
        var shape = MaxPool2d.OutputShape(new Shape(1, 1, input, input), Pool2dParams.Square(k, s, pad, ceil));
        Assert.Equal(expected, shape.H);
    }

    [Fact]
    public void CeilModeDropsAWindowStartingInTheRightPadding()
    {
        // in 5, k 2, s 2, pad 1: ceil((5 + 2 − 2) / 2) + 1 = 4, but window 3 would start at 3·2 − 1 = 5,
        // in the right padding ((4 − 1)·2 ≥ 5 + 1): dropped → 3.
        // in 4, k 2, s 3, pad 1: ceil((4 + 2 − 2) / 3) + 1 = 3, window 2 starts at 6 − 1 = 5 ≥ 4: dropped → 2.
        Assert.Equal(3, MaxPool2d.OutputShape(new Shape(1, 1, 5, 5), Pool2dParams.Square(2, 2, 1, true)).H);
        Assert.Equal(2, MaxPool2d.OutputShape(new Shape(1, 1, 4, 4), Pool2dParams.Square(2, 3, 1, true)).H);
    }
}
