using RawConv.Cuda;
using RawConv.OpenCL;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Core;

/// <summary>Live and peak device bytes per backend: known allocations and frees move them by exactly their sizes.</summary>
public class DeviceMemoryTests
{
    /// <summary>A private backend instance, so buffers other tests allocate in parallel do not reach its meter.</summary>
    private static IBackend Fresh(string name)
    {
        if (name == "reference") return new ReferenceBackend();
        Backends.Get(name);
        return name == "opencl" ? OpenClBackend.Create() : CudaBackend.Create();
    }

    [SkippableTheory]
    [InlineData("reference")]
    [InlineData("opencl")]
    [InlineData("cuda")]
    public void AllocatingAndFreeingKnownSizesMovesLiveAndPeakExactly(string name)
    {
        using var b = Fresh(name);
        var m = DeviceMemory.Of(b);
        Assert.Equal(0, m.Live);
        Assert.Equal(0, m.Peak);
        var a = Tensor.Zeros(b, new Shape(1000));
        Assert.Equal(4000, m.Live);
        var c = Tensor.Uninitialized(b, new Shape(7, 9), DType.Int32);
        Assert.Equal(4000 + 252, m.Live);
        Assert.Equal(4252, m.Peak);
        a.Dispose();
        a.Dispose();
        Assert.Equal(252, m.Live);
        Assert.Equal(4252, m.Peak);
        Assert.Equal(4252, m.ResetPeak());
        Assert.Equal(252, m.Peak);
        using (Tensor.Zeros(b, new Shape(10)))
            Assert.Equal(292, m.Peak);
        Assert.Equal(252, m.Live);
        Assert.Equal(292, m.Peak);
        c.Dispose();
        Assert.Equal(0, m.Live);
        Assert.Equal(292, m.Peak);
    }

    [Fact]
    public void BackendsCountApart()
    {
        using var one = new ReferenceBackend();
        using var two = new ReferenceBackend();
        using var t = Tensor.Zeros(one, new Shape(5));
        Assert.Equal(20, DeviceMemory.Of(one).Live);
        Assert.Equal(0, DeviceMemory.Of(two).Live);
        Assert.Same(DeviceMemory.Of(one), DeviceMemory.Of(one));
    }

    [Fact]
    public void ConcurrentAllocationsBalanceAndThePeakCoversTheLargestMomentSeen()
    {
        using var b = new ReferenceBackend();
        var m = DeviceMemory.Of(b);
        using var held = Tensor.Zeros(b, new Shape(100));
        Parallel.For(0, 8, i =>
        {
            for (int k = 0; k < 200; k++)
                using (Tensor.Zeros(b, new Shape(16 + i))) { }
        });
        Assert.Equal(400, m.Live);
        // Each worker holds at most one 16–23-float buffer at a time: the peak cannot exceed all eight at once.
        Assert.InRange(m.Peak, 400 + 4 * 16, 400 + 4 * (16 + 17 + 18 + 19 + 20 + 21 + 22 + 23));
    }
}
