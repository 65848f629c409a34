using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class AvgPool2dTests : BackendTest
{
    // n, c, h, w, kernel, stride, pad, ceil
    public static TheoryData<int, int, int, int, int, int, int, bool> Cases => new()
    {
        { 2, 3, 7, 9, 2, 2, 0, false },
        { 2, 3, 7, 9, 2, 2, 1, true },
        { 2, 3, 7, 9, 3, 2, 1, false },
        { 2, 3, 7, 9, 3, 2, 1, true },
        { 1, 5, 13, 11, 3, 1, 1, false },
        { 1, 5, 13, 11, 3, 3, 1, true },
        { 1, 5, 13, 11, 2, 3, 0, true },
        { 1, 2, 30, 29, 7, 7, 3, true },
        { 1, 2, 30, 29, 5, 5, 2, false },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(int n, int c, int h, int w, int k, int s, int pad, bool ceil)
    {
        foreach (bool include in new[] { true, false })
            Compare(new Shape(n, c, h, w), new Pool2dParams(k, k, s, s, pad, pad, ceil), include);
    }

    [SkippableFact]
    public void RectangularWindowsMatchReference()
    {
        foreach (bool include in new[] { true, false })
            Compare(new Shape(2, 3, 11, 13), new Pool2dParams(3, 2, 2, 3, 1, 1, true), include);
    }

    [SkippableFact]
    public void AdjointHoldsOnDevice() => AvgPool2dAdjoint.Check(B);

    [SkippableFact]
    public void BadShapesAndParametersAreRejected()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2, 5, 5));
        Assert.Contains("dilation", Fails(() => AvgPool2d.Forward(x, new Pool2dParams(2, 2, 1, 1, 0, 0, false, 2, 2))));
        Assert.Contains("larger than the padded input", Fails(() => AvgPool2d.Forward(x, Pool2dParams.Square(8, 1, 1))));
        Assert.Contains("covers only padding", Fails(() => AvgPool2d.Forward(x, Pool2dParams.Square(2, 1, 2))));
        using var dy = Tensor.Zeros(B, new Shape(1, 2, 3, 2));
        Assert.Contains("(1, 2, 3, 2)", Fails(() => AvgPool2d.Backward(dy, x.Shape, Pool2dParams.Square(2, 2))));
    }

    private static string Fails(Func<object> f)
    {
        var e = Assert.Throws<RawConvException>(() => f());
        Assert.Contains("avgpool2d", e.Message);
        return e.Message;
    }

    private void Compare(Shape shape, Pool2dParams p, bool include)
    {
        string what = $"{p} include pad {include}";
        var xs = Rand.Uniform(70 + shape.H, shape.Count);
        using var y = AvgPool2d.Forward(Tensor.FromArray(B, shape, xs), p, include);
        using var yr = AvgPool2d.Forward(Tensor.FromArray(Ref, shape, xs), p, include);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, what);
        var dys = Rand.Uniform(71 + shape.W, y.Count);
        using var dx = AvgPool2d.Backward(Tensor.FromArray(B, y.Shape, dys), shape, p, include);
        using var dxr = AvgPool2d.Backward(Tensor.FromArray(Ref, y.Shape, dys), shape, p, include);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " backward");
    }
}

public sealed class AvgPool2dOpenClTests : AvgPool2dTests { protected override string BackendName => "opencl"; }
public sealed class AvgPool2dCudaTests : AvgPool2dTests { protected override string BackendName => "cuda"; }

/// <summary>⟨avgpool(x), y⟩ = ⟨x, avgpool_backward(y)⟩ for random x, y, both divisor rules, with padding and ceil mode.</summary>
public static class AvgPool2dAdjoint
{
    public static void Check(IBackend b)
    {
        var shape = new Shape(2, 3, 9, 10);
        foreach (var p in new[] { Pool2dParams.Square(3, 2), Pool2dParams.Square(3, 2, 1, true), Pool2dParams.Square(2, 3, 1, true) })
            foreach (bool include in new[] { true, false })
            {
                var xs = Rand.Uniform(72, shape.Count);
                using var y = AvgPool2d.Forward(Tensor.FromArray(b, shape, xs), p, include);
                var ys = Rand.Uniform(73, y.Count);
                using var back = AvgPool2d.Backward(Tensor.FromArray(b, y.Shape, ys), shape, p, include);
                MaxPool2dAdjoint.AssertNear(MaxPool2dAdjoint.Dot(y.ToArray(), ys), MaxPool2dAdjoint.Dot(xs, back.ToArray()), $"avgpool adjoint {p} include {include}");
            }
    }
}

public class AvgPool2dReferenceTests
{
    [Fact]
    public void HandComputed4x4()
    {
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(1, 1, 4, 4), Enumerable.Range(1, 16).Select(i => (float)i).ToArray());
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], AvgPool2d.Forward(x, Pool2dParams.Square(2, 2)).ToArray());
        // Ones, 3×3 stride 2 pad 1, ceil mode: 3×3 outputs; the last row/column of windows covers rows 3..4,
        // where row 4 is padding (counted with count_include_pad) and row 5 lies past the padded input (never counted).
        using var ones = Tensor.FromArray(b, x.Shape, Enumerable.Repeat(1f, 16).ToArray());
        var p = Pool2dParams.Square(3, 2, 1, true);
        float[] include = [4 / 9f, 6 / 9f, 2 / 6f, 6 / 9f, 1, 3 / 6f, 2 / 6f, 3 / 6f, 1 / 4f];
        Check.Close(AvgPool2d.Forward(ones, p, true).ToArray(), include, 1e-7, 0, "count_include_pad");
        Assert.Equal(Enumerable.Repeat(1f, 9).ToArray(), AvgPool2d.Forward(ones, p, false).ToArray());
        // Backward of an all-ones dy without padding counts: pixel (0, 0) lies in one window of 4 inputs.
        using var dy = Tensor.FromArray(b, new Shape(1, 1, 3, 3), Enumerable.Repeat(1f, 9).ToArray());
        var dx = AvgPool2d.Backward(dy, x.Shape, p, false).ToArray();
        Assert.Equal(1 / 4f, dx[0], 6);
        // Pixel (1, 1) lies in windows (0,0), (0,1), (1,0), (1,1) of 4, 6, 6, 9 inputs.
        Assert.Equal(1 / 4f + 1 / 6f + 1 / 6f + 1 / 9f, dx[5], 6);
    }

    [Theory]
    [InlineData(7, 9, 3, 2, 1, true, true)]
    [InlineData(7, 9, 3, 2, 1, true, false)]
    [InlineData(8, 7, 2, 3, 1, true, true)]
    [InlineData(8, 7, 2, 1, 0, false, true)]
    public void BackwardMatchesFiniteDifferences(int h, int w, int k, int s, int pad, bool ceil, bool include)
    {
        var p = Pool2dParams.Square(k, s, pad, ceil);
        var xs = new Shape(1, 2, h, w);
        var ys = AvgPool2d.OutputShape(xs, p);
        var x = FiniteDiff.Uniform(80 + h, (int)xs.Count);
        var seed = FiniteDiff.Uniform(81 + h, (int)ys.Count);
        var dx = new double[xs.Count];
        Pool2dRef.AvgBackward<double>(seed, dx, xs, ys, p, include);
        FiniteDiff.AssertMatches(dx, v =>
        {
            var y = new double[ys.Count];
            Pool2dRef.AvgForward<double>(v, y, xs, ys, p, include);
            return y;
        }, x, seed, $"avgpool {p} include {include}");
    }

    [Fact]
    public void AdjointHolds() => AvgPool2dAdjoint.Check(Backends.Reference);
}
