using System.Text.Json;
using RawConv.Algorithms.Style;
using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Graph.Weights;

/// <summary>
/// Seeded random torchvision VGGs converted by tools/torch_to_h5.py: VGG-19's convolutional part to pool5 at 64×64 and
/// VGG-16's to relu5_1 at 32×32, each also exported to ONNX by torch.onnx.export, with PyTorch's float64 outputs. Skips
/// with the reason when /usr/bin/python3 lacks torch, torchvision, h5py or numpy.
/// </summary>
public static class VggRefs
{
    /// <summary>The two converted networks: zoo depth (also the seed), last layer, input side.</summary>
    public static readonly IReadOnlyDictionary<string, (int Depth, string Last, int Size)> Cases = new Dictionary<string, (int, string, int)>
    {
        ["vgg19"] = (19, "pool5", 64),
        ["vgg16"] = (16, "relu5_1", 32),
    };

    private static readonly Dictionary<string, ScriptRefs> Refs = Cases.ToDictionary(c => c.Key, c => new ScriptRefs("torch_to_h5.py",
        $"rawconv-{c.Key}-ref", $"{c.Value.Last}.npy", "torch, torchvision, h5py, numpy",
        scratch => ["--arch", c.Key, "--random-seed", c.Value.Depth.ToString(), "--features-only", c.Value.Last, "--size", c.Value.Size.ToString(),
            "--out", Path.Combine(scratch, $"{c.Key}.h5"), "--onnx", Path.Combine(scratch, $"{c.Key}.onnx"), "--dump-dir", scratch]));

    /// <summary>A file in <paramref name="arch"/>'s reference folder (skips the test when it cannot be made).</summary>
    public static string File(string arch, string name) => Path.Combine(Refs[arch].Dir, name);

    /// <summary>The zoo's network that the file should hold.</summary>
    public static NetSpec Zoo(string arch) => RawConv.Graph.Zoo.Truncate(RawConv.Graph.Zoo.Vgg(Cases[arch].Depth), Cases[arch].Last, Cases[arch].Size, Cases[arch].Size);

    /// <summary>tools/torch_to_h5.py.</summary>
    public static string Script => Refs["vgg19"].Script;
}

/// <summary>What the converted and exported VGG files hold, against the zoo.</summary>
[Collection("hdf5")]
public class TorchVggTests
{
    [SkippableTheory]
    [InlineData("vgg19")]
    [InlineData("vgg16")]
    public void FeaturesFileIsTheZoosTruncatedVggWithTorchvisionPreprocessing(string arch)
    {
        var (net, classes, pre) = WeightsFile.Load(VggRefs.File(arch, $"{arch}.h5"), Backends.Reference);
        using (net)
        {
            var zoo = VggRefs.Zoo(arch);
            Assert.Equal(zoo.ToJson(), net.Spec.ToJson());
            Assert.Null(classes);
            int side = VggRefs.Cases[arch].Size;
            Assert.Equal(Preprocessing.Torchvision with { Height = side, Width = side }, pre);
        }
    }

    [SkippableFact]
    public void AFeaturesModuleStateDictConvertsToTheSameFile()
    {
        // features.pth is torch.save(vgg16.features[:n].state_dict()): keys "N.weight", not "features.N.weight".
        string pth = VggRefs.File("vgg16", "features.pth");
        using var dir = new TempDir();
        string h5 = Path.Combine(dir.Path, "from_pth.h5");
        var (stdout, err) = ScriptRefs.RunPython(120_000, VggRefs.Script, "--arch", "vgg16", "--state-dict", pth, "--features-only", "relu5_1",
            "--size", "32", "--out", h5);
        Assert.True(stdout != null, err);
        using var converted = WeightsFile.Load(h5, Backends.Reference);
        using var seeded = WeightsFile.Load(VggRefs.File("vgg16", "vgg16.h5"), Backends.Reference);
        Assert.Equal(seeded.Net.Spec.ToJson(), converted.Net.Spec.ToJson());
        Assert.Equal(seeded.Preprocessing, converted.Preprocessing);
        foreach (var (name, p) in seeded.Net.Parameters)
        {
            Assert.Equal(p.Weight.ToArray(), converted.Net.Parameters[name].Weight.ToArray());
            Assert.Equal(p.Bias!.ToArray(), converted.Net.Parameters[name].Bias!.ToArray());
        }
    }

    [SkippableFact]
    public void StylesVggDefaultsApplyToTheConvertedVgg19()
    {
        var spec = WeightsFile.ReadInfo(VggRefs.File("vgg19", "vgg19.h5")).Spec;
        Assert.True(StyleLayers.IsVgg(spec));
        Assert.Equal(["relu4_2"], StyleLayers.DefaultContent(spec));
        Assert.Equal(["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"], StyleLayers.DefaultStyle(spec));
    }

    [SkippableTheory]
    [InlineData("vgg19")]
    [InlineData("vgg16")]
    public void OnnxExportImportsAsTheZoosLayersUnderTorchsNames(string arch)
    {
        var imported = OnnxImporter.Load(VggRefs.File(arch, $"{arch}.onnx"));
        var zoo = VggRefs.Zoo(arch);
        Assert.Equal(zoo.Input, imported.Spec.Input);
        // torch.onnx.export names nodes after torch's modules, not neural-style's layers: compare all but the names.
        Assert.Equal(zoo.Layers.Select(l => l with { Name = "" }), imported.Spec.Layers.Select(l => l with { Name = "" }));
    }

    [SkippableTheory]
    [InlineData("vgg19", new[] { "conv1_1:features.0", "conv2_1:features.5", "conv3_4:features.16", "conv4_1:features.19", "conv5_4:features.34" }, 16)]
    [InlineData("vgg16", new[] { "conv1_1:features.0", "conv2_2:features.7", "conv3_3:features.14", "conv4_1:features.17", "conv5_3:features.28" }, 13)]
    public void WholeVggArchitectureIsTheZoosAndMapsTorchvisionsModules(string arch, string[] some, int convs)
    {
        // The whole network is 528–548 MiB, too big to make in a test: the script prints what it would write.
        Skip.If(ScriptRefs.RunPython(120_000, "-c", "import torch, torchvision, h5py, numpy").Stdout is null, "python3 with torch, torchvision, h5py unavailable");
        var (stdout, err) = ScriptRefs.RunPython(120_000, VggRefs.Script, "--arch", arch, "--print-architecture");
        Assert.True(stdout != null, err);
        using var json = JsonDocument.Parse(stdout!);
        var doc = json.RootElement;
        var zoo = RawConv.Graph.Zoo.Vgg(convs + 3);
        Assert.Equal(zoo.ToJson(), NetSpec.FromJson(doc.GetProperty("architecture").GetRawText(), "script").ToJson());
        var map = doc.GetProperty("weights").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToList();
        Assert.Equal(zoo.Layers.Where(l => l is ConvLayer or FcLayer).Select(l => l.Name), map.Select(m => m.Name));
        // torchvision's VGG: features.N counts conv, ReLU and pool modules; its classifier is Linear, ReLU, Dropout ×2, Linear.
        foreach (var pair in some.Concat(["fc6:classifier.0", "fc7:classifier.3", "fc8:classifier.6"]))
            Assert.Contains((pair.Split(':')[0], pair.Split(':')[1]), map);
    }
}

/// <summary>The converted .h5 and the imported ONNX export reproduce PyTorch at the last layer and at relu4_2 / relu5_1.</summary>
public abstract class TorchVggOutputTests(ITestOutputHelper output) : BackendTest
{
    [SkippableTheory]
    [InlineData("vgg19", "h5")]
    [InlineData("vgg19", "onnx")]
    [InlineData("vgg16", "h5")]
    [InlineData("vgg16", "onnx")]
    public void MatchesPyTorch(string arch, string format)
    {
        using var net = format == "h5"
            ? WeightsFile.Load(VggRefs.File(arch, $"{arch}.h5"), B).Net
            : OnnxImporter.Load(VggRefs.File(arch, $"{arch}.onnx")).ToNet(B);
        var (shape, data, _) = Npy.Read(VggRefs.File(arch, "input.npy"));
        using var x = Tensor.FromArray(B, new Shape(shape), (float[])data);
        using var f = net.Forward(x);
        var zoo = VggRefs.Zoo(arch);
        foreach (var layer in new[] { "relu4_2", "relu5_1", VggRefs.Cases[arch].Last }.Distinct())
        {
            var e = (float[])Npy.Read(VggRefs.File(arch, layer + ".npy")).Data;
            // The ONNX file names its layers as torch does: the same position in the chain.
            var a = f[net.Spec.Layers[zoo.IndexOf(layer)].Name].ToArray();
            double scale = e.Max(Math.Abs), worst = a.Zip(e, (p, q) => Math.Abs(p - (double)q)).Max();
            output.WriteLine($"{BackendName} {arch}.{format} {layer,-8} max|e| {scale:g4}  max|a−e|/max|e| {worst / scale:e2}");
            Assert.True(scale > 1e-3, $"{layer}: the reference is all but zero");
            // rtol 1e-3 against float64 PyTorch, atol a thousandth of the layer's scale (values born of cancellation).
            Check.Close(a, e, 1e-3 * scale, 1e-3, $"{arch}.{format} on {BackendName}: {layer}");
        }
    }
}

public sealed class TorchVggOutputOpenClTests(ITestOutputHelper o) : TorchVggOutputTests(o) { protected override string BackendName => "opencl"; }
public sealed class TorchVggOutputCudaTests(ITestOutputHelper o) : TorchVggOutputTests(o) { protected override string BackendName => "cuda"; }
public sealed class TorchVggOutputReferenceTests(ITestOutputHelper o) : TorchVggOutputTests(o) { protected override string BackendName => "reference"; }
