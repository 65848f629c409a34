using RawConv.Graph;
using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class LeakyReluTests : BackendTest
{
    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void BackwardMatchesReference(ReluRule rule)
    {
        var shape = new Shape(2, 5, 7, 9);
        var xs = Rand.Uniform(21, shape.Count);
        var dys = Rand.Uniform(22, shape.Count);
        using var dx = LeakyRelu.Backward(Tensor.FromArray(B, shape, xs), Tensor.FromArray(B, shape, dys), rule, 0.3f);
        using var dxr = LeakyRelu.Backward(Tensor.FromArray(Ref, shape, xs), Tensor.FromArray(Ref, shape, dys), rule, 0.3f);
        Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, $"leaky relu backward {rule}");
    }

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void LayerFollowsEachRuleInANet(ReluRule rule)
    {
        const float slope = 0.3f;
        var spec = new NetSpec("l", new Shape(3, 5, 7), [new LeakyReluLayer("leaky", slope)]);
        using var net = new Net(spec, B);
        var xs = Rand.Uniform(23, spec.InputShape(2).Count);
        var seed = Rand.Uniform(24, xs.Length);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        Assert.Equal(xs.Select(v => v > 0 ? v : slope * v), f.Output.ToArray());
        using var s = Tensor.FromArray(B, f.Output.Shape, seed);
        using var g = net.Backward(f, "leaky", s, rule);
        var want = xs.Zip(seed, (v, d) => rule switch
        {
            ReluRule.Deconvnet => d > 0 ? d : slope * d,
            ReluRule.Guided => d > 0 ? (v > 0 ? d : slope * d) : 0f,
            _ => v > 0 ? d : slope * d,
        });
        Assert.Equal(want, g.InputGradient.ToArray());
    }

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void ZeroSlopeIsPlainReluBitForBit(ReluRule rule)
    {
        var shape = new Shape(3, 4, 5, 7);
        var xs = Rand.Uniform(25, shape.Count);
        var dys = Rand.Uniform(26, shape.Count);
        static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
        using var x = Tensor.FromArray(B, shape, xs);
        using var dy = Tensor.FromArray(B, shape, dys);
        using var y = LeakyRelu.Forward(x, 0f);
        using var yRelu = Relu.Forward(x);
        Assert.Equal(Bits(yRelu.ToArray()), Bits(y.ToArray()));
        using var dx = LeakyRelu.Backward(x, dy, rule, 0f);
        using var dxRelu = Relu.Backward(x, dy, rule);
        Assert.Equal(Bits(dxRelu.ToArray()), Bits(dx.ToArray()));
    }

    [SkippableTheory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.PositiveInfinity)]
    public void SlopesOutsideZeroToOneAreRejected(float slope)
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2));
        var e = Assert.Throws<RawConvException>(() => LeakyRelu.Forward(x, slope));
        Assert.Contains("leaky_relu.forward: slope", e.Message);
        Assert.Contains("0 ≤ slope < 1", e.Message);
        e = Assert.Throws<RawConvException>(() => LeakyRelu.Backward(x, x, ReluRule.Guided, slope));
        Assert.Contains("leaky_relu.backward: slope", e.Message);
    }

    [SkippableFact]
    public void ShapeMismatchNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2, 3, 3));
        using var dy = Tensor.Zeros(B, new Shape(1, 2, 3, 4));
        var e = Assert.Throws<RawConvException>(() => LeakyRelu.Backward(x, dy));
        Assert.Contains("leaky_relu.backward", e.Message);
        Assert.Contains("(1, 2, 3, 4)", e.Message);
    }
}

public sealed class LeakyReluOpenClTests : LeakyReluTests { protected override string BackendName => "opencl"; }
public sealed class LeakyReluCudaTests : LeakyReluTests { protected override string BackendName => "cuda"; }

public class LeakyReluReferenceTests
{
    [Fact]
    public void RulesFollowTheirDefinitions()
    {
        double[] x = [-1, 2, 3, -4, 0];
        double[] dy = [5, -6, 7, 8, -9];
        var dx = new double[5];
        LeakyReluRef.Backward<double>(x, dy, dx, ReluRule.Standard, 0.25);
        Assert.Equal([1.25, -6, 7, 2, -2.25], dx);
        LeakyReluRef.Backward<double>(x, dy, dx, ReluRule.Deconvnet, 0.25);
        Assert.Equal([5, -1.5, 7, 8, -2.25], dx);
        LeakyReluRef.Backward<double>(x, dy, dx, ReluRule.Guided, 0.25);
        Assert.Equal([1.25, 0, 7, 2, 0], dx);
    }

    [Theory]
    [InlineData(17, 0.3)]
    [InlineData(18, 0.2)]
    public void StandardBackwardMatchesFiniteDifferences(int seed, double slope)
    {
        var x = FiniteDiff.Uniform(seed, 40);
        var seedGrad = FiniteDiff.Uniform(seed + 100, 40);
        var dx = new double[40];
        LeakyReluRef.Backward<double>(x, seedGrad, dx, ReluRule.Standard, slope);
        FiniteDiff.AssertMatches(dx, v => { var y = new double[v.Length]; ReluRef.Forward<double>(v, y, slope); return y; },
            x, seedGrad, $"leaky relu, slope {slope}");
    }

    [Fact]
    public void IsAKindOfItsOwnInJsonWithItsSlope()
    {
        var spec = new NetSpec("l", new Shape(4), [new FcLayer("fc", 6), new LeakyReluLayer("leaky", 0.3f), new LeakyReluLayer("plain")]).Validate();
        var json = spec.ToJson();
        Assert.Contains("\"type\": \"leaky_relu\"", json);
        Assert.Contains("\"slope\": 0.3", json);
        var back = NetSpec.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(0.3f, ((LeakyReluLayer)back["leaky"]).Slope);
        Assert.Equal(0.2f, ((LeakyReluLayer)back["plain"]).Slope);
        Assert.Equal(FieldRule.Identity, spec["leaky"].Field());
        Assert.Contains("leaky_relu 0.3", spec.Info());
        var bad = json.Replace("\"slope\": 0.3", "\"slope\": 1.5");
        var e = Assert.Throws<RawConvException>(() => NetSpec.FromJson(bad, "g.json"));
        Assert.Contains("g.json", e.Message);
        Assert.Contains("layer 'leaky' (leaky_relu): slope 1.5", e.Message);
    }
}
