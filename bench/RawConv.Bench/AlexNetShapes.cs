using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>One convolution layer of Caffe's bvlc_alexnet (deploy.prototxt).</summary>
public sealed record ConvLayer(string Name, int C, int H, int W, int K, int R, int Stride, int Pad, int Groups)
{
    public Conv2dParams Params => new(Stride, Stride, Pad, Pad, 1, 1, Groups);
    public Shape X(int n) => new(n, C, H, W);
    public Shape Weight => new(K, C / Groups, R, R);
    public int Out => (H + 2 * Pad - R) / Stride + 1;

    /// <summary>2·N·K·OH·OW·(C/g)·R·S: multiply and add counted separately.</summary>
    public double Flops(int n) => 2.0 * n * K * Out * Out * (C / Groups) * R * R;
}

/// <summary>The shapes the benchmarks run at.</summary>
public static class AlexNetShapes
{
    public static readonly ConvLayer[] Conv =
    [
        new("conv1", 3, 227, 227, 96, 11, 4, 0, 1),
        new("conv2", 96, 27, 27, 256, 5, 1, 2, 2),
        new("conv3", 256, 13, 13, 384, 3, 1, 1, 1),
        new("conv4", 384, 13, 13, 384, 3, 1, 1, 2),
        new("conv5", 384, 13, 13, 256, 3, 1, 1, 2),
    ];

    public static ConvLayer Layer(string name) => Conv.First(l => l.Name == name);
}
