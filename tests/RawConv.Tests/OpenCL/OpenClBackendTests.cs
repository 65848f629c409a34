using RawConv.OpenCL;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.OpenCL;

public class OpenClBackendTests
{
    private static IBackend B => Backends.Get("opencl");

    [SkippableFact]
    public void InfoNamesDeviceAndLimits()
    {
        var info = B.Info;
        Assert.Equal("opencl", info.Backend);
        Assert.False(string.IsNullOrWhiteSpace(info.Name));
        Assert.True(info.ComputeUnits >= 1);
        Assert.True(info.GlobalMemoryBytes >= info.MaxAllocationBytes && info.MaxAllocationBytes > 0);
        Assert.Contains(info.Name, info.ToString());
    }

    [SkippableFact]
    public void DeviceClassComesFromTheDeviceTypeAndPicksTheDefaults()
    {
        var info = B.Info;
        Skip.If(Environment.GetEnvironmentVariable(KernelTuning.FileVariable) is { Length: > 0 }, "a tuning file is set");
        // PoCL's CPU device (the CI device) names its threading driver first: "pthread-<cpu>".
        if (info.Name.StartsWith("pthread-") || info.Name.StartsWith("cpu-")) Assert.Equal(DeviceClass.Cpu, info.Class);
        Assert.Equal(KernelTuning.For(info.Class), ((IKernelBackend)B).Tuning);
        Assert.Equal(DeviceClass.Cpu, Backends.Reference.Info.Class);
    }

    [SkippableFact]
    public void ExplicitTuningIsValidatedAndKept()
    {
        _ = B;
        var e = Assert.Throws<RawConvException>(() => OpenClBackend.Create(tuning: KernelTuning.Cpu with { GemmTileM = 3 }));
        Assert.Contains("gemmTileM = 3 is not a kernel variant", e.Message);
        using var own = OpenClBackend.Create(tuning: KernelTuning.Gpu);
        Assert.Same(KernelTuning.Gpu, own.Tuning);
    }

    [SkippableFact]
    public void UploadDownloadRoundTripsAndAllocationsStartAtZero()
    {
        var data = Rand.Uniform(5, 1001);
        using var buf = B.Allocate(DType.Float32, 1001);
        var zeros = new float[1001];
        B.Download<float>(buf, zeros);
        Assert.All(zeros, z => Assert.Equal(0f, z));
        B.Upload<float>(buf, data);
        var back = new float[1001];
        B.Download<float>(buf, back);
        Assert.Equal(data, back);
        var part = new float[10];
        B.Download<float>(buf, part, 500);
        Assert.Equal(data.AsSpan(500, 10).ToArray(), part);
    }

    [SkippableFact]
    public void ReleasedBuffersAreReusedZeroedAndWithinTheCacheLimit()
    {
        _ = B; // skips when OpenCL is missing
        using var own = OpenClBackend.Create(); // a private backend: the shared one's cache moves with parallel tests
        var data = Rand.Uniform(7, 3000);
        var first = own.Allocate(DType.Float32, 3000);
        own.Upload<float>(first, data);
        first.Dispose();
        long cached = own.CachedBytes;
        Assert.True(cached >= 3000 * 4, $"released 12,000 bytes but {cached} are cached");
        using (var again = own.Allocate(DType.Float32, 2990)) // same pool size: the released buffer comes back
        {
            Assert.Equal(0, own.CachedBytes);
            var back = new float[2990];
            own.Download<float>(again, back);
            Assert.All(back, v => Assert.Equal(0f, v)); // zero-filled although it held data
        }
        using (var raw = own.AllocateUninitialized(DType.Float32, 2990))
        {
            var back = new float[2990];
            own.Download<float>(raw, back);
            Assert.All(back, v => Assert.True(float.IsNaN(v))); // the tests' poison (TestUtil/Poison.cs)
        }
        Assert.True(own.TrimCache() >= 3000 * 4);
        Assert.Equal(0, own.CachedBytes);
        own.CacheLimit = 0;
        own.Allocate(DType.Float32, 100).Dispose();
        Assert.Equal(0, own.CachedBytes);
    }

    [SkippableFact]
    public void DeviceCopyMatchesHostCopy()
    {
        var data = Rand.Uniform(6, 100);
        using var a = Tensor.FromArray(B, new Shape(100), data);
        using var c = Tensor.Zeros(B, new Shape(100));
        B.Copy(a.Buffer, 10, c.Buffer, 20, 30);
        var got = c.ToArray();
        for (int i = 0; i < 100; i++) Assert.Equal(i >= 20 && i < 50 ? data[i - 10] : 0f, got[i]);
    }

    [SkippableFact]
    public void OutOfRangeTransfersAreRejected()
    {
        using var buf = B.Allocate(DType.Float32, 10);
        var e = Assert.Throws<RawConvException>(() => B.Download<float>(buf, new float[11]));
        Assert.Contains("outside a buffer of 40 bytes", e.Message);
        Assert.Throws<RawConvException>(() => B.Upload<float>(buf, new float[5], 6));
    }

    [SkippableFact]
    public void AbsurdAllocationIsRefusedBeforeAllocating()
    {
        var e = Assert.Throws<RawConvException>(() => B.Allocate(DType.Float32, B.Info.MaxAllocationBytes));
        Assert.Contains("exceeds the device's max single allocation", e.Message);
    }

    [SkippableFact]
    public void BuildFailureCarriesTheBuildLog()
    {
        Backends.Get("opencl");
        using var broken = OpenClBackend.Create(_ => "__kernel void broken(__global float* y) { y[0] = undefined_name; }");
        using var t = Tensor.Zeros(broken, new Shape(1));
        var e = Assert.Throws<KernelBuildException>(() => broken.Launch("broken", "broken", LaunchGeometry.Linear(1, 1), [t]));
        Assert.Contains("kernels/broken.cl", e.Message);
        Assert.Contains("undefined_name", e.Message);
    }

    [SkippableFact]
    public void MissingKernelIsNamed()
    {
        using var t = Tensor.Zeros(B, new Shape(1));
        var e = Assert.Throws<KernelBuildException>(() => ((IKernelBackend)B).Launch("relu", "no_such_kernel", LaunchGeometry.Linear(1, 1), [t]));
        Assert.Contains("no_such_kernel", e.Message);
    }

    [SkippableFact]
    public void BufferFromAnotherBackendIsRejected()
    {
        using var host = Tensor.Zeros(Backends.Reference, new Shape(4));
        var e = Assert.Throws<RawConvException>(() => B.Download<float>(host.Buffer, new float[4]));
        Assert.Contains("reference", e.Message);
    }
}

/// <summary>
/// Points RAWCONV_CACHE_DIR, which every OpenCL program build reads, at a scratch folder: runs alone so no other
/// test's build writes there (a cached relu would break the first backend's zero count) or reads a deleted folder.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public class OpenClProgramCacheTests
{
    [SkippableFact]
    public void SecondBackendLoadsTheBinaryFromTheCache()
    {
        Backends.Get("opencl");
        var dir = Path.Combine(Path.GetTempPath(), "rawconv-cache-test-" + Environment.ProcessId);
        var keep = Environment.GetEnvironmentVariable("RAWCONV_CACHE_DIR");
        try
        {
            Environment.SetEnvironmentVariable("RAWCONV_CACHE_DIR", dir);
            var data = Rand.Uniform(3, 50);
            float[] Run(OpenClBackend b)
            {
                using var x = Tensor.FromArray(b, new Shape(50), data);
                using var y = RawConv.Ops.Relu.Forward(x);
                return y.ToArray();
            }
            using var first = OpenClBackend.Create();
            var a = Run(first);
            Assert.Equal(0, first.ProgramsFromCache);
            Assert.NotEmpty(Directory.GetFiles(dir, "*.bin"));
            using var second = OpenClBackend.Create();
            var c = Run(second);
            Assert.Equal(1, second.ProgramsFromCache);
            Assert.Equal(a, c);
            Assert.Equal(data.Select(v => Math.Max(v, 0f)), c);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RAWCONV_CACHE_DIR", keep);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
