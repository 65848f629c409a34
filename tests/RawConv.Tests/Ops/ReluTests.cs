using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class ReluTests : BackendTest
{
    [SkippableFact]
    public void ForwardMatchesReference()
    {
        var xs = Rand.Uniform(1, 2 * 3 * 7 * 9);
        using var x = Tensor.FromArray(B, new Shape(2, 3, 7, 9), xs);
        using var xr = Tensor.FromArray(Ref, x.Shape, xs);
        using var y = Relu.Forward(x);
        using var yr = Relu.Forward(xr);
        Check.Close(y.ToArray(), yr.ToArray(), 0, 0, "relu forward");
    }

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void BackwardMatchesReference(ReluRule rule)
    {
        var shape = new Shape(2, 5, 7, 9);
        var xs = Rand.Uniform(2, shape.Count);
        var dys = Rand.Uniform(3, shape.Count);
        using var dx = Relu.Backward(Tensor.FromArray(B, shape, xs), Tensor.FromArray(B, shape, dys), rule);
        using var dxr = Relu.Backward(Tensor.FromArray(Ref, shape, xs), Tensor.FromArray(Ref, shape, dys), rule);
        Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, $"relu backward {rule}");
    }

    [SkippableFact]
    public void ShapeMismatchNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2, 3, 3));
        using var dy = Tensor.Zeros(B, new Shape(1, 2, 3, 4));
        var e = Assert.Throws<RawConvException>(() => Relu.Backward(x, dy));
        Assert.Contains("relu.backward", e.Message);
        Assert.Contains("(1, 2, 3, 4)", e.Message);
    }
}

public sealed class ReluOpenClTests : ReluTests { protected override string BackendName => "opencl"; }
public sealed class ReluCudaTests : ReluTests { protected override string BackendName => "cuda"; }

public class ReluReferenceTests
{
    [Fact]
    public void RulesFollowTheirDefinitions()
    {
        double[] x = [-1, 2, 3, -4, 0];
        double[] dy = [5, -6, 7, 8, 9];
        var dx = new double[5];
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Standard);
        Assert.Equal([0, -6, 7, 0, 0], dx);
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Deconvnet);
        Assert.Equal([5, 0, 7, 8, 9], dx);
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Guided);
        Assert.Equal([0, 0, 7, 0, 0], dx);
    }
}

public class ReluGradientTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void StandardBackwardMatchesFiniteDifferences(int seed)
    {
        var x = FiniteDiff.Uniform(seed, 40);
        var seedGrad = FiniteDiff.Uniform(seed + 100, 40);
        var dx = new double[40];
        ReluRef.Backward<double>(x, seedGrad, dx, ReluRule.Standard);
        FiniteDiff.AssertMatches(dx, v => { var y = new double[v.Length]; ReluRef.Forward<double>(v, y); return y; },
            x, seedGrad, "relu");
    }
}
