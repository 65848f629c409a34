using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>
/// The zoo generator against PyTorch (tools/make_generator_refs.py): the script builds the architecture from the
/// documented rule with nn.Linear, LeakyReLU, ConvTranspose2d, Conv2d, a crop and Tanh, writes seeded weights in our
/// HDF5 layout, and computes the output and every gradient of Σ G·y in float64.
/// </summary>
public abstract class GeneratorTorchTests : BackendTest
{
    internal static readonly ScriptRefs Refs = new("make_generator_refs.py", "rawconv-generator-refs", "done.txt",
        "torch, h5py, numpy", dir => [dir]);

    [SkippableTheory]
    [InlineData("g40", 32, 1, 40, 40)]
    [InlineData("g64", 32, 3, 64, 64)]
    [InlineData("g28x30", 16, 2, 28, 30)]
    public void ForwardAndBackwardMatchPyTorch(string name, int code, int channels, int height, int width)
    {
        string dir = Refs.Dir;
        using var loaded = WeightsFile.Load(Path.Combine(dir, name + ".h5"), B);
        var net = loaded.Net;
        Assert.Equal(Zoo.Generator(code, channels, height, width, name).ToJson(), net.Spec.ToJson());
        using var z = Npy.ReadTensor(B, Path.Combine(dir, name + ".code.npy"));
        using var f = net.Forward(z);
        using var want = Npy.ReadTensor(Ref, Path.Combine(dir, name + ".output.npy"));
        Assert.Equal(want.Shape, f.Output.Shape);
        // A whole float32 network against torch's float64: a loosened forward tolerance, as for backward.
        Check.Close(f.Output.ToArray(), want.ToArray(), 1e-4, 1e-3, $"{name} output");
        using var g = Npy.ReadTensor(B, Path.Combine(dir, name + ".upstream.npy"));
        using var back = net.Backward(f, "tanh", g, parameterGradients: true);
        using var dcode = Npy.ReadTensor(Ref, Path.Combine(dir, name + ".dcode.npy"));
        Check.Close(back.InputGradient.ToArray(), dcode.ToArray(), 1e-4, 1e-3, $"{name} code gradient");
        using var grads = WeightsFile.Load(Path.Combine(dir, name + ".grad.h5"), Ref);
        Assert.Equal(grads.Net.Parameters.Keys.Order(), back.ParameterGradients.Keys.Order());
        foreach (var (layer, p) in grads.Net.Parameters)
        {
            Check.Close(back.ParameterGradients[layer].Weight.ToArray(), p.Weight.ToArray(), 1e-4, 1e-3, $"{name} d{layer}.weight");
            Check.Close(back.ParameterGradients[layer].Bias!.ToArray(), p.Bias!.ToArray(), 1e-4, 1e-3, $"{name} d{layer}.bias");
        }
    }

    [SkippableTheory]
    [InlineData("g40", 32, 1, 40, 40)]
    [InlineData("g64", 32, 3, 64, 64)]
    [InlineData("g28x30", 16, 2, 28, 30)]
    public void TheOnnxExportImportsAsTheSameNetwork(string name, int code, int channels, int height, int width)
    {
        string dir = Refs.Dir;
        var imported = OnnxImporter.Load(Path.Combine(dir, name + ".onnx"));
        Assert.Equal(new Shape(code), imported.Spec.Input);
        // torch names the layers by node and splits the crop into one Slice per axis: compare kinds and settings.
        static string Settings(Layer l) => l switch
        {
            CropLayer => "crop",
            _ => l.Kind + ":" + (l with { Name = "" }).ToString(),
        };
        var zoo = Zoo.Generator(code, channels, height, width).Layers.Select(Settings).ToList();
        Assert.Equal(zoo, imported.Spec.Layers.Select(Settings).Where((k, i) => k != "crop" || i == 0 || Settings(imported.Spec.Layers[i - 1]) != "crop"));
        using var net = imported.ToNet(B);
        using var z = Npy.ReadTensor(B, Path.Combine(dir, name + ".code.npy"));
        using var f = net.Forward(z);
        using var want = Npy.ReadTensor(Ref, Path.Combine(dir, name + ".output.npy"));
        Assert.Equal(want.Shape, f.Output.Shape);
        Check.Close(f.Output.ToArray(), want.ToArray(), 1e-4, 1e-3, $"{name} output of the imported ONNX");
        using var g = Npy.ReadTensor(B, Path.Combine(dir, name + ".upstream.npy"));
        using var back = net.Backward(f, net.Spec.Layers[^1].Name, g);
        using var dcode = Npy.ReadTensor(Ref, Path.Combine(dir, name + ".dcode.npy"));
        Check.Close(back.InputGradient.ToArray(), dcode.ToArray(), 1e-4, 1e-3, $"{name} code gradient of the imported ONNX");
    }
}

public sealed class GeneratorTorchReferenceTests : GeneratorTorchTests { protected override string BackendName => "reference"; }
public sealed class GeneratorTorchOpenClTests : GeneratorTorchTests { protected override string BackendName => "opencl"; }
public sealed class GeneratorTorchCudaTests : GeneratorTorchTests { protected override string BackendName => "cuda"; }
