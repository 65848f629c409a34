using RawConv.Graph;
using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Layers;

/// <summary>
/// The multi-scale layer against its exact single-convolution reference: one ordinary Kmax×Kmax same-padded
/// convolution whose filters are the banks' k×k filters embedded in the centre with zeros around them.
/// </summary>
public abstract class MultiScaleConvLayerTests : BackendTest
{
    internal const int F = 2;
    internal static readonly int[] Sizes = [1, 3, 5];

    internal static NetSpec Banks(int c, int h, int w, bool bias = true) =>
        new("banks", c, h, w, [new MultiScaleConvLayer("ms", F, Sizes, bias)]);

    internal static NetSpec OneConv(int c, int h, int w) =>
        new("oneconv", c, h, w, [new ConvLayer("conv", F * Sizes.Length, 5, 5, PadH: 2, PadW: 2)]);

    /// <summary>Whether flat index i of the (F·B, C, 5, 5) weight lies inside its bank's centred k×k window.</summary>
    internal static bool Inside(int i, int c)
    {
        int plane = i % 25, row = i / (25 * c), k = Sizes[row / F], off = (5 - k) / 2;
        int y = plane / 5 - off, x = plane % 5 - off;
        return y >= 0 && y < k && x >= 0 && x < k;
    }

    /// <summary>Seeded weights in the multi-scale layout: random inside each bank's window, zero outside.</summary>
    internal static float[] Embedded(int seed, int c) =>
        Rand.Uniform(seed, F * Sizes.Length * c * 25).Select((v, i) => Inside(i, c) ? v : 0f).ToArray();

    [SkippableFact]
    public void ForwardAndBackwardEqualOneConvolutionWithTheEmbeddedFilters()
    {
        var (spec, reference) = (Banks(3, 7, 9), OneConv(3, 7, 9));
        using var net = new Net(spec, B);
        using var conv = new Net(reference, B);
        var w = Embedded(3, 3);
        var bias = Rand.Uniform(4, F * Sizes.Length);
        net.SetParams("ms", w, bias);
        conv.SetParams("conv", w, bias);
        var xs = Rand.Uniform(5, spec.InputShape(2).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var fc = conv.Forward(x);
        Assert.Equal(new Shape(2, 6, 7, 9), f.Output.Shape);
        Check.Close(f.Output.ToArray(), fc.Output.ToArray(), 1e-5, 1e-4, "forward");
        using var seed = Tensor.FromArray(B, f.Output.Shape, Rand.Uniform(6, f.Output.Count));
        using var g = net.Backward(f, "ms", seed, parameterGradients: true);
        using var gc = conv.Backward(fc, "conv", seed, parameterGradients: true);
        Check.Close(g.InputGradient.ToArray(), gc.InputGradient.ToArray(), 1e-4, 1e-3, "input gradient");
        Check.Close(g.ParameterGradients["ms"].Bias!.ToArray(), gc.ParameterGradients["conv"].Bias!.ToArray(), 1e-4, 1e-3, "bias gradient");
        var dw = g.ParameterGradients["ms"].Weight.ToArray();
        var dwc = gc.ParameterGradients["conv"].Weight.ToArray();
        Check.Close(dw.Where((_, i) => Inside(i, 3)).ToArray(), dwc.Where((_, i) => Inside(i, 3)).ToArray(), 1e-4, 1e-3, "filter gradient inside the banks");
        Assert.All(dw.Where((_, i) => !Inside(i, 3)), v => Assert.Equal(0f, v));
        Assert.Contains(dwc.Where((_, i) => !Inside(i, 3)), v => v != 0f);   // the full convolution's gradient is not zero there
    }
}

public sealed class MultiScaleConvLayerReferenceTests : MultiScaleConvLayerTests { protected override string BackendName => "reference"; }
public sealed class MultiScaleConvLayerOpenClTests : MultiScaleConvLayerTests { protected override string BackendName => "opencl"; }
public sealed class MultiScaleConvLayerCudaTests : MultiScaleConvLayerTests { protected override string BackendName => "cuda"; }

public class MultiScaleConvLayerRulesTests
{
    private const int F = MultiScaleConvLayerTests.F;
    private static readonly int[] Sizes = MultiScaleConvLayerTests.Sizes;
    private static readonly IBackend Ref = Backends.Reference;

    [Fact]
    public void GradientsMatchFloat64DifferencesOfTheSingleConvolution()
    {
        // L = Σ seed · conv(x, embed(w)) + bias in float64; the layer's float32 gradients for x and for the weights
        // inside each bank's window must match its central differences, and the weights outside get exactly zero.
        const int c = 2;
        var xs = new Shape(1, c, 5, 6);
        var ws = new Shape(F * Sizes.Length, c, 5, 5);
        var ys = new Shape(1, F * Sizes.Length, 5, 6);
        var p = new Conv2dParams(PadH: 2, PadW: 2);
        var w0 = MultiScaleConvLayerTests.Embedded(7, c);
        var b0 = Rand.Uniform(8, ws[0]);
        var x0 = Rand.Uniform(9, xs.Count);
        var seed = Rand.Uniform(10, ys.Count).Select(v => (double)v).ToArray();
        var inside = Enumerable.Range(0, w0.Length).Where(i => MultiScaleConvLayerTests.Inside(i, c)).ToArray();
        double[] Conv(double[] x, double[] w)
        {
            var y = new double[ys.Count];
            Conv2dRef.Forward<double>(x, w, b0.Select(v => (double)v).ToArray(), y, xs, ws, p);
            return y;
        }
        using var net = new Net(new NetSpec("banks", c, 5, 6, [new MultiScaleConvLayer("ms", F, Sizes)]), Ref);
        net.SetParams("ms", w0, b0);
        using var x = Tensor.FromArray(Ref, xs, x0);
        using var f = net.Forward(x);
        using var s = Tensor.FromArray(Ref, ys, seed.Select(v => (float)v).ToArray());
        using var g = net.Backward(f, "ms", s, parameterGradients: true);
        var wd = w0.Select(v => (double)v).ToArray();
        FiniteDiff.AssertMatches(g.InputGradient.ToArray().Select(v => (double)v).ToArray(), v => Conv(v, wd),
            x0.Select(v => (double)v).ToArray(), seed, "input gradient", 1e-4, 1e-3);
        var dw = g.ParameterGradients["ms"].Weight.ToArray();
        FiniteDiff.AssertMatches(inside.Select(i => (double)dw[i]).ToArray(), v =>
        {
            var w = (double[])wd.Clone();
            for (int j = 0; j < inside.Length; j++) w[inside[j]] = v[j];
            return Conv(x0.Select(e => (double)e).ToArray(), w);
        }, inside.Select(i => wd[i]).ToArray(), seed, "filter gradient", 1e-4, 1e-3);
        Assert.Equal(w0.Length - inside.Length, dw.Where((_, i) => !MultiScaleConvLayerTests.Inside(i, c)).Count(v => v == 0f));
    }

    [Fact]
    public void RoundTripsThroughJsonAndHdf5()
    {
        var spec = MultiScaleConvLayerTests.Banks(3, 7, 9, bias: false);
        var json = spec.ToJson();
        Assert.Contains("\"type\": \"multiscale_conv\"", json);
        Assert.Contains("\"kernelSizes\": [", json);
        var back = NetSpec.FromJson(json);
        Assert.Equal(spec.Layers, back.Layers);
        Assert.Equal(json, back.ToJson());
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "banks.h5");
        using var net = new Net(spec, Ref);
        var w = MultiScaleConvLayerTests.Embedded(11, 3);
        net.SetParams("ms", w, null);
        RawConv.Graph.Weights.WeightsFile.Save(net, path);
        using var loaded = RawConv.Graph.Weights.WeightsFile.Load(path, Ref).Net;
        Assert.Equal(spec.Layers, loaded.Spec.Layers);
        Assert.Equal(w, loaded.Parameters["ms"].Weight.ToArray());
        Assert.Null(loaded.Parameters["ms"].Bias);
    }

    [Fact]
    public void DescribesItsShapesCostAndReceptiveField()
    {
        var spec = MultiScaleConvLayerTests.Banks(3, 7, 9);
        var layer = (MultiScaleConvLayer)spec["ms"];
        Assert.Equal(new Shape(6, 3, 5, 5), layer.WeightShape(spec.InputShape()));
        Assert.Equal(6 * 3 * 25 + 6, spec.ParameterCount());
        // per bank: N·F·H·W·C·k² for k = 1, 3, 5 — not the 5×5 convolution's 6·63·3·25
        Assert.Equal(2L * 63 * 3 * (1 + 9 + 25), spec.MultiplyAdds());
        Assert.Contains("multiscale_conv 2× 1×1,3×3,5×5 (6 maps)", spec.Info());
        var field = RawConv.Algorithms.Seeing.ReceptiveField.Of(spec, "ms");
        Assert.Equal((5, 5), field.Size);
        Assert.Equal((0, 0, 3, 3), field.Box(0, 0, 7, 9));
        Assert.Equal(["ms"], spec.Roles.Convolutions);
    }

    [Theory]
    [InlineData(0, new[] { 3, 5 }, "layer 'ms' (multiscale_conv): 0 filters per bank (must be ≥ 1)")]
    [InlineData(4, new int[0], "layer 'ms' (multiscale_conv): no kernel sizes")]
    [InlineData(4, new[] { 3, 4 }, "layer 'ms' (multiscale_conv): kernel sizes 3, 4 must all be odd and ≥ 1")]
    [InlineData(4, new[] { 5, 3 }, "layer 'ms' (multiscale_conv): kernel sizes 5, 3 must be strictly increasing")]
    [InlineData(4, new[] { 3, 3 }, "must be strictly increasing")]
    public void BadSettingsAreNamed(int filters, int[] sizes, string says)
    {
        var spec = new NetSpec("bad", 3, 8, 8, [new MultiScaleConvLayer("ms", filters, sizes)]);
        Assert.Contains(says, Assert.Throws<RawConvException>(() => spec.Validate()).Message);
    }

    [Fact]
    public void AJsonLayerWithoutSizesIsNamed()
    {
        const string json = "{\"name\": \"x\", \"inputChannels\": 3, \"inputHeight\": 8, \"inputWidth\": 8, \"layers\": [{\"type\": \"multiscale_conv\", \"name\": \"ms\", \"filtersPerBank\": 4}]}";
        var e = Assert.Throws<RawConvException>(() => NetSpec.FromJson(json, "ms.json").Validate());
        Assert.Contains("layer 'ms' (multiscale_conv): no kernel sizes", e.Message);
    }
}
