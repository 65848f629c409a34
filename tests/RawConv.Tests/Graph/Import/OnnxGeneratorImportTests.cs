using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Onnx;

namespace RawConv.Tests.Graph.Import;

/// <summary>The ONNX importer on a hand-made generator: code input, Gemm, LeakyRelu, Reshape, ConvTranspose, Slice, Tanh.</summary>
public class OnnxGeneratorImportTests
{
    private static readonly float[] F = Enumerable.Range(0, 12 * 8).Select(i => i * 0.01f).ToArray();
    private static readonly float[] T = Enumerable.Range(0, 3 * 2 * 4 * 4).Select(i => i * 0.02f).ToArray();

    /// <summary>code (1, 8) → Gemm 12 → LeakyRelu → Reshape (3, 2, 2) → ConvTranspose 2 4×4 /2 pad 1 → Slice rows → Tanh.</summary>
    private static byte[] Gen(float alpha = 0.3f, long[]? shape = null, long start = 1, long end = 3) =>
        Pb.Model(10,
            Pb.Node("Gemm", "fc1", ["code", "F", "FB"], ["h"], Pb.AttrInt("transB", 1)),
            Pb.Node("LeakyRelu", "act1", ["h"], ["a"], Pb.AttrFloat("alpha", alpha)),
            Pb.Node("Reshape", "to_map", ["a", "S"], ["m"]),
            Pb.Node("ConvTranspose", "up1", ["m", "T", "TB"], ["u"], Pb.AttrInts("kernel_shape", 4, 4), Pb.AttrInts("strides", 2, 2), Pb.AttrInts("pads", 1, 1, 1, 1)),
            Pb.Node("Slice", "crop_rows", ["u", "st", "en", "ax"], ["c"]),
            Pb.Node("Tanh", "out", ["c"], ["y"]),
            Pb.Str(2, "gen"),
            Pb.Init(Pb.Tensor("F", [12, 8], F)),
            Pb.Init(Pb.Tensor("FB", [12], new float[12])),
            Pb.Init(Pb.Int64Tensor("S", [4], shape ?? [-1, 3, 2, 2])),
            Pb.Init(Pb.Tensor("T", [3, 2, 4, 4], T)),
            Pb.Init(Pb.Tensor("TB", [2], [0.5f, -0.5f])),
            Pb.Init(Pb.Int64Tensor("st", [1], [start])),
            Pb.Init(Pb.Int64Tensor("en", [1], [end])),
            Pb.Init(Pb.Int64Tensor("ax", [1], [2])),
            Pb.ValueInfo(11, "code", 1, 8),
            Pb.ValueInfo(12, "y", 1, 2, 2, 4));

    private static ImportedNet Import(byte[] bytes) => OnnxImporter.Import(OnnxModel.Parse(bytes, "gen.onnx"), "gen.onnx");

    [Fact]
    public void AGeneratorImportsLayerByLayer()
    {
        var net = Import(Gen());
        Assert.Equal(new Shape(8), net.Spec.Input);
        Assert.Equal(new Layer[]
        {
            new FcLayer("fc1", 12), new LeakyReluLayer("act1", 0.3f), new ReshapeLayer("to_map", 3, 2, 2),
            new ConvTransposeLayer("up1", 2, 4, 4, 2, 2, 1, 1), new CropLayer("crop_rows", 2, 4), new TanhLayer("out"),
        }, net.Spec.Layers);
        Assert.Equal(T, net.Weights["up1"].Weight);
        Assert.Equal([0.5f, -0.5f], net.Weights["up1"].Bias!);
        Assert.Equal(new Shape(1, 2, 2, 4), net.Spec.Shapes()[^1]);
    }

    [Fact]
    public void WhatTheKindsCannotExpressIsRefusedNamingTheNode()
    {
        var e = Assert.Throws<RawConvException>(() => Import(Gen(start: 0, end: 2)));
        Assert.Contains("gen.onnx: node 'crop_rows' (Slice)", e.Message);
        Assert.Contains("not a centred window", e.Message);
        e = Assert.Throws<RawConvException>(() => Import(Gen(alpha: 1.5f)));
        Assert.Contains("node 'act1' (LeakyRelu): LeakyRelu alpha 1.5 is not in [0, 1)", e.Message);
        e = Assert.Throws<RawConvException>(() => Import(Gen(shape: [-1, 5, 2, 2])));
        Assert.Contains("node 'to_map' (Reshape)", e.Message);
        Assert.Contains("[-1, 5, 2, 2]", e.Message);
    }
}
