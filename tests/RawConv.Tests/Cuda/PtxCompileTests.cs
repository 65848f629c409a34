using System.Diagnostics;
using RawConv.Cuda;
using RawConv.OpenCL;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cuda;

/// <summary>Every kernels/*.cl compiles to PTX with the CUDA prelude, with no unresolved calls, and is embedded.</summary>
public class PtxCompileTests
{
    public static TheoryData<string> Programs()
    {
        var d = new TheoryData<string>();
        foreach (var p in KernelSource.Programs()) d.Add(p);
        return d;
    }

    private static string KernelsDir() => Path.Combine(Repo.RepoRulesTests.Root(), "kernels");

    [Theory]
    [MemberData(nameof(Programs))]
    public void CompilesToPtxWithClang(string program)
    {
        var k = KernelsDir();
        var ptx = Path.Combine(Path.GetTempPath(), $"rawconv-{program}-{Environment.ProcessId}.ptx");
        var psi = new ProcessStartInfo("clang-14",
            ["-x", "cuda", "--cuda-device-only", "--cuda-gpu-arch=sm_70", "-nocudainc", "-nocudalib", "-O3",
             "-Wno-unknown-cuda-version", "-include", Path.Combine(k, "cuda_prelude.h"), "-I", k, "-S",
             Path.Combine(k, program + ".cl"), "-o", ptx])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var proc = Process.Start(psi)!;
        string err = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, $"clang-14 failed on kernels/{program}.cl:\n{err}");
        var text = File.ReadAllText(ptx);
        File.Delete(ptx);
        AssertLoadable(program, text);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void EmbeddedPtxIsPresentAndLoadable(string program) => AssertLoadable(program, CudaBackend.Ptx(program));

    private static void AssertLoadable(string program, string ptx)
    {
        Assert.Contains(".visible .entry", ptx);
        Assert.False(ptx.Contains(".extern .func"), $"kernels/{program}.cl calls a function the driver cannot resolve (libdevice is not linked): " +
            string.Join("; ", ptx.Split('\n').Where(l => l.Contains(".extern .func"))));
    }

    [Fact]
    public void EveryEntryPointOfTheOpenClSourceIsInThePtx()
    {
        foreach (var program in KernelSource.Programs())
        {
            var src = KernelSource.Load(program + ".cl");
            var ptx = CudaBackend.Ptx(program);
            foreach (var name in System.Text.RegularExpressions.Regex.Matches(src, @"__kernel\s+void\s+(\w+)").Select(m => m.Groups[1].Value))
                Assert.True(ptx.Contains($".entry {name}("), $"kernels/{program}.cl: kernel {name} missing from the PTX");
        }
    }
}

/// <summary>CUDA execution: runs where a device answers, skipped with the reason elsewhere.</summary>
public class CudaBackendTests
{
    [SkippableFact]
    public void RoundTripAndReluOnDevice()
    {
        var b = Backends.Get("cuda");
        var data = Rand.Uniform(9, 1000);
        using var t = Tensor.FromArray(b, new Shape(1000), data);
        Assert.Equal(data, t.ToArray());
        using var y = RawConv.Ops.Relu.Forward(t);
        Assert.Equal(data.Select(v => Math.Max(v, 0f)).ToArray(), y.ToArray());
        Assert.Contains("cuda", b.Info.ToString());
    }

    [SkippableFact]
    public void DeviceIsAGpuWithTheGpuTuningByDefault()
    {
        var b = (IKernelBackend)Backends.Get("cuda");
        Assert.Equal(DeviceClass.Gpu, b.Info.Class);
        Skip.If(Environment.GetEnvironmentVariable(KernelTuning.FileVariable) is { Length: > 0 }, "a tuning file is set");
        Assert.Equal(KernelTuning.Gpu, b.Tuning);
    }

    [SkippableFact]
    public void ReleasedBuffersAreReusedZeroedAndUninitializedOnesSkipTheFill()
    {
        Backends.Get("cuda");
        using var own = CudaBackend.Create(); // a private backend: the shared one's cache moves with parallel tests
        var data = Rand.Uniform(7, 3000);
        var first = own.Allocate(DType.Float32, 3000);
        own.Upload<float>(first, data);
        first.Dispose();
        Assert.Equal(12288, own.CachedBytes); // 12,000 bytes rounded up to 256
        using (var again = own.Allocate(DType.Float32, 2990))
        {
            Assert.Equal(0, own.CachedBytes);
            var back = new float[2990];
            own.Download<float>(again, back);
            Assert.All(back, v => Assert.Equal(0f, v));
        }
        using (var raw = own.AllocateUninitialized(DType.Float32, 2990))
        {
            var back = new float[2990];
            own.Download<float>(raw, back);
            Assert.All(back, v => Assert.True(float.IsNaN(v))); // the tests' poison (TestUtil/Poison.cs)
        }
        Assert.Equal(12288, own.TrimCache());
        own.CacheLimit = 0;
        own.Allocate(DType.Float32, 100).Dispose();
        Assert.Equal(0, own.CachedBytes);
    }

    [Fact]
    public void MissingDriverGivesAClearReason()
    {
        try
        {
            using var b = CudaBackend.Create();
        }
        catch (DeviceException e)
        {
            Assert.StartsWith("cuda:", e.Message);
        }
    }
}
