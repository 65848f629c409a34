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
    /// reference; <paramref name="warn"/> receives one line, with the reasons, when it falls back to the reference backend.
    /// <paramref name="tuning"/> overrides a kernel backend's tuning (<see cref="KernelTuning.Resolve"/>).
    /// </summary>
    public static IBackend Open(string? name = null, Action<string>? warn = null, KernelTuning? tuning = null)
    {
        switch (name?.ToLowerInvariant())
        {
            case "cuda": return CudaBackend.Create(tuning);
            case "opencl": return OpenClBackend.Create(tuning: tuning);
            case "reference": return new ReferenceBackend();
            case null or "" or "auto":
                var reasons = new List<string>();
                try { return CudaBackend.Create(tuning); }
                catch (DeviceException e) { reasons.Add(e.Message); }
                try { return OpenClBackend.Create(tuning: tuning); }
                catch (DeviceException e) { reasons.Add(e.Message); }
                warn?.Invoke($"warning: no GPU or OpenCL device answered ({string.Join("; ", reasons)}); using the slow reference backend");
                return new ReferenceBackend();
            default:
                throw new RawConvException($"unknown device '{name}'; expected one of {string.Join(", ", Names)}");
        }
    }
}
