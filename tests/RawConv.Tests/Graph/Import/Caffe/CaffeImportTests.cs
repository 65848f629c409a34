using RawConv.Graph;
using RawConv.Graph.Import.Caffe;

namespace RawConv.Tests.Graph.Import.Caffe;

/// <summary>The prototxt parser and the Caffe importer on small hand-made files, including hostile ones.</summary>
public class CaffeImportTests
{
    internal const string TinyPrototxt = """
        name: "tiny"   # a comment
        input: "data"
        input_dim: 1 input_dim: 3 input_dim: 9
        input_dim: 9
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
          param { lr_mult: 1 } param { lr_mult: 2 }
          convolution_param { num_output: 4 kernel_h: 3 kernel_w: 3 pad: 1 stride: 1 weight_filler { type: "gaussian" std: 0.01 } } }
        layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
        layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { local_size: 3 alpha: 1e-4 beta: 0.75 k: 2.0 } }
        layer { name: "pool1" type: "Pooling" bottom: "norm1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "fc1" type: "InnerProduct" bottom: "pool1" top: "fc1" inner_product_param { num_output: 5 } }
        layer { name: "drop1" type: "Dropout" bottom: "fc1" top: "fc1" dropout_param { dropout_ratio: 0.25 } }
        layer { name: "prob" type: "Softmax" bottom: "fc1" top: "prob" }
        """;

    internal static readonly float[] ConvW = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => i * 0.01f).ToArray();
    internal static readonly float[] FcW = Enumerable.Range(0, 5 * 4 * 4 * 4).Select(i => -i * 0.001f).ToArray();

    internal static byte[] TinyModel(bool v1) => v1
        ? [.. Pb.Str(1, "tiny"),
           .. Pb.LayerV1("conv1", 4, "data", "conv1", Pb.BlobLegacy([4, 3, 3, 3], ConvW), Pb.BlobLegacy([1, 1, 1, 4], [1, 2, 3, 4])),
           .. Pb.LayerV1("relu1", 18, "conv1", "conv1"),
           .. Pb.LayerV1("fc1", 14, "pool1", "fc1", Pb.BlobLegacy([1, 1, 5, 64], FcW), Pb.BlobLegacy([1, 1, 1, 5], [5, 6, 7, 8, 9]))]
        : [.. Pb.Str(1, "tiny"),
           .. Pb.LayerV2("conv1", "Convolution", "data", "conv1", Pb.BlobV2([4, 3, 3, 3], ConvW), Pb.BlobV2([4], [1, 2, 3, 4])),
           .. Pb.LayerV2("relu1", "ReLU", "conv1", "conv1"),
           .. Pb.LayerV2("fc1", "InnerProduct", "pool1", "fc1", Pb.BlobV2([5, 64], FcW), Pb.BlobV2([5], [5, 6, 7, 8, 9]))];

    private static Layer[] TinyLayers =>
    [
        new ConvLayer("conv1", 4, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu1"),
        new LrnLayer("norm1", 3, 1e-4f, 0.75f, 2f),
        new MaxPoolLayer("pool1", 3, 3, 2, 2, CeilMode: true),
        new FlattenLayer("flatten"),
        new FcLayer("fc1", 5),
        new DropoutLayer("drop1", 0.25f),
        new SoftmaxLayer("prob"),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TinyNetImportsFromBothForms(bool v1)
    {
        var spec = CaffeImporter.Spec(Prototxt.Parse(TinyPrototxt, "tiny.prototxt"), "tiny.prototxt");
        Assert.Equal("tiny", spec.Name);
        Assert.Equal((3, 9, 9), (spec.InputChannels, spec.InputHeight, spec.InputWidth));
        Assert.Equal(TinyLayers, spec.Layers);
        var model = CaffeModel.Parse(TinyModel(v1), "tiny.caffemodel");
        Assert.Equal(v1, model.IsV1);
        var w = CaffeImporter.Weights(spec, model, "tiny.caffemodel");
        Assert.Equal(ConvW, w["conv1"].Weight);
        Assert.Equal([1f, 2, 3, 4], w["conv1"].Bias!);
        Assert.Equal(FcW, w["fc1"].Weight);
        Assert.Equal([5f, 6, 7, 8, 9], w["fc1"].Bias!);
    }

    [Fact]
    public void InputLayerAndInputShapeForms()
    {
        var viaLayer = TinyPrototxt.Replace("input: \"data\"\ninput_dim: 1 input_dim: 3 input_dim: 9\ninput_dim: 9",
            "layer { name: 'data' type: 'Input' top: 'data' input_param { shape: { dim: [10, 3, 9, 9] } } }");
        var viaShape = TinyPrototxt.Replace("input_dim: 1 input_dim: 3 input_dim: 9\ninput_dim: 9", "input_shape { dim: 1 dim: 3 dim: 9 dim: 9 }");
        Assert.NotEqual(TinyPrototxt, viaLayer);
        Assert.NotEqual(TinyPrototxt, viaShape);
        foreach (var text in new[] { viaLayer, viaShape })
            Assert.Equal(TinyLayers, CaffeImporter.Spec(Prototxt.Parse(text, "x.prototxt"), "x.prototxt").Layers);
    }

    [Fact]
    public void AveragePoolingAndV1EnumTypes()
    {
        var text = TinyPrototxt.Replace("pool: MAX kernel_size: 3 stride: 2", "pool: AVE kernel_size: 3 stride: 2 pad: 1")
            .Replace("layer {", "layers {").Replace("type: \"Convolution\"", "type: CONVOLUTION").Replace("type: \"ReLU\"", "type: RELU");
        var spec = CaffeImporter.Spec(Prototxt.Parse(text, "t.prototxt"), "t.prototxt");
        Assert.Equal(new AvgPoolLayer("pool1", 3, 3, 2, 2, 1, 1, CeilMode: true, CountIncludePad: true), spec["pool1"]);
        Assert.Equal(TinyLayers[0], spec.Layers[0]);
        Assert.Equal(TinyLayers[1], spec.Layers[1]);
    }

    [Fact]
    public void ParserHandlesStringsNumbersListsAndComments()
    {
        var m = Prototxt.Parse("a: \"x\\n\\t\\\"q\\\" \\x41\\101\" 'b' # c\nn: -12 f: 1.5e-3 g: 0x1F e: MAX s < k: 1 > r: [1, 2 ,3] t: true", "p.txt");
        Assert.Equal("x\n\t\"q\" AAb", m.String("a"));
        Assert.Equal(-12, m.Int("n", 0));
        Assert.Equal(1.5e-3f, m.Float("f", 0));
        Assert.Equal(31, m.Int("g", 0));
        Assert.Equal("MAX", m.String("e"));
        Assert.Equal(1, m.Message("s")!.Int("k", 0));
        Assert.Equal([1L, 2, 3], m.Ints("r"));
        Assert.True(m.Bool("t", false));
    }

    [Theory]
    [InlineData("a: \"open", "unterminated string")]
    [InlineData("a { b: 1", "missing '}'")]
    [InlineData("a: 1 }", "expected a field name")]
    [InlineData("a: \"\\q\"", "unknown escape")]
    [InlineData("a b", "expected ':'")]
    public void ParserErrorsNameFileAndLine(string text, string what)
    {
        var e = Assert.Throws<RawConvException>(() => Prototxt.Parse("\n" + text, "bad.prototxt"));
        Assert.StartsWith("bad.prototxt:2:", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void DeepNestingIsAnErrorNotAStackOverflow()
    {
        var text = string.Concat(Enumerable.Repeat("a { ", 100_000));
        Assert.Contains("nested deeper", Assert.Throws<RawConvException>(() => Prototxt.Parse(text, "deep.prototxt")).Message);
    }

    [Theory]
    [InlineData("type: \"Convolution\"", "type: \"Deconvolution\"", "layer type 'Deconvolution' is not supported")]
    [InlineData("bottom: \"norm1\" top: \"pool1\"", "bottom: \"data\" top: \"pool1\"", "not a sequential chain")]
    [InlineData("pool: MAX", "pool: STOCHASTIC", "pool STOCHASTIC")]
    [InlineData("local_size: 3", "local_size: 3 norm_region: WITHIN_CHANNEL", "WITHIN_CHANNEL")]
    [InlineData("num_output: 5", "num_output: 0", "num_output 0 is out of range")]
    public void UnsupportedOrInconsistentLayersNameTheLayer(string from, string to, string what)
    {
        var text = TinyPrototxt.Replace(from, to);
        Assert.NotEqual(TinyPrototxt, text);
        var e = Assert.Throws<RawConvException>(() => CaffeImporter.Spec(Prototxt.Parse(text, "t.prototxt"), "t.prototxt"));
        Assert.StartsWith("t.prototxt", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void WeightShapeMismatchNamesLayerAndBothShapes()
    {
        var spec = CaffeImporter.Spec(Prototxt.Parse(TinyPrototxt.Replace("num_output: 4", "num_output: 2"), "t.prototxt"), "t.prototxt");
        var e = Assert.Throws<RawConvException>(() => CaffeImporter.Weights(spec, CaffeModel.Parse(TinyModel(false), "w.caffemodel"), "w.caffemodel"));
        Assert.Contains("w.caffemodel: layer 'conv1' weight blob has shape [4×3×3×3], the prototxt implies [2×3×3×3]", e.Message);
    }

    [Fact]
    public void HostileCaffemodelsEndInErrorsNamingTheFile()
    {
        var spec = CaffeImporter.Spec(Prototxt.Parse(TinyPrototxt, "t.prototxt"), "t.prototxt");
        var rng = new Random(1234);
        int errors = 0;
        foreach (bool v1 in new[] { false, true })
        {
            var good = TinyModel(v1);
            for (int k = 0; k < 300; k++)
            {
                var bytes = Pb.Mutate(good, rng, k);
                var name = $"fuzz-{v1}-{k}.caffemodel";
                try { CaffeImporter.Weights(spec, CaffeModel.Parse(bytes, name), name); }
                catch (RawConvException e)
                {
                    Assert.Contains(name, e.Message);
                    errors++;
                }
            }
        }
        Assert.True(errors > 300, $"only {errors} of 600 hostile caffemodels were rejected");
    }

    [Fact]
    public void HostilePrototxtsEndInErrorsNamingTheFile()
    {
        var rng = new Random(99);
        var good = TinyPrototxt;
        const string alphabet = "{}<>[]:;,\"'\\#\n -.0123456789eExXabcMAX_";
        int errors = 0;
        for (int k = 0; k < 600; k++)
        {
            var chars = good.ToCharArray().ToList();
            int edits = 1 + rng.Next(4);
            for (int j = 0; j < edits && chars.Count > 0; j++)
            {
                int at = rng.Next(chars.Count);
                switch (rng.Next(4))
                {
                    case 0: chars.RemoveRange(at, chars.Count - at); break;
                    case 1: chars[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    case 2: chars.RemoveAt(at); break;
                    default: chars.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                }
            }
            var name = $"fuzz-{k}.prototxt";
            try { CaffeImporter.Spec(Prototxt.Parse(new string(chars.ToArray()), name), name); }
            catch (RawConvException e)
            {
                Assert.Contains(name, e.Message);
                errors++;
            }
        }
        Assert.True(errors > 200, $"only {errors} of 600 hostile prototxts were rejected");
    }
}
