using System.Runtime.InteropServices;
using System.Text;

namespace RawConv.Cuda;

/// <summary>
/// The CUDA backend: the driver API on device 0, one context, the default stream. Kernels are the
/// same kernels/*.cl files as OpenCL, compiled to PTX at build time (see RawConv.Cuda.csproj) and
/// JIT-compiled by the driver on first use of each program.
/// </summary>
public sealed unsafe class CudaBackend : IKernelBackend
{
    private readonly nint context;
    private readonly Dictionary<string, nint> modules = new();
    private readonly Dictionary<(string, string), nint> functions = new();
    private readonly object gate = new();
    private readonly BufferPool<ulong> pool;
    private bool disposed;

    private CudaBackend(nint context, DeviceInfo info, KernelTuning tuning)
    {
        this.context = context;
        Info = info;
        pool = new BufferPool<ulong>(info.MaxAllocationBytes, BufferPool.DefaultLimit(info.GlobalMemoryBytes), Free);
        Tuning = tuning;
    }

    public string Name => "cuda";
    public DeviceInfo Info { get; }

    /// <summary>The tuning given to <see cref="Create"/>, else this device's entry in the RAWCONV_TUNING file, else the GPU defaults.</summary>
    public KernelTuning Tuning { get; }

    /// <summary>
    /// Opens CUDA device 0; throws <see cref="DeviceException"/> with the reason when no driver or device answers.
    /// <paramref name="tuning"/> overrides the device's kernel tuning (<see cref="KernelTuning.Resolve"/>).
    /// </summary>
    public static CudaBackend Create(KernelTuning? tuning = null)
    {
        try
        {
            Cu.Check(Cu.cuInit(0), "cuInit");
            int count;
            Cu.Check(Cu.cuDeviceGetCount(&count), "cuDeviceGetCount");
            if (count == 0) throw new DeviceException("cuda: the driver reports no device");
            int dev;
            Cu.Check(Cu.cuDeviceGet(&dev, 0), "cuDeviceGet");
            var name = new byte[256];
            fixed (byte* n = name) Cu.Check(Cu.cuDeviceGetName(n, name.Length, dev), "cuDeviceGetName");
            nuint total;
            Cu.Check(Cu.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem");
            int sms, threads, shared, major, minor, driver;
            Cu.Check(Cu.cuDeviceGetAttribute(&sms, Cu.AttrMultiprocessorCount, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&threads, Cu.AttrMaxThreadsPerBlock, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&shared, Cu.AttrMaxSharedMemoryPerBlock, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&major, Cu.AttrComputeCapabilityMajor, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&minor, Cu.AttrComputeCapabilityMinor, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDriverGetVersion(&driver), "cuDriverGetVersion");
            var info = new DeviceInfo("cuda", Encoding.ASCII.GetString(name).TrimEnd('\0'), "NVIDIA", sms,
                (long)total, (long)total, shared, threads, $"sm_{major}{minor}, driver {driver / 1000}.{driver % 1000 / 10}", DeviceClass.Gpu);
            var resolved = KernelTuning.Resolve(info, tuning); // before the context exists: a bad tuning file leaks nothing
            nint ctx;
            Cu.Check(Cu.cuCtxCreate(&ctx, 0, dev), "cuCtxCreate");
            return new CudaBackend(ctx, info, resolved);
        }
        catch (DllNotFoundException e)
        {
            throw new DeviceException("cuda: libcuda.so.1 not found (no NVIDIA driver on this machine)", e);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new DeviceException("cuda: libcuda.so.1 lacks a driver API entry point: " + e.Message, e);
        }
    }

    public DeviceBuffer Allocate(DType type, long count) => Allocate(type, count, zero: true);

    /// <summary>
    /// Skips the zero fill; a reused buffer holds whatever its last owner wrote (NaN bits instead with
    /// <see cref="BufferPool.PoisonUninitialized"/>, as on OpenCL).
    /// </summary>
    public DeviceBuffer AllocateUninitialized(DType type, long count) => Allocate(type, count, zero: false);

    /// <summary>Most bytes of released buffers kept for reuse (default: the smaller of 1 GiB and an eighth of the device memory).</summary>
    public long CacheLimit { get => pool.Limit; set => pool.Limit = value; }

    /// <summary>Bytes held in released buffers awaiting reuse.</summary>
    public long CachedBytes => pool.CachedBytes;

    /// <summary>Releases every cached buffer; returns the bytes freed.</summary>
    public long TrimCache() => pool.Trim();

    private DeviceBuffer Allocate(DType type, long count, bool zero)
    {
        long bytes = count * type.Size();
        if (count < 0 || bytes > Info.GlobalMemoryBytes)
            throw new RawConvException($"cuda: allocation of {count} {type} elements ({bytes} bytes) exceeds the {Info.GlobalMemoryBytes} bytes of {Info.Name}");
        long size = pool.SizeFor(bytes);
        lock (gate)
        {
            Enter();
            // Blocks are reused in the order of the one (default) stream, so a reused block's next user queues
            // behind every command of its last one.
            ulong ptr = pool.Rent(size, CreateBlock, err => Cu.Check(err, $"cuMemAlloc({bytes} bytes)"));
            if (bytes > 0 && (zero || BufferPool.PoisonUninitialized))
                Cu.Check(Cu.cuMemsetD32(ptr, zero ? 0u : (uint)BufferPool.PoisonBits, (nuint)(bytes / 4)), "cuMemsetD32");
            return new CuBuffer(this, type, count, ptr, size);
        }
    }

    private static int CreateBlock(long size, out ulong ptr)
    {
        ulong p;
        int err = Cu.cuMemAlloc(&p, (nuint)size);
        ptr = p;
        if (err == Cu.ErrorOutOfMemory) return err;
        Cu.Check(err, $"cuMemAlloc({size} bytes)");
        return 0;
    }

    public void Upload<T>(DeviceBuffer dst, ReadOnlySpan<T> src, long offset = 0) where T : unmanaged
    {
        var b = Own(dst);
        long bytes = (long)src.Length * sizeof(T);
        CheckRange("upload", b, offset * 4, bytes);
        if (bytes == 0) return;
        lock (gate)
        {
            Enter();
            fixed (T* p = src) Cu.Check(Cu.cuMemcpyHtoD(b.Ptr + (ulong)(offset * 4), p, (nuint)bytes), "cuMemcpyHtoD");
        }
    }

    public void Download<T>(DeviceBuffer src, Span<T> dst, long offset = 0) where T : unmanaged
    {
        var b = Own(src);
        long bytes = (long)dst.Length * sizeof(T);
        CheckRange("download", b, offset * 4, bytes);
        if (bytes == 0) return;
        lock (gate)
        {
            Enter();
            fixed (T* p = dst) Cu.Check(Cu.cuMemcpyDtoH(p, b.Ptr + (ulong)(offset * 4), (nuint)bytes), "cuMemcpyDtoH");
        }
    }

    public void Copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count)
    {
        var s = Own(src);
        var d = Own(dst);
        CheckRange("copy", s, srcOffset * 4, count * 4);
        CheckRange("copy", d, dstOffset * 4, count * 4);
        if (count == 0) return;
        lock (gate)
        {
            Enter();
            Cu.Check(Cu.cuMemcpyDtoD(d.Ptr + (ulong)(dstOffset * 4), s.Ptr + (ulong)(srcOffset * 4), (nuint)(count * 4)), "cuMemcpyDtoD");
        }
    }

    public void Synchronize()
    {
        lock (gate)
        {
            Enter();
            Cu.Check(Cu.cuCtxSynchronize(), "cuCtxSynchronize");
        }
    }

    public void Launch(string program, string kernel, LaunchGeometry g, ReadOnlySpan<KernelArg> args)
    {
        if (g.GlobalX % g.LocalX != 0 || g.GlobalY % g.LocalY != 0 || g.GlobalZ % g.LocalZ != 0)
            throw new RawConvException($"cuda: {program}.{kernel}: {g} is not a whole number of blocks");
        if (g.GlobalX / g.LocalX > int.MaxValue || g.GlobalY / g.LocalY > 65535 || g.GlobalZ / g.LocalZ > 65535)
            throw new RawConvException($"cuda: {program}.{kernel}: {g} needs more blocks than CUDA's grid limits (2^31−1, 65535, 65535)");
        int n = args.Length;
        var slots = stackalloc ulong[Math.Max(n, 1)];
        var ptrs = stackalloc void*[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
        {
            var a = args[i];
            switch (a.Kind)
            {
                case KernelArg.ArgKind.Buffer: slots[i] = Own(a.Buffer!).Ptr; break;
                case KernelArg.ArgKind.Int: *(int*)&slots[i] = a.IntValue; break;
                default: *(float*)&slots[i] = a.FloatValue; break;
            }
            ptrs[i] = &slots[i];
        }
        lock (gate)
        {
            Enter();
            nint f = Function(program, kernel);
            int err = Cu.cuLaunchKernel(f, (uint)(g.GlobalX / g.LocalX), (uint)(g.GlobalY / g.LocalY), (uint)(g.GlobalZ / g.LocalZ),
                (uint)g.LocalX, (uint)g.LocalY, (uint)g.LocalZ, 0, 0, ptrs, null);
            if (err != 0)
                throw new DeviceException($"cuda: launching {program}.{kernel} with {g} failed: {Cu.ErrorText(err)} on {Info.Name}");
        }
    }

    /// <summary>The embedded PTX of kernels/<paramref name="program"/>.cl.</summary>
    public static string Ptx(string program)
    {
        using var s = typeof(CudaBackend).Assembly.GetManifestResourceStream($"ptx/{program}.ptx")
            ?? throw new KernelBuildException($"cuda: no PTX embedded for kernels/{program}.cl (was it compiled at build time?)");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private nint Function(string program, string kernel)
    {
        if (functions.TryGetValue((program, kernel), out var f)) return f;
        if (!modules.TryGetValue(program, out var module))
        {
            var image = Encoding.ASCII.GetBytes(Ptx(program) + "\0");
            int err;
            fixed (byte* p = image) err = Cu.cuModuleLoadData(&module, p);
            if (err != 0) throw new KernelBuildException($"cuda: loading the PTX of kernels/{program}.cl on {Info.Name} failed: {Cu.ErrorText(err)}");
            modules[program] = module;
        }
        var name = Encoding.ASCII.GetBytes(kernel + "\0");
        int e;
        fixed (byte* n = name) e = Cu.cuModuleGetFunction(&f, module, n);
        if (e != 0) throw new KernelBuildException($"cuda: kernel '{kernel}' not found in kernels/{program}.cl: {Cu.ErrorText(e)}");
        functions[(program, kernel)] = f;
        return f;
    }

    private void Enter() => Cu.Check(Cu.cuCtxSetCurrent(context), "cuCtxSetCurrent");

    private CuBuffer Own(DeviceBuffer b)
    {
        if (b is not CuBuffer c || !ReferenceEquals(c.Backend, this))
            throw new RawConvException($"cuda: buffer belongs to {b.Backend.Name}, not this CUDA context");
        if (c.IsDisposed) throw new ObjectDisposedException("cuda buffer");
        return c;
    }

    private static void CheckRange(string op, CuBuffer b, long offsetBytes, long bytes)
    {
        if (offsetBytes < 0 || bytes < 0 || offsetBytes + bytes > b.Bytes)
            throw new RawConvException($"cuda: {op} of {bytes} bytes at byte offset {offsetBytes} outside a buffer of {b.Bytes} bytes");
    }

    private void Free(ulong ptr)
    {
        if (disposed) return;
        lock (gate)
        {
            Cu.cuCtxSetCurrent(context);
            Cu.cuMemFree(ptr);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        lock (gate)
        {
            Cu.cuCtxSetCurrent(context);
            pool.Dispose();
            foreach (var m in modules.Values) Cu.cuModuleUnload(m);
            Cu.cuCtxDestroy(context);
            disposed = true;
        }
    }

    private sealed class CuBuffer(CudaBackend backend, DType type, long count, ulong ptr, long size) : DeviceBuffer(backend, type, count)
    {
        public ulong Ptr { get; } = ptr;
        protected override void Release() => backend.pool.Return(Ptr, size);
    }
}
