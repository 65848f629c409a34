using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Layers;

/// <summary>The reshape layer: a code net (fc → reshape → up-convolution) run on every backend.</summary>
public abstract class ReshapeLayerTests : BackendTest
{
    /// <summary>Code (N, 6) → fc 24 → reshape 2×3×4 → up-convolution 3×6×8.</summary>
    internal static NetSpec CodeNet() => new("code", new Shape(6),
    [
        new FcLayer("fc1", 24),
        new ReshapeLayer("shape1", 2, 3, 4),
        new ConvTransposeLayer("up1", 3, 4, 4, 2, 2, 1, 1),
    ]);

    [SkippableFact]
    public void ForwardAndBackwardMatchReference()
    {
        var spec = CodeNet();
        using var net = new Net(spec, B);
        using var netRef = new Net(spec, Ref);
        net.InitializeRandom(21);
        netRef.InitializeRandom(21);
        var xs = Rand.Uniform(22, spec.InputShape(3).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(3), xs);
        using var xr = Tensor.FromArray(Ref, spec.InputShape(3), xs);
        using var f = net.Forward(x);
        using var fr = netRef.Forward(xr);
        Assert.Equal(new Shape(3, 2, 3, 4), fr["shape1"].Shape);
        Assert.Equal(new Shape(3, 3, 6, 8), fr.Output.Shape);
        foreach (var layer in fr.Layers)
            Check.Close(f[layer].ToArray(), fr[layer].ToArray(), 1e-5, 1e-4, $"forward {layer}");
        var seed = Rand.Uniform(23, fr.Output.Count);
        using var s = Tensor.FromArray(B, fr.Output.Shape, seed);
        using var sr = Tensor.FromArray(Ref, fr.Output.Shape, seed);
        using var g = net.Backward(f, "up1", s, parameterGradients: true);
        using var gr = netRef.Backward(fr, "up1", sr, parameterGradients: true);
        Assert.Equal(new Shape(3, 6), gr.InputGradient.Shape);
        Check.Close(g.InputGradient.ToArray(), gr.InputGradient.ToArray(), 1e-4, 1e-3, "code gradient");
        Check.Close(g["fc1"].ToArray(), gr["fc1"].ToArray(), 1e-4, 1e-3, "fc1 output gradient");
        foreach (var (layer, p) in gr.ParameterGradients)
            Check.Close(g.ParameterGradients[layer].Weight.ToArray(), p.Weight.ToArray(), 1e-4, 1e-3, $"d{layer}.weight");
    }
}

public sealed class ReshapeLayerOpenClTests : ReshapeLayerTests { protected override string BackendName => "opencl"; }
public sealed class ReshapeLayerCudaTests : ReshapeLayerTests { protected override string BackendName => "cuda"; }

public class ReshapeLayerReferenceTests
{
    private static readonly IBackend Ref = Backends.Reference;

    [Fact]
    public void KeepsTheValuesInOrderAndReshapesTheGradientBack()
    {
        var spec = new NetSpec("r", new Shape(2, 3, 4), [new ReshapeLayer("r1", 6, 1, 4)]);
        using var net = new Net(spec, Ref);
        var xs = Rand.Uniform(1, 2 * 24);
        using var x = Tensor.FromArray(Ref, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        Assert.Equal(new Shape(2, 6, 1, 4), f.Output.Shape);
        Assert.Equal(xs, f.Output.ToArray());
        var seed = Rand.Uniform(2, 2 * 24);
        using var s = Tensor.FromArray(Ref, f.Output.Shape, seed);
        using var g = net.Backward(f, "r1", s);
        Assert.Equal(new Shape(2, 2, 3, 4), g.InputGradient.Shape);
        Assert.Equal(seed, g.InputGradient.ToArray());
    }

    [Fact]
    public void ACodeNetsGradientsMatchFiniteDifferences()
    {
        // L = Σ seed · net(code) is linear in the code and in each weight: float32 central differences at h = 1e-2.
        var spec = ReshapeLayerTests.CodeNet();
        using var net = new Net(spec, Ref);
        net.InitializeRandom(31);
        var xs = Rand.Uniform(32, spec.InputShape(2).Count);
        using var x0 = Tensor.FromArray(Ref, spec.InputShape(2), xs);
        using var f0 = net.Forward(x0);
        var seed = Rand.Uniform(33, f0.Output.Count);
        using var s = Tensor.FromArray(Ref, f0.Output.Shape, seed);
        using var g = net.Backward(f0, "up1", s, parameterGradients: true);
        var w0 = net.Parameters["fc1"].Weight.ToArray();
        var b0 = net.Parameters["fc1"].Bias!.ToArray();
        double Loss(float[] v, float[] w)
        {
            net.SetParams("fc1", w, b0);
            using var x = Tensor.FromArray(Ref, spec.InputShape(2), v);
            using var f = net.Forward(x);
            return f.Output.ToArray().Select((y, i) => (double)y * seed[i]).Sum();
        }
        double Diff(float[] v, int i, Func<float[], double> loss)
        {
            var p = (float[])v.Clone();
            var m = (float[])v.Clone();
            p[i] += 1e-2f;
            m[i] -= 1e-2f;
            return (loss(p) - loss(m)) / 2e-2;
        }
        var dx = g.InputGradient.ToArray();
        var numeric = Enumerable.Range(0, xs.Length).Select(i => (float)Diff(xs, i, v => Loss(v, w0))).ToArray();
        Check.Close(dx, numeric, 2e-3, 2e-3, "code gradient vs central differences");
        var dw = g.ParameterGradients["fc1"].Weight.ToArray();
        var probe = Enumerable.Range(0, 40).Select(k => k * 7 % w0.Length).ToArray();
        Check.Close(probe.Select(i => dw[i]).ToArray(), probe.Select(i => (float)Diff(w0, i, w => Loss(xs, w))).ToArray(),
            2e-3, 2e-3, "fc1 weight gradient vs central differences");
    }

    [Fact]
    public void AWrongSizeIsRefusedNamingTheLayerAndBothShapes()
    {
        var spec = new NetSpec("g", new Shape(10), [new FcLayer("fc1", 25), new ReshapeLayer("to_map", 4, 2, 3)]);
        var e = Assert.Throws<RawConvException>(() => spec.Validate());
        Assert.Contains("'to_map'", e.Message);
        Assert.Contains("(1, 25)", e.Message);
        Assert.Contains("(4, 2, 3)", e.Message);
        e = Assert.Throws<RawConvException>(() => new NetSpec("g", new Shape(24), [new ReshapeLayer("r", 0, 2, 3)]).Validate());
        Assert.Contains("layer 'r' (reshape)", e.Message);
    }

    [Fact]
    public void IsAKindOfItsOwnInJsonInfoWeightsAndReceptiveFields()
    {
        var spec = ReshapeLayerTests.CodeNet().Validate();
        Assert.Contains("reshape", LayerKinds.All);
        var json = spec.ToJson();
        Assert.Contains("\"type\": \"reshape\"", json);
        Assert.Equal(json, NetSpec.FromJson(json).ToJson());
        Assert.Equal(FieldRule.Global, spec["shape1"].Field());
        var info = spec.Info();
        Assert.Contains("input (1, 6)", info);
        Assert.Contains("reshape 2×3×4", info);
        Assert.Contains("(1, 2, 3, 4)", info);
        Assert.Equal(0, spec["shape1"].BiasLength);
        Assert.Null(spec["shape1"].WeightShape(new Shape(1, 24)));
        // fc 24×6 + 24, up-convolution 2×3×4×4 + 3
        Assert.Equal(24 * 6 + 24 + 2 * 3 * 16 + 3, spec.ParameterCount());
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "code.h5");
        using var net = new Net(spec, Ref);
        net.InitializeRandom(41);
        WeightsFile.Save(net, path);
        using var back = WeightsFile.Load(path, Ref);
        Assert.Equal(json, back.Net.Spec.ToJson());
        Assert.Equal(net.Parameters["up1"].Weight.ToArray(), back.Net.Parameters["up1"].Weight.ToArray());
        Assert.Equal(net.Parameters["fc1"].Bias!.ToArray(), back.Net.Parameters["fc1"].Bias!.ToArray());
        var e = Assert.Throws<RawConvException>(() => ReceptiveField.Of(spec));
        Assert.Contains("'up1'", e.Message);
    }
}
