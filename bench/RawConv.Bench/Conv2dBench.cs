using BenchmarkDotNet.Attributes;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>Conv2d forward, backward-data and backward-filter at the bvlc_alexnet conv layers.</summary>
public class Conv2dBench : OpBench, IRate
{
    [Params("conv1", "conv2", "conv3", "conv4", "conv5")] public string Layer { get; set; } = "conv2";
    [Params(1, 16)] public int Batch { get; set; } = 16;

    private Tensor x = null!, w = null!, bias = null!, dy = null!;
    private ConvLayer L => AlexNetShapes.Layer(Layer);

    public double Amount() => L.Flops(Batch);
    public string Unit => "GFLOP/s";

    [GlobalSetup]
    public void Setup()
    {
        x = Random(L.X(Batch));
        w = Random(L.Weight, 0.01f, 2);
        bias = Random(new Shape(L.K), 1f, 3);
        dy = Conv2d.Forward(x, w, bias, L.Params);
        Owned.Add(dy);
    }

    [GlobalCleanup] public void Cleanup() => Dispose();

    [Benchmark] public void Forward() => Sync(Conv2d.Forward(x, w, bias, L.Params));
    [Benchmark] public void BackwardData() => Sync(Conv2d.BackwardData(dy, w, x.Shape, L.Params));
    [Benchmark] public void BackwardFilter() => Sync(Conv2d.BackwardFilter(x, dy, w.Shape, L.Params));
}

/// <summary>Fully connected fc6–fc8 of bvlc_alexnet, forward.</summary>
public class LinearBench : OpBench, IRate
{
    [Params("fc6", "fc7", "fc8")] public string Layer { get; set; } = "fc6";
    [Params(1, 16)] public int Batch { get; set; } = 16;

    private Tensor x = null!, w = null!, bias = null!;
    private (int In, int Out) Dims => Layer switch { "fc6" => (9216, 4096), "fc7" => (4096, 4096), _ => (4096, 1000) };

    public double Amount() => 2.0 * Batch * Dims.In * Dims.Out;
    public string Unit => "GFLOP/s";

    [GlobalSetup]
    public void Setup()
    {
        x = Random(new Shape(Batch, Dims.In));
        w = Random(new Shape(Dims.Out, Dims.In), 0.01f, 2);
        bias = Random(new Shape(Dims.Out), 1f, 3);
    }

    [GlobalCleanup] public void Cleanup() => Dispose();

    [Benchmark] public void Forward() => Sync(Linear.Forward(x, w, bias));
}
