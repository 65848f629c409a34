using RawConv.Algorithms;
using RawConv.Graph;

namespace RawConv.Tests.Algorithms;

/// <summary>Batch memory is checked from the architecture before allocating; arg-max refuses NaN instead of answering a wrong index.</summary>
public class BatchMemoryTests
{
    private static DeviceInfo Device(long global, long maxAlloc) => new("test", "tiny", "vendor", 1, global, maxAlloc, 0, 256, "1.0", DeviceClass.Cpu);

    [Fact]
    public void PerImageBytesAreTheSumOfLayerOutputs()
    {
        var spec = MiniAlexNet.Spec(MiniAlexNetConfig.Shipped);
        var shapes = spec.Shapes(1);
        var (total, largest) = BatchMemory.PerImage(spec);
        Assert.Equal(shapes.Sum(s => s.Count) * 4, total);
        Assert.Equal(shapes.Max(s => s.Count) * 4, largest);
        Assert.Equal(1 * 40 * 40 * 4, shapes[0].Count * 4); // the input is counted: (1, 1, 40, 40)
    }

    [Fact]
    public void ABatchOverHalfTheMemoryIsRefusedNamingTheSettingAndTheBytes()
    {
        var spec = MiniAlexNet.Spec(MiniAlexNetConfig.Shipped);
        var (total, _) = BatchMemory.PerImage(spec);
        var device = Device(global: 2 * total * 10, maxAlloc: long.MaxValue); // room for exactly 10 images
        BatchMemory.Check(spec, device, 10, "--batch");
        var e = Assert.Throws<RawConvException>(() => BatchMemory.Check(spec, device, 11, "--batch"));
        Assert.Equal($"--batch: 11 images at once through {spec.Name} need {11 * total:N0} bytes of layer outputs, over the {10 * total:N0} bytes (half of tiny's memory) allowed — give at most 10", e.Message);
        Assert.Contains("give at most", Assert.Throws<RawConvException>(() => BatchMemory.Check(spec, device, int.MaxValue, "--batch")).Message);
        Assert.Equal(10, BatchMemory.MaxBatch(spec, device));
    }

    [Fact]
    public void TheLargestLayerMustFitOneAllocation()
    {
        var spec = MiniAlexNet.Spec(MiniAlexNetConfig.Shipped);
        var (_, largest) = BatchMemory.PerImage(spec);
        var device = Device(global: long.MaxValue, maxAlloc: 3 * largest);
        BatchMemory.Check(spec, device, 3, "x");
        Assert.Contains("single-allocation limit", Assert.Throws<RawConvException>(() => BatchMemory.Check(spec, device, 4, "x")).Message);
    }

    [Fact]
    public void ArgMaxOfARowWithNaNIsAnErrorNotAnIndex()
    {
        Assert.Equal(2, NetQueries.ArgMax([1f, 3f, 5f, 5f]));
        Assert.Equal(1, NetQueries.ArgMax([float.NegativeInfinity, float.PositiveInfinity]));
        foreach (var row in new[] { new[] { float.NaN, 1f }, new[] { 1f, float.NaN, 2f } })
        {
            var e = Assert.Throws<RawConvException>(() => NetQueries.ArgMax(row, "fc8 of image 0"));
            Assert.Contains("fc8 of image 0 holds NaN at index", e.Message);
        }
        Assert.Throws<RawConvException>(() => NetQueries.ArgMax(ReadOnlySpan<float>.Empty));
    }
}
