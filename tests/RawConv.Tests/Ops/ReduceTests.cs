using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class ReduceTests : BackendTest
{
    [SkippableTheory]
    [InlineData(new[] { 7, 9, 3 })]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1025, 3 })]
    [InlineData(new[] { 16, 96, 55, 55 })]
    public void ScalarsMatchReference(int[] dims)
    {
        var shape = new Shape(dims);
        var v = Rand.Uniform(91, shape.Count, -1, 3);
        using var x = Tensor.FromArray(B, shape, v);
        using var xr = Tensor.FromArray(Ref, shape, v);
        void Near(double a, double e, string what) => Check.Nmse([(float)a], [(float)e], 1e-7, $"{what} {shape}");
        Near(Reduce.Sum(x), Reduce.Sum(xr), "sum");
        Near(Reduce.Mean(x), Reduce.Mean(xr), "mean");
        Near(Reduce.L2Norm(x), Reduce.L2Norm(xr), "L2 norm");
        Near(Reduce.SumAbs(x), Reduce.SumAbs(xr), "sum of |x|");
        Assert.Equal(Reduce.MaxAbs(xr), Reduce.MaxAbs(x));
        Assert.Equal(Reduce.Sum(x), Reduce.Sum(x));
    }

    [SkippableFact]
    public void L2NormBackwardMatchesReference()
    {
        var shape = new Shape(3, 7, 9);
        var v = Rand.Uniform(92, shape.Count);
        using var dx = Reduce.L2NormBackward(Tensor.FromArray(B, shape, v), 0.7f);
        using var dxr = Reduce.L2NormBackward(Tensor.FromArray(Ref, shape, v), 0.7f);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, "L2 norm backward");
        using var zero = Reduce.L2NormBackward(Tensor.Zeros(B, shape), 1f);
        Assert.All(zero.ToArray(), z => Assert.Equal(0f, z));
    }

    public static TheoryData<int[], int[]> AxesCases => new()
    {
        { [2, 3, 7, 9], [0, 2, 3] }, { [2, 3, 7, 9], [1] }, { [2, 3, 7, 9], [-1] }, { [2, 3, 7, 9], [0, 1, 2, 3] },
        { [2, 3, 7, 9], [] }, { [2, 3, 4, 5, 6], [0, 2, 4] }, { [3, 2, 4, 5, 3, 2], [1, 3, 5] }, { [5, 300], [1] },
    };

    [SkippableTheory]
    [MemberData(nameof(AxesCases))]
    public void SumAxesMatchesReference(int[] dims, int[] axes)
    {
        var shape = new Shape(dims);
        var v = Rand.Uniform(93, shape.Count);
        using var y = Reduce.SumAxes(Tensor.FromArray(B, shape, v), axes);
        using var yr = Reduce.SumAxes(Tensor.FromArray(Ref, shape, v), axes);
        Assert.Equal(yr.Shape, y.Shape);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, $"sum {shape} over ({string.Join(", ", axes)})");
    }

    [SkippableFact]
    public void BiasGradientOfAlexNetConv1()
    {
        var shape = new Shape(16, 96, 55, 55);
        var v = Rand.Uniform(94, shape.Count);
        using var y = Reduce.SumAxes(Tensor.FromArray(B, shape, v), 0, 2, 3);
        using var yr = Reduce.SumAxes(Tensor.FromArray(Ref, shape, v), 0, 2, 3);
        Assert.Equal(new Shape(96), y.Shape);
        Check.Nmse(y.ToArray(), yr.ToArray(), 1e-7, "conv1 bias gradient");
    }

    [SkippableFact]
    public void BadAxesNameOpAndShape()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 3));
        var e = Assert.Throws<RawConvException>(() => Reduce.SumAxes(x, 2));
        Assert.Contains("reduce.sum_axes", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<RawConvException>(() => Reduce.SumAxes(x, 1, -1));
        Assert.Contains("twice", e.Message);
        using var ints = Tensor.Zeros(B, new Shape(2), DType.Int32);
        e = Assert.Throws<RawConvException>(() => Reduce.Sum(ints));
        Assert.Contains("reduce.sum", e.Message);
    }
}

public sealed class ReduceOpenClTests : ReduceTests { protected override string BackendName => "opencl"; }
public sealed class ReduceCudaTests : ReduceTests { protected override string BackendName => "cuda"; }

public class ReduceReferenceTests
{
    [Fact]
    public void HandComputed()
    {
        var r = Backends.Reference;
        using var x = Tensor.FromArray(r, new Shape(2, 3), [1, 2, 3, 4, 5, -6]);
        Assert.Equal(9, Reduce.Sum(x));
        Assert.Equal(1.5, Reduce.Mean(x));
        Assert.Equal(Math.Sqrt(91), Reduce.L2Norm(x), 12);
        Assert.Equal(6, Reduce.MaxAbs(x));
        Assert.Equal(21, Reduce.SumAbs(x));
        using var rows = Reduce.SumAxes(x, 1);
        Assert.Equal([6f, 3f], rows.ToArray());
        using var cols = Reduce.SumAxes(x, 0);
        Assert.Equal([5f, 7f, -3f], cols.ToArray());
    }

    [Fact]
    public void L2NormBackwardMatchesFiniteDifferences()
    {
        var x = FiniteDiff.Uniform(95, 30);
        var dx = new double[30];
        ReduceRef.L2NormBackward<double>(x, 1.3, dx);
        FiniteDiff.AssertMatches(dx, v => [Math.Sqrt(ReduceRef.SumSquares<double>(v))], x, [1.3], "L2 norm");
    }
}
