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

    [SkippableTheory]
    [InlineData(0.3f)]
    [InlineData(0.01f)]
    [InlineData(-0.5f)]
    public void LeakyForwardMatchesReference(float slope)
    {
        var xs = Rand.Uniform(4, 2 * 3 * 7 * 9);
        using var y = Relu.Forward(Tensor.FromArray(B, new Shape(2, 3, 7, 9), xs), slope);
        using var yr = Relu.Forward(Tensor.FromArray(Ref, new Shape(2, 3, 7, 9), xs), slope);
        Check.Close(y.ToArray(), yr.ToArray(), 0, 0, $"leaky relu forward, slope {slope}");
        Assert.Equal(xs.Select(v => v > 0 ? v : slope * v), yr.ToArray());
    }

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void LeakyBackwardMatchesReference(ReluRule rule)
    {
        var shape = new Shape(2, 5, 7, 9);
        var xs = Rand.Uniform(5, shape.Count);
        var dys = Rand.Uniform(6, shape.Count);
        using var dx = Relu.Backward(Tensor.FromArray(B, shape, xs), Tensor.FromArray(B, shape, dys), rule, 0.3f);
        using var dxr = Relu.Backward(Tensor.FromArray(Ref, shape, xs), Tensor.FromArray(Ref, shape, dys), rule, 0.3f);
        Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, $"leaky relu backward {rule}");
    }

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void ZeroSlopeIsPlainReluBitForBit(ReluRule rule)
    {
        var shape = new Shape(3, 4, 5, 7);
        var xs = Rand.Uniform(7, shape.Count);
        var dys = Rand.Uniform(8, shape.Count);
        static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
        using var y = Relu.Forward(Tensor.FromArray(B, shape, xs), 0f);
        Assert.Equal(Bits(xs.Select(v => v > 0 ? v : 0f).ToArray()), Bits(y.ToArray())); // +0, never −0
        using var dx = Relu.Backward(Tensor.FromArray(B, shape, xs), Tensor.FromArray(B, shape, dys), rule, 0f);
        var want = xs.Zip(dys, (v, g) => rule switch
        {
            ReluRule.Deconvnet => g > 0 ? g : 0f,
            ReluRule.Guided => v > 0 && g > 0 ? g : 0f,
            _ => v > 0 ? g : 0f,
        }).ToArray();
        Assert.Equal(Bits(want), Bits(dx.ToArray()));
    }

    [SkippableFact]
    public void LeakyStandardBackwardMatchesFiniteDifferences()
    {
        // The device's own forward, differenced in float32 around points away from the kink at 0.
        var shape = new Shape(1, 2, 5, 7);
        var xs = Rand.Uniform(9, shape.Count).Select(v => v + (v >= 0 ? 0.05f : -0.05f)).ToArray();
        var seed = Rand.Uniform(10, shape.Count);
        const float h = 1e-2f, slope = 0.2f;
        float Loss(float[] v)
        {
            using var t = Tensor.FromArray(B, shape, v);
            using var y = Relu.Forward(t, slope);
            return y.ToArray().Zip(seed, (a, b) => a * b).Sum();
        }
        var numeric = new float[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            var p = (float[])xs.Clone();
            var m = (float[])xs.Clone();
            p[i] += h;
            m[i] -= h;
            numeric[i] = (Loss(p) - Loss(m)) / (2 * h);
        }
        using var dx = Relu.Backward(Tensor.FromArray(B, shape, xs), Tensor.FromArray(B, shape, seed), ReluRule.Standard, slope);
        // Central differences of a float32 sum of 70 terms: rounding of the loss (~1e-6) over 2h dominates.
        Check.Close(dx.ToArray(), numeric, 2e-3, 1e-3, "leaky relu dx vs central differences");
    }

    [SkippableFact]
    public void NonFiniteSlopeIsRejected()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2));
        var e = Assert.Throws<RawConvException>(() => Relu.Forward(x, float.NaN));
        Assert.Contains("relu.forward: slope NaN must be finite", e.Message);
        e = Assert.Throws<RawConvException>(() => Relu.Backward(x, x, ReluRule.Guided, float.PositiveInfinity));
        Assert.Contains("relu.backward", e.Message);
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

    [Fact]
    public void LeakyRulesFollowTheirDefinitions()
    {
        double[] x = [-1, 2, 3, -4, 0];
        double[] dy = [5, -6, 7, 8, -9];
        var y = new double[5];
        ReluRef.Forward<double>(x, y, 0.25);
        Assert.Equal([-0.25, 2, 3, -1, 0], y);
        var dx = new double[5];
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Standard, 0.25);
        Assert.Equal([1.25, -6, 7, 2, -2.25], dx);
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Deconvnet, 0.25);
        Assert.Equal([5, 0, 7, 8, 0], dx);
        ReluRef.Backward<double>(x, dy, dx, ReluRule.Guided, 0.25);
        Assert.Equal([1.25, 0, 7, 2, 0], dx);
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

    [Theory]
    [InlineData(13, 0.3)]
    [InlineData(14, 0.01)]
    public void LeakyStandardBackwardMatchesFiniteDifferences(int seed, double slope)
    {
        var x = FiniteDiff.Uniform(seed, 40);
        var seedGrad = FiniteDiff.Uniform(seed + 100, 40);
        var dx = new double[40];
        ReluRef.Backward<double>(x, seedGrad, dx, ReluRule.Standard, slope);
        FiniteDiff.AssertMatches(dx, v => { var y = new double[v.Length]; ReluRef.Forward<double>(v, y, slope); return y; },
            x, seedGrad, $"leaky relu, slope {slope}");
    }
}
