using RawConv.Cuda;
using RawConv.OpenCL;

namespace RawConv.Ops;

/// <summary>Opens a backend by name: cuda, opencl, reference, or the default (cuda, else opencl, else reference).</summary>
public static class Devices
{
    /// <summary>Names accepted by <see cref="Open"/>.</summary>
    public static readonly string[] Names = ["cuda", "opencl", "reference"];

    /// <summary>
    /// Opens the named backend, or with null/"auto" the first that answers of cuda, opencl and
    /// reference; <paramref name="warn"/> receives a line for each device that did not answer.
    /// </summary>
    public static IBackend Open(string? name = null, Action<string>? warn = null)
    {
        switch (name?.ToLowerInvariant())
        {
            case "cuda": return CudaBackend.Create();
            case "opencl": return OpenClBackend.Create();
            case "reference": return new ReferenceBackend();
            case null or "" or "auto":
                try { return CudaBackend.Create(); }
                catch (DeviceException e) { warn?.Invoke($"cuda unavailable: {e.Message}"); }
                try { return OpenClBackend.Create(); }
                catch (DeviceException e) { warn?.Invoke($"opencl unavailable: {e.Message}"); }
                warn?.Invoke("warning: no GPU or OpenCL device answered; using the slow reference backend");
                return new ReferenceBackend();
            default:
                throw new RawConvException($"unknown device '{name}'; expected one of {string.Join(", ", Names)}");
        }
    }
}
