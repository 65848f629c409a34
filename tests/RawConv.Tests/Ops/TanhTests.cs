using RawConv.Graph;
using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class TanhTests : BackendTest
{
    [SkippableFact]
    public void ForwardMatchesReference()
    {
        var shape = new Shape(2, 3, 7, 9);
        // Spread over ±8, plus the ends where the kernel's exp underflows and the small values near 0.
        var xs = Rand.Uniform(1, shape.Count).Select(v => 8 * v).ToArray();
        xs[0] = 0f;
        xs[1] = -0f;
        xs[2] = 1e-6f;
        xs[3] = -3e-4f;
        xs[4] = 50f;
        xs[5] = -1e30f;
        using var y = Tanh.Forward(Tensor.FromArray(B, shape, xs));
        using var yr = Tanh.Forward(Tensor.FromArray(Ref, shape, xs));
        Check.Close(y.ToArray(), yr.ToArray(), 1e-5, 1e-4, "tanh forward");
        Assert.Equal(1f, y.ToArray()[4]);
        Assert.Equal(-1f, y.ToArray()[5]);
    }

    [SkippableFact]
    public void BackwardMatchesReference()
    {
        var shape = new Shape(2, 5, 7, 9);
        var ys = Rand.Uniform(2, shape.Count);
        var dys = Rand.Uniform(3, shape.Count);
        using var dx = Tanh.Backward(Tensor.FromArray(B, shape, ys), Tensor.FromArray(B, shape, dys));
        using var dxr = Tanh.Backward(Tensor.FromArray(Ref, shape, ys), Tensor.FromArray(Ref, shape, dys));
        Check.Close(dx.ToArray(), dxr.ToArray(), 1e-4, 1e-3, "tanh backward");
    }

    [SkippableFact]
    public void LayerPassesThePlainGradientUnderEveryRule()
    {
        var spec = new NetSpec("t", new Shape(3, 4, 5), [new TanhLayer("tanh")]);
        using var net = new Net(spec, B);
        var xs = Rand.Uniform(4, spec.InputShape(2).Count).Select(v => 3 * v).ToArray();
        var seed = Rand.Uniform(5, xs.Length);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var s = Tensor.FromArray(B, f.Output.Shape, seed);
        var want = xs.Select((v, i) => (float)(seed[i] * (1 - Math.Tanh(v) * Math.Tanh(v)))).ToArray();
        foreach (var rule in new[] { ReluRule.Standard, ReluRule.Deconvnet, ReluRule.Guided })
        {
            using var g = net.Backward(f, "tanh", s, rule);
            Check.Close(g.InputGradient.ToArray(), want, 1e-4, 1e-3, $"tanh layer backward under {rule}");
        }
    }

    [SkippableFact]
    public void ShapeMismatchNamesOpAndShapes()
    {
        using var y = Tensor.Zeros(B, new Shape(1, 2, 3, 3));
        using var dy = Tensor.Zeros(B, new Shape(1, 2, 3, 4));
        var e = Assert.Throws<RawConvException>(() => Tanh.Backward(y, dy));
        Assert.Contains("tanh.backward", e.Message);
        Assert.Contains("(1, 2, 3, 4)", e.Message);
    }
}

public sealed class TanhOpenClTests : TanhTests { protected override string BackendName => "opencl"; }
public sealed class TanhCudaTests : TanhTests { protected override string BackendName => "cuda"; }

public class TanhReferenceTests
{
    [Fact]
    public void ForwardAndBackwardFollowTheirDefinitions()
    {
        double[] x = [0, 1, -2, 0.5];
        var y = new double[4];
        TanhRef.Forward<double>(x, y);
        // tanh(1) = (e² − 1)/(e² + 1), tanh(0.5) = (e − 1)/(e + 1)
        double e2 = Math.E * Math.E, e4 = e2 * e2;
        Check.Close(y, [0, (e2 - 1) / (e2 + 1), -(e4 - 1) / (e4 + 1), (Math.E - 1) / (Math.E + 1)], 1e-15, 1e-15, "tanh by hand");
        var dx = new double[4];
        TanhRef.Backward<double>([0, 0.5, -0.5, 1], [2, 2, -4, 3], dx);
        Assert.Equal([2, 1.5, -3, 0], dx);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    public void BackwardMatchesFiniteDifferences(int seed)
    {
        var x = FiniteDiff.Uniform(seed, 40).Select(v => 3 * v).ToArray();
        var seedGrad = FiniteDiff.Uniform(seed + 100, 40);
        var y = new double[40];
        TanhRef.Forward<double>(x, y);
        var dx = new double[40];
        TanhRef.Backward<double>(y, seedGrad, dx);
        FiniteDiff.AssertMatches(dx, v => { var o = new double[v.Length]; TanhRef.Forward<double>(v, o); return o; }, x, seedGrad, "tanh");
    }

    [Fact]
    public void IsAKindOfItsOwnInJson()
    {
        var spec = new NetSpec("t", new Shape(4), [new FcLayer("fc", 6), new TanhLayer("out")]).Validate();
        var json = spec.ToJson();
        Assert.Contains("\"type\": \"tanh\"", json);
        Assert.Equal(json, NetSpec.FromJson(json).ToJson());
        Assert.Equal(FieldRule.Identity, spec["out"].Field());
        Assert.Contains("tanh", spec.Info());
    }
}
