using System.Runtime.CompilerServices;

namespace RawConv;

/// <summary>
/// Bytes of device memory held by one backend's live <see cref="DeviceBuffer"/>s (element count × element size, as
/// asked for: a pool's rounding and its cache of released blocks are not counted) and the most held at once since the
/// last <see cref="ResetPeak"/>. Every buffer of every backend passes through the <see cref="DeviceBuffer"/> constructor
/// and its Dispose, so the count covers the reference, OpenCL and CUDA backends alike. Thread-safe.
/// </summary>
public sealed class DeviceMemory
{
    private static readonly ConditionalWeakTable<IBackend, DeviceMemory> All = new();
    private long live, peak;

    /// <summary>The meter of <paramref name="backend"/> (one per backend instance, made on first use).</summary>
    public static DeviceMemory Of(IBackend backend) => All.GetValue(backend, _ => new DeviceMemory());

    /// <summary>Bytes held by buffers allocated and not yet disposed.</summary>
    public long Live => Interlocked.Read(ref live);

    /// <summary>The most bytes held at once since the meter was made or <see cref="ResetPeak"/> was last called.</summary>
    public long Peak => Interlocked.Read(ref peak);

    /// <summary>Starts a new peak from what is held now; returns the peak it replaces.</summary>
    public long ResetPeak() => Interlocked.Exchange(ref peak, Live);

    internal void Allocated(long bytes)
    {
        long now = Interlocked.Add(ref live, bytes);
        long seen = Interlocked.Read(ref peak);
        // A racing allocation may raise the peak between the read and the exchange: retry until ours is not larger.
        while (now > seen)
        {
            long was = Interlocked.CompareExchange(ref peak, now, seen);
            if (was == seen) break;
            seen = was;
        }
    }

    internal void Freed(long bytes) => Interlocked.Add(ref live, -bytes);
}
