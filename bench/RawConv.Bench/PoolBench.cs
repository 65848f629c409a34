using BenchmarkDotNet.Attributes;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>Memory-bound layers of bvlc_alexnet: ReLU, LRN and max pooling with switches, forward and backward.</summary>
public class PoolLrnReluBench : OpBench, IRate
{
    [Params("relu1/norm1/pool1", "relu2/norm2/pool2", "pool5")] public string Site { get; set; } = "relu1/norm1/pool1";
    [Params(1, 16)] public int Batch { get; set; } = 16;
    [Params("relu", "lrn", "maxpool", "maxpool-backward", "lrn-backward")] public string Op { get; set; } = "maxpool";

    private Tensor x = null!, y = null!, dy = null!, idx = null!, dpool = null!;
    private static readonly Pool2dParams Pool = new(3, 3, 2, 2);
    private static readonly LrnParams Norm = new(5, 1e-4f, 0.75f, 1f);

    private Shape In => Site switch
    {
        "relu1/norm1/pool1" => new Shape(Batch, 96, 55, 55),
        "relu2/norm2/pool2" => new Shape(Batch, 256, 27, 27),
        _ => new Shape(Batch, 256, 13, 13),
    };

    /// <summary>Bytes read and written once: input + output (+ switches / gradients for backward).</summary>
    public double Amount()
    {
        double n = In.Count * 4.0, o = MaxPool2d.OutputShape(In, Pool).Count * 4.0;
        return Op switch
        {
            "relu" => 2 * n,
            "lrn" => 2 * n,
            "lrn-backward" => 4 * n,
            "maxpool" => n + 2 * o,
            _ => 2 * o + n,
        };
    }

    public string Unit => "GB/s";

    [GlobalSetup]
    public void Setup()
    {
        x = Random(In);
        y = Lrn.Forward(x, Norm);
        dy = Random(In, 1f, 4);
        (var v, idx) = MaxPool2d.Forward(x, Pool);
        Owned.Add(y); Owned.Add(v); Owned.Add(idx);
        dpool = Random(v.Shape, 1f, 5);
    }

    [GlobalCleanup] public void Cleanup() => Dispose();

    [Benchmark]
    public void Run()
    {
        switch (Op)
        {
            case "relu": Sync(Relu.Forward(x)); break;
            case "lrn": Sync(Lrn.Forward(x, Norm)); break;
            case "lrn-backward": Sync(Lrn.Backward(x, y, dy, Norm)); break;
            case "maxpool":
                var (v, i) = MaxPool2d.Forward(x, Pool);
                i.Dispose();
                Sync(v);
                break;
            default: Sync(MaxPool2d.Backward(dpool, idx, x.Shape, Pool)); break;
        }
    }
}
