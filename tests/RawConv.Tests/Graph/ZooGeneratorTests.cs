using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>Zoo.Generator: the deep generator network's architecture, its shapes, parameters and file forms.</summary>
public abstract class ZooGeneratorTests : BackendTest
{
    [SkippableFact]
    public void ACroppingGeneratorMatchesTheReferenceForwardAndBackward()
    {
        var spec = Zoo.Generator(16, 2, 28, 30);
        Assert.Contains(spec.Layers, l => l is CropLayer);
        using var net = new Net(spec, B);
        using var netRef = new Net(spec, Ref);
        net.InitializeRandom(51);
        netRef.InitializeRandom(51);
        var xs = Rand.Uniform(52, spec.InputShape(2).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(2), xs);
        using var xr = Tensor.FromArray(Ref, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var fr = netRef.Forward(xr);
        Assert.Equal(new Shape(2, 2, 28, 30), fr.Output.Shape);
        foreach (var layer in fr.Layers)
            Check.Close(f[layer].ToArray(), fr[layer].ToArray(), 1e-5, 1e-4, $"forward {layer}");
        var seed = Rand.Uniform(53, fr.Output.Count);
        using var s = Tensor.FromArray(B, fr.Output.Shape, seed);
        using var sr = Tensor.FromArray(Ref, fr.Output.Shape, seed);
        using var g = net.Backward(f, "tanh", s, parameterGradients: true);
        using var gr = netRef.Backward(fr, "tanh", sr, parameterGradients: true);
        Check.Close(g.InputGradient.ToArray(), gr.InputGradient.ToArray(), 1e-4, 1e-3, "code gradient");
        foreach (var (layer, p) in gr.ParameterGradients)
        {
            Check.Close(g.ParameterGradients[layer].Weight.ToArray(), p.Weight.ToArray(), 1e-4, 1e-3, $"d{layer}.weight");
            Check.Close(g.ParameterGradients[layer].Bias!.ToArray(), p.Bias!.ToArray(), 1e-4, 1e-3, $"d{layer}.bias");
        }
    }
}

public sealed class ZooGeneratorOpenClTests : ZooGeneratorTests { protected override string BackendName => "opencl"; }
public sealed class ZooGeneratorCudaTests : ZooGeneratorTests { protected override string BackendName => "cuda"; }

public class ZooGeneratorShapeTests
{
    [Fact]
    public void TheDefaultModelsGeneratorHasItsLayersAndParameters()
    {
        var spec = Zoo.Generator(256, 1, 40, 40);
        Assert.Equal(new Shape(256), spec.Input);
        Assert.Equal(["fc1", "lrelu_fc1", "fc2", "lrelu_fc2", "reshape", "up1", "lrelu_up1", "up2", "lrelu_up2", "up3", "lrelu_up3", "conv_out", "tanh"],
            spec.Layers.Select(l => l.Name));
        Assert.Equal(new Shape(1, 1, 40, 40), spec.Shapes()[^1]);
        Assert.Equal(new Shape(1, 128, 5, 5), spec.Shapes(spec.InputShape(1), "reshape")[^1]);
        Assert.All(spec.Layers.OfType<LeakyReluLayer>(), l => Assert.Equal(0.3f, l.Slope));
        // fc 256→256→128·5·5, up-convolutions 128→64→32→16 (4×4), conv 16→1 (3×3), each with biases
        long want = (256 * 256 + 256) + (256 * 3200 + 3200) + (128 * 64 * 16 + 64) + (64 * 32 * 16 + 32) + (32 * 16 * 16 + 16) + (16 * 9 + 1);
        Assert.Equal(want, spec.ParameterCount());
        Assert.Equal(1_060_481, spec.ParameterCount());
    }

    [Fact]
    public void The227GeneratorFollowsNguyenEtAl()
    {
        var spec = Zoo.Generator(4096, 3, 227, 227);
        var shapes = spec.Shapes();
        Assert.Equal(new Shape(1, 3, 227, 227), shapes[^1]);
        Assert.Equal([4096, 4096, 4096], spec.Layers.OfType<FcLayer>().Select(l => l.Out));
        Assert.Equal(new Shape(1, 256, 4, 4), spec.Shapes(spec.InputShape(1), "reshape")[^1]);
        Assert.Equal(6, spec.Layers.OfType<ConvTransposeLayer>().Count());
        Assert.Equal(new Shape(1, 3, 256, 256), spec.Shapes(spec.InputShape(1), "conv_out")[^1]);
        Assert.Equal(new CropLayer("crop", 227, 227), spec["crop"]);
        Assert.All(spec.Layers.OfType<ConvTransposeLayer>(), l => Assert.Equal((4, 2, 1), (l.KernelH, l.StrideH, l.PadH)));
    }

    [Fact]
    public void EveryImageSizeFrom28To256ComesOutExactly()
    {
        for (int side = 28; side <= 256; side++)
            foreach (var (c, w) in new[] { (1, side), (3, side), (3, Math.Min(256, side + 13)) })
            {
                var spec = Zoo.Generator(32, c, side, w);
                var outShape = spec.Shapes(2)[^1];
                Assert.True(outShape == new Shape(2, c, side, w), $"{c}×{side}×{w}: got {outShape}");
                Assert.Equal("tanh", spec.Layers[^1].Name);
            }
    }

    [Fact]
    public void IsReachableByNameAndRefusesBadNames()
    {
        Assert.True(Zoo.Has("generator:256:1:40:40"));
        Assert.Equal(Zoo.Generator(256, 1, 40, 40).ToJson(), Zoo.Get("generator:256:1:40:40").ToJson());
        var e = Assert.Throws<RawConvException>(() => Zoo.Get("generator:256:1:40"));
        Assert.Contains("generator:CODE:C:H:W", e.Message);
        e = Assert.Throws<RawConvException>(() => Zoo.Get("generator:256:1:4:40"));
        Assert.Contains("sides from 8 to 1024", e.Message);
    }

    [Fact]
    public void JsonAndTheWeightsFileRoundTripEveryNewKind()
    {
        var spec = Zoo.Generator(16, 2, 28, 30);
        foreach (var kind in new[] { "reshape", "leaky_relu", "convtranspose", "crop", "tanh" })
            Assert.Contains(spec.Layers, l => l.Kind == kind);
        var json = spec.ToJson();
        Assert.Equal(json, NetSpec.FromJson(json).ToJson());
        Assert.Equal(spec.Layers, NetSpec.FromJson(json).Layers);
        var refB = Backends.Reference;
        using var net = new Net(spec, refB);
        net.InitializeRandom(61);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "g.h5");
        WeightsFile.Save(net, path);
        using var back = WeightsFile.Load(path, refB);
        Assert.Equal(json, back.Net.Spec.ToJson());
        var xs = Rand.Uniform(62, spec.InputShape(2).Count);
        using var x = Tensor.FromArray(refB, spec.InputShape(2), xs);
        using var f = net.Forward(x);
        using var fb = back.Net.Forward(x);
        Assert.Equal(f.Output.ToArray(), fb.Output.ToArray());
    }
}

public class NetInfoColumnTests
{
    [Fact]
    public void LongLayerNamesKeepTheColumnsAligned()
    {
        var spec = Zoo.Generator(4096, 3, 227, 227);
        var rows = spec.Info().Split('\n').Skip(2).Where(r => r.Length > 0 && !r.StartsWith("total")).ToList();
        Assert.Equal(spec.Layers.Count, rows.Count);
        int col = rows[0].IndexOf("fc 4096", StringComparison.Ordinal);
        Assert.True(col > 0);
        for (int i = 0; i < rows.Count; i++)
            Assert.True(rows[i][..col] == spec.Layers[i].Name.PadRight(col) && rows[i][col..].StartsWith(spec.Layers[i].Describe(), StringComparison.Ordinal),
                $"row {i} misaligned: {rows[i]}");
        Assert.StartsWith("conv1      conv", Zoo.CaffeAlexNet().Info().Split('\n')[2]);
    }
}
