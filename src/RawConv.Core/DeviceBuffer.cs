namespace RawConv;

/// <summary>A block of device memory owned by one backend.</summary>
public abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(IBackend backend, DType type, long count)
    {
        Backend = backend;
        Type = type;
        Count = count;
        memory = DeviceMemory.Of(backend);
        memory.Allocated(Bytes);
    }

    private readonly DeviceMemory memory;

    /// <summary>The backend that allocated this buffer.</summary>
    public IBackend Backend { get; }
    /// <summary>Element type.</summary>
    public DType Type { get; }
    /// <summary>Number of elements.</summary>
    public long Count { get; }
    /// <summary>Size in bytes.</summary>
    public long Bytes => Count * Type.Size();
    /// <summary>True once released.</summary>
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        memory.Freed(Bytes);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the device memory.</summary>
    protected abstract void Release();
}
