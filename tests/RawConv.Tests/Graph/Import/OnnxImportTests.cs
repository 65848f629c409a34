using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Onnx;

namespace RawConv.Tests.Graph.Import;

/// <summary>The ONNX importer's own checks on small hand-made models.</summary>
public class OnnxImportTests
{
    private static readonly float[] W = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => i * 0.01f).ToArray();
    private static readonly float[] Fc = Enumerable.Range(0, 5 * 64).Select(i => i * 0.001f).ToArray();

    /// <summary>data (1,3,9,9) → Conv 4 3×3 pad 1 → Relu → MaxPool 3/2 ceil → Flatten → Gemm 5 → Softmax, with hooks to break it.</summary>
    private static byte[] Tiny(string convW = "W", long[]? wDims = null, long[]? pads = null, string reluOp = "Relu",
        string poolInput = "r", bool transB = true, long opset = 10) =>
        Pb.Model(opset,
            Pb.Node("Conv", "conv1", ["data", convW, "B"], ["c"], Pb.AttrInts("kernel_shape", 3, 3), Pb.AttrInts("pads", pads ?? [1, 1, 1, 1]), Pb.AttrInt("group", 1)),
            Pb.Node(reluOp, "relu1", ["c"], ["r"]),
            Pb.Node("MaxPool", "pool1", [poolInput], ["p"], Pb.AttrInts("kernel_shape", 3, 3), Pb.AttrInts("strides", 2, 2), Pb.AttrInt("ceil_mode", 1)),
            Pb.Node("Flatten", "", ["p"], ["flat"], Pb.AttrInt("axis", 1)),
            Pb.Node("Gemm", "", ["flat", "F", "FB"], ["fc1"], Pb.AttrInt("transB", transB ? 1 : 0), Pb.AttrFloat("alpha", 2f)),
            Pb.Node("Softmax", "prob", ["fc1"], ["out"]),
            Pb.Str(2, "tiny"),
            Pb.Init(Pb.Tensor("W", wDims ?? [4, 3, 3, 3], W)),
            Pb.Init(Pb.Tensor("B", [4], [1, 2, 3, 4])),
            Pb.Init(Pb.Tensor("F", transB ? [5, 64] : [64, 5], Fc)),
            Pb.Init(Pb.Tensor("FB", [5], [5, 6, 7, 8, 9])),
            Pb.ValueInfo(11, "data", 1, 3, 9, 9),
            Pb.ValueInfo(12, "out", 1, 5));

    private static ImportedNet Import(byte[] bytes, string name = "tiny.onnx") => OnnxImporter.Import(OnnxModel.Parse(bytes, name), name);

    [Fact]
    public void TinyModelImports()
    {
        var net = Import(Tiny());
        Assert.Equal((3, 9, 9), (net.Spec.InputChannels, net.Spec.InputHeight, net.Spec.InputWidth));
        Assert.Equal(new Layer[]
        {
            new ConvLayer("conv1", 4, 3, 3, PadH: 1, PadW: 1), new ReluLayer("relu1"), new MaxPoolLayer("pool1", 3, 3, 2, 2, CeilMode: true),
            new FlattenLayer("flat"), new FcLayer("fc1", 5), new SoftmaxLayer("prob"),
        }, net.Spec.Layers);
        Assert.Equal(W, net.Weights["conv1"].Weight);
        Assert.Equal(Fc.Select(v => 2 * v), net.Weights["fc1"].Weight);
        Assert.Equal([5f, 6, 7, 8, 9], net.Weights["fc1"].Bias!);
    }

    [Fact]
    public void GemmWithoutTransBIsTransposed()
    {
        var w = Import(Tiny(transB: false)).Weights["fc1"].Weight;
        for (int o = 0; o < 5; o++)
            for (int i = 0; i < 64; i++)
                Assert.Equal(2 * Fc[i * 5 + o], w[o * 64 + i]);
    }

    [Fact]
    public void BeforeOpset10MaxPoolRoundsDown()
    {
        Assert.False(((MaxPoolLayer)Import(Tiny(opset: 9)).Spec["pool1"]).CeilMode);
    }

    [Fact]
    public void AveragePoolReshapeMatMulAddAndDropoutRatioInput()
    {
        var bytes = Pb.Model(12,
            Pb.Node("AveragePool", "", ["data"], ["avg"], Pb.AttrInts("kernel_shape", 3, 3), Pb.AttrInts("strides", 2, 2),
                Pb.AttrInts("pads", 1, 1, 1, 1), Pb.AttrInt("count_include_pad", 1)),
            Pb.Node("Reshape", "", ["avg", "shape"], ["flat"]),
            Pb.Node("Dropout", "", ["flat", "ratio"], ["drop", "mask"]),
            Pb.Node("MatMul", "", ["drop", "M"], ["mm"]),
            Pb.Node("Add", "", ["mm", "MB"], ["fc"]),
            Pb.Init(Pb.Int64Tensor("shape", [2], [1, -1])),
            Pb.Init(Pb.Tensor("ratio", [], [0.3f])),
            Pb.Init(Pb.Tensor("M", [75, 2], Enumerable.Range(0, 150).Select(i => (float)i).ToArray())),
            Pb.Init(Pb.Tensor("MB", [2], [7, 8])),
            Pb.ValueInfo(11, "data", 1, 3, 9, 9),
            Pb.ValueInfo(12, "fc", 1, 2));
        var net = Import(bytes);
        Assert.Equal(new Layer[]
        {
            new AvgPoolLayer("avg", 3, 3, 2, 2, 1, 1, CountIncludePad: true), new FlattenLayer("flat"),
            new DropoutLayer("drop", 0.3f), new FcLayer("fc", 2),
        }, net.Spec.Layers);
        var (w, b) = net.Weights["fc"];
        Assert.Equal([7f, 8], b!);
        Assert.Equal(1f, w[1 * 75 + 0]);
        Assert.Equal(2f * 74, w[0 * 75 + 74]);
    }

    [Theory]
    [InlineData("missing", "node 'conv1' (Conv): input W ('nope') is not an initializer")]
    [InlineData("rank", "node 'conv1' (Conv): input W Float[4, 27] 'W' has rank 2, expected 4")]
    [InlineData("pads", "node 'conv1' (Conv): asymmetric pads [1, 1, 0, 0]")]
    [InlineData("op", "node 'relu1' (Sigmoid): op 'Sigmoid' is not supported")]
    [InlineData("branch", "node 'pool1' (MaxPool): the graph is not a sequential chain")]
    public void ImporterChecksNameFileNodeAndOp(string fault, string what)
    {
        var bytes = fault switch
        {
            "missing" => Tiny(convW: "nope"),
            "rank" => Tiny(wDims: [4, 27]),
            "pads" => Tiny(pads: [1, 1, 0, 0]),
            "op" => Tiny(reluOp: "Sigmoid"),
            _ => Tiny(poolInput: "c"),
        };
        var e = Assert.Throws<RawConvException>(() => Import(bytes, "bad.onnx"));
        Assert.StartsWith("bad.onnx: ", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void HostileModelsEndInErrorsNamingTheFile()
    {
        var good = Tiny();
        var rng = new Random(4321);
        int errors = 0;
        for (int k = 0; k < 400; k++)
        {
            var name = $"fuzz-{k}.onnx";
            try { Import(Pb.Mutate(good, rng, k), name); }
            catch (RawConvException e)
            {
                Assert.Contains(name, e.Message);
                errors++;
            }
        }
        Assert.True(errors > 200, $"only {errors} of 400 hostile models were rejected");
    }
}
