using System.Runtime.InteropServices;

namespace RawConv;

/// <summary>
/// The oracle: host arrays and plain C# loops (in RawConv.Ops), no SIMD, no threads.
/// Also the fallback device where no OpenCL or CUDA device answers.
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    /// <summary>Largest single buffer: .NET arrays hold at most 2^31 − 1 elements.</summary>
    public const long MaxElements = int.MaxValue - 64;

    public string Name => "reference";

    public DeviceInfo Info { get; } = new("reference", "plain C# loops", ".NET", 1,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, MaxElements * 4, 0, 1, Environment.Version.ToString(), DeviceClass.Cpu);

    public DeviceBuffer Allocate(DType type, long count)
    {
        if (count < 0 || count > MaxElements)
            throw new RawConvException($"reference: cannot allocate {count} elements of {type} (limit {MaxElements})");
        if (count * type.Size() > Info.GlobalMemoryBytes)
            throw new RawConvException($"reference: {count * type.Size()} bytes requested, {Info.GlobalMemoryBytes} available");
        return new HostBuffer(this, type, count);
    }

    public void Upload<T>(DeviceBuffer dst, ReadOnlySpan<T> src, long offset = 0) where T : unmanaged
    {
        ElementSize<T>();
        var h = Host(dst);
        CheckRange("upload", h, offset, src.Length);
        MemoryMarshal.AsBytes(src).CopyTo(MemoryMarshal.AsBytes(h.Data.AsSpan((int)offset)));
    }

    public void Download<T>(DeviceBuffer src, Span<T> dst, long offset = 0) where T : unmanaged
    {
        ElementSize<T>();
        var h = Host(src);
        CheckRange("download", h, offset, dst.Length);
        MemoryMarshal.AsBytes(h.Data.AsSpan((int)offset, dst.Length)).CopyTo(MemoryMarshal.AsBytes(dst));
    }

    public void Copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count)
    {
        var s = Host(src);
        var d = Host(dst);
        CheckRange("copy", s, srcOffset, count);
        CheckRange("copy", d, dstOffset, count);
        s.Data.AsSpan((int)srcOffset, (int)count).CopyTo(d.Data.AsSpan((int)dstOffset));
    }

    public void Synchronize() { }

    public void Dispose() { }

    /// <summary>The float view of a reference buffer, for the reference ops.</summary>
    public static Span<float> Floats(DeviceBuffer b) => Host(b).Data;

    /// <summary>The int view of a reference buffer, for the reference ops.</summary>
    public static Span<int> Ints(DeviceBuffer b) =>
        MemoryMarshal.Cast<float, int>(Host(b).Data.AsSpan());

    private static HostBuffer Host(DeviceBuffer b)
    {
        if (b is not HostBuffer h) throw new RawConvException($"reference: buffer belongs to {b.Backend.Name}, not the reference backend");
        if (h.IsDisposed) throw new ObjectDisposedException("reference buffer");
        return h;
    }

    private static void ElementSize<T>() where T : unmanaged
    {
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() != 4)
            throw new RawConvException($"reference: element type {typeof(T).Name} is not 4 bytes");
    }

    private static void CheckRange(string op, HostBuffer h, long offset, long count)
    {
        if (offset < 0 || count < 0 || offset + count > h.Count)
            throw new RawConvException($"reference: {op} of {count} elements at offset {offset} outside a buffer of {h.Count}");
    }

    private sealed class HostBuffer(IBackend backend, DType type, long count) : DeviceBuffer(backend, type, count)
    {
        public float[] Data { get; } = new float[count];
        protected override void Release() { }
    }
}
