using System.Text.Json;
using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Import.Caffe;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Graph.Import;

/// <summary>The importers on the AlexNet files from tools/make_alexnet_refs.py: architecture and weights.</summary>
public class AlexNetImportTests
{
    internal static ImportedNet Import(string source) => source switch
    {
        "caffe_v2" => CaffeImporter.Load(AlexRefs.File("deploy.prototxt"), AlexRefs.File("bvlc_alexnet.caffemodel")),
        "caffe_v1" => CaffeImporter.Load(AlexRefs.File("deploy_v1.prototxt"), AlexRefs.File("bvlc_alexnet_v1.caffemodel")),
        _ => OnnxImporter.Load(AlexRefs.File(source)),
    };

    internal static NetSpec Zoo(string source) =>
        source.StartsWith("torchvision") ? RawConv.Graph.Zoo.TorchvisionAlexNet() : RawConv.Graph.Zoo.CaffeAlexNet();

    [SkippableTheory]
    [InlineData("bvlc_alexnet.onnx")]
    [InlineData("torchvision_alexnet.onnx")]
    [InlineData("caffe_v2")]
    [InlineData("caffe_v1")]
    public void ArchitectureEqualsTheZoo(string source)
    {
        // The Caffe architecture comes from the prototxt alone; the weights are checked below.
        var spec = source switch
        {
            "caffe_v2" => CaffeImporter.LoadSpec(AlexRefs.File("deploy.prototxt")),
            "caffe_v1" => CaffeImporter.LoadSpec(AlexRefs.File("deploy_v1.prototxt")),
            _ => Import(source).Spec,
        };
        var zoo = Zoo(source);
        Assert.Equal((zoo.InputChannels, zoo.InputHeight, zoo.InputWidth), (spec.InputChannels, spec.InputHeight, spec.InputWidth));
        // Layer records compare kind and every parameter; the files name their layers as the zoo does, so names too.
        Assert.Equal(zoo.Layers.Select(l => l.ToString()), spec.Layers.Select(l => l.ToString()));
        Assert.Equal(zoo.Layers, spec.Layers);
        if (!source.StartsWith("torchvision")) Assert.Equal(60_965_224, spec.ParameterCount());
    }

    [SkippableFact]
    public void EveryCaffeFormCarriesTheSameWeights()
    {
        // Three writers (onnx.numpy_helper, hand-written V2 and V1 caffemodels) of the same PyTorch tensors.
        var onnx = Import("bvlc_alexnet.onnx");
        foreach (var source in new[] { "caffe_v2", "caffe_v1" })
        {
            var other = Import(source);
            Assert.Equal(onnx.Weights.Keys.Order(), other.Weights.Keys.Order());
            foreach (var (name, (w, b)) in onnx.Weights)
            {
                Assert.True(w.AsSpan().SequenceEqual(other.Weights[name].Weight), $"{source} {name} weight");
                Assert.True(b.AsSpan().SequenceEqual(other.Weights[name].Bias), $"{source} {name} bias");
            }
        }
    }

    [SkippableFact]
    public void TorchvisionGemmAndMatMulFormsGiveOutInWeights()
    {
        // fc6 is Gemm transB=1 (stored (out, in)), fc7 Gemm transB=0 and fc8 MatMul+Add (stored (in, out)):
        // after import all three are (out, in); check fc7/fc8 against the transposed initializers.
        var model = RawConv.Graph.Onnx.OnnxModel.Load(AlexRefs.File("torchvision_alexnet.onnx"));
        var imported = OnnxImporter.Import(model, "torchvision_alexnet.onnx");
        foreach (var (layer, init) in new[] { ("fc7", "fc7_wT"), ("fc8", "fc8_wT") })
        {
            var t = model.Graph.Initializers.Single(i => i.Name == init);
            var wt = t.ToFloats();
            int rows = (int)t.Dims[0], cols = (int)t.Dims[1];
            var w = imported.Weights[layer].Weight;
            for (int r = 0; r < rows; r += 97)
                for (int c = 0; c < cols; c += 13)
                    Assert.Equal(wt[r * cols + c], w[c * rows + r]);
        }
    }

    [SkippableTheory]
    [InlineData("bvlc_alexnet")]
    [InlineData("torchvision_alexnet")]
    public void ScriptArchitectureJsonIsTheZoosToJson(string name)
    {
        // The .h5 files carry this same text as their `architecture` attribute.
        Assert.Equal(RawConv.Graph.Zoo.Get(name).ToJson(), File.ReadAllText(AlexRefs.File(name + ".architecture.json")));
    }
}

/// <summary>Every layer's activation, the input gradient of the top class and the top-5 against PyTorch.</summary>
public abstract class AlexNetActivationTests(ITestOutputHelper output) : BackendTest
{
    [SkippableTheory]
    [InlineData("bvlc_alexnet.onnx")]
    [InlineData("torchvision_alexnet.onnx")]
    [InlineData("caffe_v2")]
    [InlineData("caffe_v1")]
    [InlineData("bvlc_alexnet.h5")]
    [InlineData("torchvision_alexnet.h5")]
    public void MatchesPyTorchLayerByLayer(string source)
    {
        var refDir = AlexRefs.File(source.StartsWith("torchvision") ? "torchvision_alexnet" : "bvlc_alexnet");
        using var net = source.EndsWith(".h5")
            ? WeightsFile.Load(AlexRefs.File(source), B).Net
            : AlexNetImportTests.Import(source).ToNet(B);
        var (shape, data, _) = Npy.Read(Path.Combine(refDir, "input.npy"));
        using var x = Tensor.FromArray(B, new Shape(shape), (float[])data);
        using var f = net.Forward(x);
        // Tolerance: rtol 1e-3 plus atol 1e-3·max|e|. The references are float64; ours sum up to 9216
        // float32 products (fc6) in another order, so the error scales with the tensor's magnitude, and
        // small outputs born of cancellation carry an error relative to the layer's scale, not their own.
        foreach (var layer in net.Spec.Layers.Select(l => l.Name))
        {
            var e = (float[])Npy.Read(Path.Combine(refDir, layer + ".npy")).Data;
            var a = f[layer].ToArray();
            Report(layer, a, e);
            Check.Close(a, e, 1e-3 * e.Max(Math.Abs), 1e-3, $"{source} on {BackendName}: {layer}");
        }

        var top5 = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(refDir, "top5.json")));
        var prob = f["prob"].ToArray();
        var order = Enumerable.Range(0, prob.Length).OrderByDescending(i => prob[i]).Take(5).ToArray();
        Assert.Equal(top5.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()), order);
        int top = top5.GetProperty("top_class").GetInt32();
        var seed = new float[1000];
        seed[top] = 1;
        using var s = Tensor.FromArray(B, f["fc8"].Shape, seed);
        using var g = net.Backward(f, "fc8", s);
        var ge = (float[])Npy.Read(Path.Combine(refDir, "input_grad.npy")).Data;
        var ga = g.InputGradient.ToArray();
        Report("input gradient", ga, ge);
        Check.Close(ga, ge, 1e-3 * ge.Max(Math.Abs), 1e-3, $"{source} on {BackendName}: d fc8[{top}] / d input");
    }

    private void Report(string what, float[] a, float[] e)
    {
        double scale = e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - (double)e[i]));
        output.WriteLine($"{BackendName} {what,-16} max|e| {scale,10:g4}  max|a−e|/max|e| {worst / Math.Max(scale, 1e-30):e2}");
    }
}

public sealed class AlexNetActivationOpenClTests(ITestOutputHelper o) : AlexNetActivationTests(o) { protected override string BackendName => "opencl"; }
public sealed class AlexNetActivationCudaTests(ITestOutputHelper o) : AlexNetActivationTests(o) { protected override string BackendName => "cuda"; }
public sealed class AlexNetActivationReferenceTests(ITestOutputHelper o) : AlexNetActivationTests(o) { protected override string BackendName => "reference"; }
