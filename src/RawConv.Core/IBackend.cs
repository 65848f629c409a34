namespace RawConv;

/// <summary>One device: allocate, copy in and out, synchronize, release, describe.</summary>
public interface IBackend : IDisposable
{
    /// <summary>"reference", "opencl" or "cuda".</summary>
    string Name { get; }

    /// <summary>Device name, compute units, memory.</summary>
    DeviceInfo Info { get; }

    /// <summary>Allocates <paramref name="count"/> zero-initialised elements; checks the size against device limits first.</summary>
    DeviceBuffer Allocate(DType type, long count);

    /// <summary>
    /// Allocates <paramref name="count"/> elements whose contents are unspecified (a backend may skip the zero
    /// fill); for outputs the caller overwrites completely. Default: <see cref="Allocate"/>.
    /// </summary>
    DeviceBuffer AllocateUninitialized(DType type, long count) => Allocate(type, count);

    /// <summary>Copies host data into the buffer starting at element <paramref name="offset"/>.</summary>
    void Upload<T>(DeviceBuffer dst, ReadOnlySpan<T> src, long offset = 0) where T : unmanaged;

    /// <summary>Copies buffer elements starting at <paramref name="offset"/> into host memory.</summary>
    void Download<T>(DeviceBuffer src, Span<T> dst, long offset = 0) where T : unmanaged;

    /// <summary>Device-to-device copy of <paramref name="count"/> elements.</summary>
    void Copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count);

    /// <summary>Waits for all queued work.</summary>
    void Synchronize();
}

/// <summary>A backend that runs the kernels in <c>kernels/*.cl</c> (OpenCL, CUDA).</summary>
public interface IKernelBackend : IBackend
{
    /// <summary>Launches kernel <paramref name="kernel"/> of program <paramref name="program"/> (file <c>kernels/program.cl</c>).</summary>
    void Launch(string program, string kernel, LaunchGeometry geometry, ReadOnlySpan<KernelArg> args);

    /// <summary>Launch shapes and kernel variants the ops use on this device (defaults by <see cref="DeviceInfo.Class"/>).</summary>
    KernelTuning Tuning { get; }
}

/// <summary>NDRange geometry in OpenCL terms: global sizes are multiples of local sizes.</summary>
public readonly record struct LaunchGeometry(long GlobalX, long GlobalY, long GlobalZ, int LocalX, int LocalY, int LocalZ)
{
    /// <summary>1-D launch covering at least <paramref name="n"/> items, rounded up to the local size.</summary>
    public static LaunchGeometry Linear(long n, int local = 256) =>
        new(RoundUp(Math.Max(n, 1), local), 1, 1, local, 1, 1);

    /// <summary>2-D launch covering at least nx × ny items.</summary>
    public static LaunchGeometry Grid2(long nx, long ny, int lx, int ly) =>
        new(RoundUp(Math.Max(nx, 1), lx), RoundUp(Math.Max(ny, 1), ly), 1, lx, ly, 1);

    /// <summary>3-D launch covering at least nx × ny × nz items.</summary>
    public static LaunchGeometry Grid3(long nx, long ny, long nz, int lx, int ly, int lz) =>
        new(RoundUp(Math.Max(nx, 1), lx), RoundUp(Math.Max(ny, 1), ly), RoundUp(Math.Max(nz, 1), lz), lx, ly, lz);

    /// <summary>Rounds n up to a multiple of m.</summary>
    public static long RoundUp(long n, long m) => (n + m - 1) / m * m;

    public override string ToString() => $"global ({GlobalX}, {GlobalY}, {GlobalZ}) local ({LocalX}, {LocalY}, {LocalZ})";
}

/// <summary>One kernel argument: a buffer, an int or a float.</summary>
public readonly struct KernelArg
{
    /// <summary>What the argument holds.</summary>
    public enum ArgKind { Buffer, Int, Float }

    public ArgKind Kind { get; }
    public DeviceBuffer? Buffer { get; }
    public int IntValue { get; }
    public float FloatValue { get; }

    private KernelArg(ArgKind kind, DeviceBuffer? buffer, int i, float f)
    {
        Kind = kind; Buffer = buffer; IntValue = i; FloatValue = f;
    }

    public static implicit operator KernelArg(DeviceBuffer b) => new(ArgKind.Buffer, b, 0, 0);
    public static implicit operator KernelArg(Tensor t) => new(ArgKind.Buffer, t.Buffer, 0, 0);
    public static implicit operator KernelArg(int i) => new(ArgKind.Int, null, i, 0);
    public static implicit operator KernelArg(float f) => new(ArgKind.Float, null, 0, f);

    public override string ToString() => Kind switch
    {
        ArgKind.Buffer => $"buffer[{Buffer!.Count}]",
        ArgKind.Int => IntValue.ToString(),
        _ => FloatValue.ToString("R"),
    };
}
