using RawConv.Cuda;
using RawConv.OpenCL;

namespace RawConv.Tests.TestUtil;

/// <summary>One shared instance per backend for the whole test run; unavailable devices skip with the reason.</summary>
public static class Backends
{
    private static readonly Lazy<(IBackend? Backend, string Reason)> OpenCl = new(() => TryOpen(() => OpenClBackend.Create()));
    private static readonly Lazy<(IBackend? Backend, string Reason)> CudaLazy = new(() => TryOpen(() => CudaBackend.Create()));

    /// <summary>The reference backend (always available).</summary>
    public static IBackend Reference { get; } = new ReferenceBackend();

    /// <summary>The backend named "reference", "opencl" or "cuda"; skips the calling test when it is unavailable.</summary>
    public static IBackend Get(string name)
    {
        if (name == "reference") return Reference;
        var (b, reason) = name == "opencl" ? OpenCl.Value : CudaLazy.Value;
        if (name == "opencl" && b is null && Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException($"OpenCL must be available in CI: {reason}");
        Skip.If(b is null, $"{name} unavailable: {reason}");
        return b!;
    }

    /// <summary>
    /// A private instance of the kernel backend <paramref name="name"/> ("opencl" or "cuda") whose tuning is the
    /// shared instance's passed through <paramref name="tune"/>; skips like <see cref="Get"/>. The caller disposes it.
    /// </summary>
    public static IKernelBackend OpenTuned(string name, Func<KernelTuning, KernelTuning> tune)
    {
        var shared = (IKernelBackend)Get(name);
        var tuning = tune(shared.Tuning);
        return name == "opencl" ? OpenClBackend.Create(tuning: tuning) : CudaBackend.Create(tuning);
    }

    private static (IBackend?, string) TryOpen(Func<IBackend> open)
    {
        try { return (open(), ""); }
        catch (DeviceException e) { return (null, e.Message); }
    }
}

/// <summary>Base of the per-backend op tests: one subclass per kernel backend, compared with the reference.</summary>
public abstract class BackendTest
{
    /// <summary>"opencl" or "cuda".</summary>
    protected abstract string BackendName { get; }
    /// <summary>The backend under test (skips when missing).</summary>
    protected IBackend B => Backends.Get(BackendName);
    /// <summary>The oracle.</summary>
    protected static IBackend Ref => Backends.Reference;
}
