using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Layers;

/// <summary>The transposed-convolution layer: a kind added as one file, run inside a net on every backend.</summary>
public abstract class ConvTransposeLayerTests : BackendTest
{
    /// <summary>A small up-sampling stack: 4×5×6 → 6×10×12 → 3×10×12, grouped, strided, padded.</summary>
    internal static NetSpec UpStack() => new("up", 4, 5, 6,
    [
        new ConvTransposeLayer("up1", 6, 4, 4, 2, 2, 1, 1, Groups: 2),
        new ReluLayer("relu1"),
        new ConvTransposeLayer("up2", 3, 3, 3, PadH: 1, PadW: 1, Bias: false),
    ]);

    [SkippableFact]
    public void ForwardAndBackwardMatchReference()
    {
        var spec = UpStack();
        using var net = new Net(spec, B);
        using var netRef = new Net(spec, Ref);
        net.InitializeRandom(11);
        netRef.InitializeRandom(11);
        var xs = Rand.Uniform(12, spec.InputShape(2).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var xr = Tensor.FromArray(Ref, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var fr = netRef.Forward(xr);
        Assert.Equal(new Shape(2, 3, 10, 12), fr.Output.Shape);
        foreach (var layer in fr.Layers)
            Check.Close(f[layer].ToArray(), fr[layer].ToArray(), 1e-5, 1e-4, $"forward {layer}");
        var seed = Rand.Uniform(13, fr.Output.Count);
        using var s = Tensor.FromArray(B, fr.Output.Shape, seed);
        using var sr = Tensor.FromArray(Ref, fr.Output.Shape, seed);
        using var g = net.Backward(f, "up2", s, parameterGradients: true);
        using var gr = netRef.Backward(fr, "up2", sr, parameterGradients: true);
        Check.Close(g.InputGradient.ToArray(), gr.InputGradient.ToArray(), 1e-4, 1e-3, "input gradient");
        foreach (var (layer, p) in gr.ParameterGradients)
        {
            Check.Close(g.ParameterGradients[layer].Weight.ToArray(), p.Weight.ToArray(), 1e-4, 1e-3, $"d{layer}.weight");
            Assert.Equal(p.Bias is null, g.ParameterGradients[layer].Bias is null);
        }
        Check.Close(g.ParameterGradients["up1"].Bias!.ToArray(), gr.ParameterGradients["up1"].Bias!.ToArray(), 1e-4, 1e-3, "dup1.bias");
    }
}

public sealed class ConvTransposeLayerOpenClTests : ConvTransposeLayerTests { protected override string BackendName => "opencl"; }
public sealed class ConvTransposeLayerCudaTests : ConvTransposeLayerTests { protected override string BackendName => "cuda"; }

public class ConvTransposeLayerReferenceTests
{
    private static readonly IBackend Ref = Backends.Reference;

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        // L = Σ seed · net(x): input and up1-weight gradients against float32 central differences (h = 1e-2,
        // matching tolerance), skipping points whose ±h neighbourhood crosses the ReLU's kink.
        var spec = ConvTransposeLayerTests.UpStack();
        using var net = new Net(spec, Ref);
        net.InitializeRandom(5);
        var xs = Rand.Uniform(6, spec.InputShape().Count);
        using var x0 = Tensor.FromArray(Ref, spec.InputShape(), xs);
        using var f0 = net.Forward(x0);
        var seed = Rand.Uniform(7, f0.Output.Count);
        using var s = Tensor.FromArray(Ref, f0.Output.Shape, seed);
        using var g = net.Backward(f0, "up2", s, parameterGradients: true);
        double Loss(float[] v, float[] w)
        {
            net.SetParams("up1", w, net.Parameters["up1"].Bias!.ToArray());
            using var x = Tensor.FromArray(Ref, spec.InputShape(), v);
            using var f = net.Forward(x);
            var y = f.Output.ToArray();
            double l = 0;
            for (int i = 0; i < y.Length; i++) l += y[i] * seed[i];
            return l;
        }
        var w0 = net.Parameters["up1"].Weight.ToArray();
        Probe(g.InputGradient.ToArray(), xs.Length, i => { var p = (float[])xs.Clone(); p[i] += 1e-2f; return Loss(p, w0); },
            i => { var m = (float[])xs.Clone(); m[i] -= 1e-2f; return Loss(m, w0); }, Loss(xs, w0), "input");
        Probe(g.ParameterGradients["up1"].Weight.ToArray(), w0.Length, i => { var p = (float[])w0.Clone(); p[i] += 1e-2f; return Loss(xs, p); },
            i => { var m = (float[])w0.Clone(); m[i] -= 1e-2f; return Loss(xs, m); }, Loss(xs, w0), "up1.weight");
    }

    private static void Probe(float[] grad, int n, Func<int, double> up, Func<int, double> down, double mid, string what)
    {
        var rng = new Random(9);
        int ok = 0;
        for (int t = 0; t < 30; t++)
        {
            int i = rng.Next(n);
            double u = up(i), d = down(i), fd = (u - d) / 2e-2;
            if (Math.Abs(fd - grad[i]) > 2e-3 + 2e-2 * Math.Abs(fd))
            {
                Assert.True(Math.Abs((u - mid) / 1e-2 - (mid - d) / 1e-2) > 1e-3, $"{what}[{i}]: analytic {grad[i]}, numeric {fd}");
                continue;
            }
            ok++;
        }
        Assert.True(ok >= 24, $"{what}: only {ok} of 30 points were away from kinks");
    }

    [Fact]
    public void IsAKindOfItsOwnInJsonInfoAndReceptiveFields()
    {
        var spec = ConvTransposeLayerTests.UpStack();
        Assert.Contains("convtranspose", LayerKinds.All);
        var json = spec.ToJson();
        Assert.Contains("\"type\": \"convtranspose\"", json);
        Assert.Equal(json, NetSpec.FromJson(json).ToJson());
        Assert.Equal(new Shape(4, 3, 4, 4), spec["up1"].WeightShape(spec.InputShape()));
        // weights 4·3·4·4 + bias 6, then 6·3·3·3 without bias
        Assert.Equal(4 * 3 * 16 + 6 + 6 * 3 * 9, spec.ParameterCount());
        Assert.Contains("convtranspose 6×4×4 ×2", spec.Info());
        var e = Assert.Throws<RawConvException>(() => ReceptiveField.Of(spec));
        Assert.Contains("'up1'", e.Message);
        Assert.Contains("no receptive-field rule", e.Message);
    }
}
