using RawConv.Graph;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>A small net with every layer kind, run on a kernel backend and compared with the reference.</summary>
public abstract class NetTests : BackendTest
{
    internal static NetSpec Tiny() => new("tiny", 3, 19, 17,
    [
        new ConvLayer("conv1", 8, 5, 5, 2, 2, 1, 1),
        new ReluLayer("relu1"),
        new LrnLayer("norm1", 3),
        new MaxPoolLayer("pool1", 3, 3, 2, 2, CeilMode: true),
        new ConvLayer("conv2", 6, 3, 3, PadH: 1, PadW: 1, Groups: 2),
        new ReluLayer("relu2"),
        new AvgPoolLayer("pool2", 2, 2, 1, 1),
        new FlattenLayer("flatten"),
        new FcLayer("fc1", 10),
        new ReluLayer("relu3"),
        new DropoutLayer("drop"),
        new FcLayer("fc2", 4),
        new SoftmaxLayer("prob"),
    ]);

    [SkippableTheory]
    [InlineData(ReluRule.Standard)]
    [InlineData(ReluRule.Deconvnet)]
    [InlineData(ReluRule.Guided)]
    public void ForwardAndBackwardMatchReference(ReluRule rule)
    {
        var spec = Tiny();
        using var net = new Net(spec, B);
        using var netRef = new Net(spec, Ref);
        net.InitializeRandom(7);
        netRef.InitializeRandom(7);
        var xs = Rand.Uniform(8, spec.InputShape(2).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var xr = Tensor.FromArray(Ref, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var fr = netRef.Forward(xr);
        foreach (var layer in fr.Layers)
            Check.Close(f[layer].ToArray(), fr[layer].ToArray(), 1e-5, 1e-4, $"forward {layer}");
        foreach (var (layer, sw) in fr.Switches)
            Check.Exact(f.Switches[layer].ToIntArray(), sw.ToIntArray(), $"switches {layer}");

        var seed = Rand.Uniform(9, fr["fc2"].Count);
        using var s = Tensor.FromArray(B, fr["fc2"].Shape, seed);
        using var sr = Tensor.FromArray(Ref, fr["fc2"].Shape, seed);
        using var g = net.Backward(f, "fc2", s, rule, parameterGradients: true);
        using var gr = netRef.Backward(fr, "fc2", sr, rule, parameterGradients: true);
        Check.Close(g.InputGradient.ToArray(), gr.InputGradient.ToArray(), 1e-4, 1e-3, $"input gradient ({rule})");
        foreach (var (layer, p) in gr.ParameterGradients)
            Check.Close(g.ParameterGradients[layer].Weight.ToArray(), p.Weight.ToArray(), 1e-4, 1e-3, $"d{layer}.weight");
    }

    [SkippableFact]
    public void ForwardStopsAtTheRequestedLayer()
    {
        using var net = new Net(Tiny(), B);
        net.InitializeRandom(1);
        using var x = Rand.Tensor(B, 3, 1, 3, 19, 17);
        using var f = net.Forward(x, "pool1");
        Assert.Equal("pool1", f.Layers.Last());
        Assert.Equal(net.Spec.Shapes()[net.Spec.IndexOf("pool1") + 1], f.Output.Shape);
        Assert.Throws<RawConvException>(() => f["fc2"]);
    }
}

public sealed class NetOpenClTests : NetTests { protected override string BackendName => "opencl"; }
public sealed class NetCudaTests : NetTests { protected override string BackendName => "cuda"; }

public class NetReferenceTests
{
    [Fact]
    public void InputGradientMatchesFiniteDifferencesOfTheScore()
    {
        // Whole-network check in float32 on the reference: central differences with a step large enough
        // for float32 (h = 1e-2) and a tolerance to match; the float64 op-level checks live in the op tests.
        var spec = NetTests.Tiny();
        using var net = new Net(spec, Backends.Reference);
        net.InitializeRandom(3);
        var xs = Rand.Uniform(4, spec.InputShape().Count);
        float Score(float[] v)
        {
            using var x = Tensor.FromArray(Backends.Reference, spec.InputShape(), v);
            using var f = net.Forward(x, "fc2");
            return f.Output.ToArray()[1];
        }
        using var x0 = Tensor.FromArray(Backends.Reference, spec.InputShape(), xs);
        using var f0 = net.Forward(x0, "fc2");
        using var seed = Tensor.FromArray(Backends.Reference, f0.Output.Shape, [0f, 1f, 0f, 0f]);
        using var g = net.Backward(f0, "fc2", seed);
        var grad = g.InputGradient.ToArray();
        var rng = new Random(5);
        int checkedCount = 0;
        for (int t = 0; t < 40; t++)
        {
            int i = rng.Next(xs.Length);
            var p = (float[])xs.Clone(); p[i] += 1e-2f;
            var m = (float[])xs.Clone(); m[i] -= 1e-2f;
            double fd = (Score(p) - Score(m)) / 2e-2;
            if (Math.Abs(fd - grad[i]) > 2e-3 + 2e-2 * Math.Abs(fd))
            {
                // a ReLU or max switch may flip inside ±h: accept only if the one-sided slopes disagree too
                double up = (Score(p) - Score(xs)) / 1e-2, down = (Score(xs) - Score(m)) / 1e-2;
                Assert.True(Math.Abs(up - down) > 1e-3, $"input {i}: analytic {grad[i]}, numeric {fd}");
                continue;
            }
            checkedCount++;
        }
        Assert.True(checkedCount >= 30, $"only {checkedCount} of 40 points were away from kinks");
    }
}
