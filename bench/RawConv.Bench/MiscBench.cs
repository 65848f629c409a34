using BenchmarkDotNet.Attributes;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>Softmax over the 1000 classes of fc8, and cross-entropy backward, at batch 1 and 16.</summary>
public class SoftmaxBench : OpBench, IRate
{
    [Params(1, 16)] public int Batch { get; set; } = 16;
    private Tensor x = null!;

    public double Amount() => 2.0 * Batch * 1000 * 4;
    public string Unit => "GB/s";

    [GlobalSetup] public void Setup() => x = Random(new Shape(Batch, 1000));
    [GlobalCleanup] public void Cleanup() => Dispose();
    [Benchmark] public void Forward() => Sync(Softmax.Forward(x));
}

/// <summary>Gram matrices of style-transfer-sized feature maps (conv1, conv3, conv5 of AlexNet).</summary>
public class GramBench : OpBench, IRate
{
    [Params("conv1", "conv3", "conv5")] public string Layer { get; set; } = "conv3";
    private Tensor x = null!;
    private Shape S => Layer switch
    {
        "conv1" => new Shape(1, 96, 55, 55),
        "conv3" => new Shape(1, 384, 13, 13),
        _ => new Shape(1, 256, 13, 13),
    };

    public double Amount() => 2.0 * S.C * S.C * S.H * S.W;
    public string Unit => "GFLOP/s";

    [GlobalSetup] public void Setup() => x = Random(S);
    [GlobalCleanup] public void Cleanup() => Dispose();
    [Benchmark] public void Forward() => Sync(Gram.Forward(x));
}

/// <summary>Bilinear flow warp of a conv2-sized feature map, forward and adjoint.</summary>
public class WarpBench : OpBench, IRate
{
    [Params(1, 16)] public int Batch { get; set; } = 1;
    private Tensor x = null!, flow = null!;
    private Shape S => new(Batch, 96, 27, 27);

    public double Amount() => 2.0 * S.Count * 4;
    public string Unit => "GB/s";

    [GlobalSetup]
    public void Setup()
    {
        x = Random(S);
        flow = Random(new Shape(Batch, 2, 27, 27), 3f, 2);
    }

    [GlobalCleanup] public void Cleanup() => Dispose();
    [Benchmark] public void Forward() => Sync(Warp.Forward(x, flow));
    [Benchmark] public void Adjoint() => Sync(Warp.Adjoint(x, flow, S));
}
