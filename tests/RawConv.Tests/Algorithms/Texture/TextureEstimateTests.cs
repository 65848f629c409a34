using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Texture;
using RawConv.Graph;
using RawConv.OpenCL;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Texture;

/// <summary>The memory estimate of texture synthesis against the peak device memory the run really held (DeviceMemory), within 20%.</summary>
public class TextureEstimateTests(ITestOutputHelper output)
{
    /// <summary>A private backend, so other tests' buffers do not reach its meter.</summary>
    private static IBackend Fresh(string name)
    {
        if (name == "reference") return new ReferenceBackend();
        Backends.Get(name);
        return OpenClBackend.Create();
    }

    private static NetSpec Spec(string model) => model == "vgg19"
        ? Zoo.Truncate(Zoo.Get("vgg19"), "pool2", 32, 32)
        : Zoo.Get(model);

    [SkippableTheory]
    [InlineData("mini_alexnet", "opencl", OptimizerKind.Lbfgs, 1, 80)]
    [InlineData("mini_alexnet", "opencl", OptimizerKind.Adam, 2, 80)]
    [InlineData("mini_alexnet", "reference", OptimizerKind.Lbfgs, 1, 32)]
    [InlineData("vgg19", "opencl", OptimizerKind.Lbfgs, 1, 64)]
    [InlineData("vgg19", "opencl", OptimizerKind.Adam, 1, 64)]
    [InlineData("vgg19", "reference", OptimizerKind.Adam, 1, 16)]
    public void EstimateIsWithin20PercentOfTheMeasuredPeak(string model, string backend, OptimizerKind kind, int scales, int side)
    {
        using var b = Fresh(backend);
        var spec = Spec(model);
        using var net = new Net(spec, b);
        net.InitializeRandom(5);
        var o = new TextureOptions(TextureSynthesis.DefaultLayers(spec), side, side, new OptimizerSettings(kind, 1f),
            Iterations: 2, Scales: scales, Seed: 1);
        using var source = model == "vgg19" ? Rand.Tensor(b, 3, 1, 3, side == 16 ? 16 : 48, side == 16 ? 16 : 56) : Rand.Tensor(b, 3, 1, spec.InputChannels, spec.InputHeight, spec.InputWidth);
        var estimate = TextureSynthesis.Estimate(spec, b, source.Shape, o);
        var meter = DeviceMemory.Of(b);
        meter.ResetPeak();
        using (TextureSynthesis.Run(net, source, Preprocessing.Torchvision.For(spec.InputChannels), o)) { }
        long peak = meter.Peak;
        double ratio = (double)estimate.DeviceBytes / peak;
        output.WriteLine($"{model} {backend} {kind} {scales} scale(s): estimate {estimate.DeviceBytes} B, measured peak {peak} B ({ratio:F3}×); "
            + $"{estimate.MultiplyAdds / 1e6:F0} M multiply-adds ≈ {estimate.Seconds:F2} s");
        Assert.InRange(ratio, 0.8, 1.2);
    }
}
