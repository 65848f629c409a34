using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace RawConv.OpenCL;

/// <summary>
/// The OpenCL backend: one context and one in-order queue on the first GPU (else the first device,
/// PoCL's CPU device on machines without a GPU). Programs are built from the embedded
/// <c>kernels/*.cl</c> on first use and cached for the backend's lifetime; PoCL also caches the
/// compiled binaries on disk (POCL_CACHE_DIR).
/// </summary>
public sealed unsafe class OpenClBackend : IKernelBackend
{
    private readonly nint context;
    private readonly nint queue;
    private readonly nint device;
    private readonly Dictionary<string, nint> programs = new();
    private readonly Dictionary<(string, string), nint> kernels = new();
    private readonly object gate = new();
    private readonly BufferPool<nint> pool;
    private readonly Func<string, string> source;
    private bool disposed;

    private OpenClBackend(nint device, Func<string, string> source, KernelTuning? tuning)
    {
        this.device = device;
        this.source = source;
        Info = new DeviceInfo("opencl", DeviceString(Cl.DeviceName), DeviceString(Cl.DeviceVendor),
            (int)DeviceUInt(Cl.DeviceMaxComputeUnits), (long)DeviceULong(Cl.DeviceGlobalMemSize),
            (long)DeviceULong(Cl.DeviceMaxMemAllocSize), (long)DeviceULong(Cl.DeviceLocalMemSize),
            (int)DeviceNUInt(Cl.DeviceMaxWorkGroupSize), DeviceString(Cl.DeviceVersion),
            (DeviceULong(Cl.DeviceType) & Cl.DeviceTypeGpu) != 0 ? DeviceClass.Gpu : DeviceClass.Cpu);
        Tuning = KernelTuning.Resolve(Info, tuning); // before the context exists: a bad tuning file leaks nothing
        pool = new BufferPool<nint>(Info.MaxAllocationBytes, BufferPool.DefaultLimit(Info.GlobalMemoryBytes), m => Cl.clReleaseMemObject(m));
        int err;
        nint dev = device;
        context = Cl.clCreateContext(null, 1, &dev, 0, 0, &err);
        Cl.Check(err, "clCreateContext");
        queue = Cl.clCreateCommandQueue(context, device, 0, &err);
        Cl.Check(err, "clCreateCommandQueue");
    }

    public string Name => "opencl";
    public DeviceInfo Info { get; }

    /// <summary>The tuning given to <see cref="Create"/>, else this device's entry in the RAWCONV_TUNING file, else the defaults of its class.</summary>
    public KernelTuning Tuning { get; }

    /// <summary>
    /// Opens the first GPU, else the first OpenCL device; throws <see cref="DeviceException"/> if none answers.
    /// <paramref name="source"/> maps a file name (<c>conv2d.cl</c>) to its source; default: the embedded kernels.
    /// <paramref name="tuning"/> overrides the device's kernel tuning (<see cref="KernelTuning.Resolve"/>).
    /// </summary>
    public static OpenClBackend Create(Func<string, string>? source = null, KernelTuning? tuning = null)
    {
        try
        {
            uint nPlatforms;
            int err = Cl.clGetPlatformIDs(0, null, &nPlatforms);
            if (err != Cl.Success || nPlatforms == 0)
                throw new DeviceException($"opencl: no platform found ({Cl.ErrorName(err)}); install pocl-opencl-icd or a GPU driver");
            var platforms = new nint[nPlatforms];
            fixed (nint* p = platforms) Cl.Check(Cl.clGetPlatformIDs(nPlatforms, p, null), "clGetPlatformIDs");
            nint first = 0, gpu = 0;
            foreach (var platform in platforms)
            {
                uint nDevices;
                if (Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, 0, null, &nDevices) != Cl.Success || nDevices == 0) continue;
                var devices = new nint[nDevices];
                fixed (nint* d = devices) Cl.Check(Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, nDevices, d, null), "clGetDeviceIDs");
                foreach (var d in devices)
                {
                    if (first == 0) first = d;
                    ulong type;
                    if (gpu == 0 && Cl.clGetDeviceInfo(d, Cl.DeviceType, 8, &type, null) == Cl.Success && (type & Cl.DeviceTypeGpu) != 0) gpu = d;
                }
            }
            if (first == 0) throw new DeviceException("opencl: platforms found but no device answered");
            return new OpenClBackend(gpu != 0 ? gpu : first, source ?? KernelSource.Load, tuning);
        }
        catch (DllNotFoundException e)
        {
            throw new DeviceException("opencl: libOpenCL.so.1 not found; install ocl-icd-libopencl1 and pocl-opencl-icd", e);
        }
    }

    public DeviceBuffer Allocate(DType type, long count) => Allocate(type, count, zero: true);

    /// <summary>
    /// Skips the zero fill; a reused buffer holds whatever its last owner wrote. With
    /// <see cref="PoisonUninitialized"/> the buffer is filled with NaN (0x7fc00000) instead, so an op that
    /// leaves part of its output unwritten shows up in any comparison (the tests turn it on).
    /// </summary>
    public DeviceBuffer AllocateUninitialized(DType type, long count) => Allocate(type, count, zero: false);

    /// <summary>Fill uninitialized allocations with NaN bits (the setting every backend shares, <see cref="BufferPool.PoisonUninitialized"/>).</summary>
    public static bool PoisonUninitialized
    {
        get => BufferPool.PoisonUninitialized;
        set => BufferPool.PoisonUninitialized = value;
    }

    private DeviceBuffer Allocate(DType type, long count, bool zero)
    {
        long bytes = count * type.Size();
        if (count < 0 || bytes > Info.MaxAllocationBytes)
            throw new RawConvException($"opencl: allocation of {count} {type} elements ({bytes} bytes) exceeds the device's max single allocation of {Info.MaxAllocationBytes} bytes on {Info.Name}");
        long size = pool.SizeFor(bytes);
        nint mem = pool.Rent(size, CreateBuffer, err => Cl.Check(err, $"clCreateBuffer({bytes} bytes)"));
        var buffer = new ClBuffer(this, type, count, mem, size);
        if (bytes > 0 && (zero || PoisonUninitialized))
        {
            int pattern = zero ? 0 : BufferPool.PoisonBits;
            Cl.Check(Cl.clEnqueueFillBuffer(queue, mem, &pattern, 4, 0, (nuint)bytes, 0, null, null), "clEnqueueFillBuffer");
        }
        return buffer;
    }

    private int CreateBuffer(long size, out nint mem)
    {
        int err;
        mem = Cl.clCreateBuffer(context, Cl.MemReadWrite, (nuint)size, null, &err);
        if (err is Cl.MemObjectAllocationFailure or Cl.OutOfResources or Cl.OutOfHostMemory) return err;
        Cl.Check(err, $"clCreateBuffer({size} bytes)");
        return 0;
    }

    /// <summary>
    /// Most bytes of released buffers kept for reuse (default: the smaller of 1 GiB and an eighth of the
    /// device's global memory). Allocating fresh host-backed memory on PoCL costs a page fault per 4 KiB on
    /// first touch; reusing released buffers removes most of that (measured: 2.1 M → 0.15 M minor faults over
    /// 100 steps of the default model). See <see cref="BufferPool{T}"/>.
    /// </summary>
    public long CacheLimit { get => pool.Limit; set => pool.Limit = value; }

    /// <summary>Bytes held in released buffers awaiting reuse.</summary>
    public long CachedBytes => pool.CachedBytes;

    /// <summary>Releases every cached buffer; returns the bytes freed.</summary>
    public long TrimCache() => pool.Trim();

    public void Upload<T>(DeviceBuffer dst, ReadOnlySpan<T> src, long offset = 0) where T : unmanaged
    {
        var b = Own(dst);
        long bytes = (long)src.Length * sizeof(T);
        CheckRange("upload", b, offset * b.Type.Size(), bytes);
        if (bytes == 0) return;
        fixed (T* p = src)
            Cl.Check(Cl.clEnqueueWriteBuffer(queue, b.Mem, 1, (nuint)(offset * b.Type.Size()), (nuint)bytes, p, 0, null, null), "clEnqueueWriteBuffer");
    }

    public void Download<T>(DeviceBuffer src, Span<T> dst, long offset = 0) where T : unmanaged
    {
        var b = Own(src);
        long bytes = (long)dst.Length * sizeof(T);
        CheckRange("download", b, offset * b.Type.Size(), bytes);
        if (bytes == 0) return;
        fixed (T* p = dst)
            Cl.Check(Cl.clEnqueueReadBuffer(queue, b.Mem, 1, (nuint)(offset * b.Type.Size()), (nuint)bytes, p, 0, null, null), "clEnqueueReadBuffer");
    }

    public void Copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count)
    {
        var s = Own(src);
        var d = Own(dst);
        int es = s.Type.Size();
        CheckRange("copy", s, srcOffset * es, count * es);
        CheckRange("copy", d, dstOffset * es, count * es);
        if (count == 0) return;
        Cl.Check(Cl.clEnqueueCopyBuffer(queue, s.Mem, d.Mem, (nuint)(srcOffset * es), (nuint)(dstOffset * es), (nuint)(count * es), 0, null, null), "clEnqueueCopyBuffer");
    }

    public void Synchronize() => Cl.Check(Cl.clFinish(queue), "clFinish");

    public void Launch(string program, string kernel, LaunchGeometry g, ReadOnlySpan<KernelArg> args)
    {
        lock (gate)
        {
            nint k = Kernel(program, kernel);
            for (int i = 0; i < args.Length; i++)
            {
                var a = args[i];
                int err;
                switch (a.Kind)
                {
                    case KernelArg.ArgKind.Buffer:
                        nint mem = Own(a.Buffer!).Mem;
                        err = Cl.clSetKernelArg(k, (uint)i, (nuint)sizeof(nint), &mem);
                        break;
                    case KernelArg.ArgKind.Int:
                        int iv = a.IntValue;
                        err = Cl.clSetKernelArg(k, (uint)i, 4, &iv);
                        break;
                    default:
                        float fv = a.FloatValue;
                        err = Cl.clSetKernelArg(k, (uint)i, 4, &fv);
                        break;
                }
                if (err != Cl.Success)
                    throw new DeviceException($"opencl: {program}.{kernel} argument {i} ({a}) rejected: {Cl.ErrorName(err)} on {Info.Name}");
            }
            nuint* global = stackalloc nuint[3] { (nuint)g.GlobalX, (nuint)g.GlobalY, (nuint)g.GlobalZ };
            nuint* local = stackalloc nuint[3] { (nuint)g.LocalX, (nuint)g.LocalY, (nuint)g.LocalZ };
            int e = Cl.clEnqueueNDRangeKernel(queue, k, 3, null, global, local, 0, null, null);
            if (e != Cl.Success)
                throw new DeviceException($"opencl: launching {program}.{kernel} with {g} failed: {Cl.ErrorName(e)} ({e}) on {Info.Name}");
        }
    }

    private nint Kernel(string program, string kernel)
    {
        if (kernels.TryGetValue((program, kernel), out var k)) return k;
        nint prog = Program(program);
        int err;
        var name = Encoding.ASCII.GetBytes(kernel + "\0");
        fixed (byte* n = name) k = Cl.clCreateKernel(prog, n, &err);
        if (err != Cl.Success)
            throw new KernelBuildException($"opencl: kernel '{kernel}' not found in kernels/{program}.cl: {Cl.ErrorName(err)}");
        kernels[(program, kernel)] = k;
        return k;
    }

    private nint Program(string program)
    {
        if (programs.TryGetValue(program, out var p)) return p;
        const string options = "-cl-std=CL1.2 -cl-mad-enable";
        string text = source(program + ".cl");
        string key = ProgramCache.Key(text, options, Info);
        p = ProgramCache.TryLoad(context, device, key, options);
        if (p != 0)
        {
            ProgramsFromCache++;
            return programs[program] = p;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        int err;
        fixed (byte* s = bytes)
        {
            byte* ptr = s;
            nuint len = (nuint)bytes.Length;
            p = Cl.clCreateProgramWithSource(context, 1, &ptr, &len, &err);
        }
        Cl.Check(err, $"clCreateProgramWithSource(kernels/{program}.cl)");
        err = ProgramCache.Build(p, device, options);
        if (err != Cl.Success)
        {
            string log = BuildLog(p);
            Cl.clReleaseProgram(p);
            throw new KernelBuildException($"opencl: building kernels/{program}.cl for {Info.Name} failed ({Cl.ErrorName(err)}):\n{log}");
        }
        ProgramCache.Save(p, key);
        return programs[program] = p;
    }

    /// <summary>Programs this backend loaded from the on-disk binary cache rather than compiling.</summary>
    public int ProgramsFromCache { get; private set; }

    private string BuildLog(nint program)
    {
        nuint size;
        if (Cl.clGetProgramBuildInfo(program, device, Cl.ProgramBuildLog, 0, null, &size) != Cl.Success) return "(no build log)";
        var buf = new byte[(int)size];
        fixed (byte* b = buf) Cl.clGetProgramBuildInfo(program, device, Cl.ProgramBuildLog, size, b, null);
        return Encoding.UTF8.GetString(buf).TrimEnd('\0', '\n');
    }

    private ClBuffer Own(DeviceBuffer b)
    {
        if (b is not ClBuffer c || !ReferenceEquals(c.Backend, this))
            throw new RawConvException($"opencl: buffer belongs to {b.Backend.Name}, not this OpenCL context");
        if (c.IsDisposed) throw new ObjectDisposedException("opencl buffer");
        return c;
    }

    private static void CheckRange(string op, ClBuffer b, long offsetBytes, long bytes)
    {
        if (offsetBytes < 0 || bytes < 0 || offsetBytes + bytes > b.Bytes)
            throw new RawConvException($"opencl: {op} of {bytes} bytes at byte offset {offsetBytes} outside a buffer of {b.Bytes} bytes");
    }

    private string DeviceString(uint param)
    {
        nuint size;
        Cl.Check(Cl.clGetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var buf = new byte[(int)size];
        fixed (byte* b = buf) Cl.Check(Cl.clGetDeviceInfo(device, param, size, b, null), "clGetDeviceInfo");
        return Encoding.UTF8.GetString(buf).TrimEnd('\0').Trim();
    }

    private uint DeviceUInt(uint param) { uint v; Cl.Check(Cl.clGetDeviceInfo(device, param, 4, &v, null), "clGetDeviceInfo"); return v; }
    private ulong DeviceULong(uint param) { ulong v; Cl.Check(Cl.clGetDeviceInfo(device, param, 8, &v, null), "clGetDeviceInfo"); return v; }
    private nuint DeviceNUInt(uint param) { nuint v; Cl.Check(Cl.clGetDeviceInfo(device, param, (nuint)sizeof(nuint), &v, null), "clGetDeviceInfo"); return v; }

    public void Dispose()
    {
        if (disposed) return;
        pool.Dispose();
        disposed = true;
        foreach (var k in kernels.Values) Cl.clReleaseKernel(k);
        foreach (var p in programs.Values) Cl.clReleaseProgram(p);
        Cl.clReleaseCommandQueue(queue);
        Cl.clReleaseContext(context);
    }

    private sealed class ClBuffer(OpenClBackend backend, DType type, long count, nint mem, long size) : DeviceBuffer(backend, type, count)
    {
        public nint Mem { get; } = mem;
        protected override void Release() => backend.pool.Return(Mem, size);
    }
}

/// <summary>Reads kernel sources embedded from <c>kernels/</c>, inlining <c>#include "x.h"</c> lines.</summary>
public static class KernelSource
{
    private static readonly Assembly Assembly = typeof(KernelSource).Assembly;

    /// <summary>The source of <c>kernels/<paramref name="file"/></c> with its includes inlined.</summary>
    public static string Load(string file) => Load(file, new HashSet<string>());

    /// <summary>Names of every embedded kernel source (<c>*.cl</c>).</summary>
    public static IEnumerable<string> Programs() =>
        Assembly.GetManifestResourceNames().Where(n => n.StartsWith("kernels/") && n.EndsWith(".cl"))
            .Select(n => n["kernels/".Length..^3]).Order();

    private static string Load(string file, HashSet<string> seen)
    {
        using var stream = Assembly.GetManifestResourceStream("kernels/" + file)
            ?? throw new KernelBuildException($"kernel source kernels/{file} is not embedded in {Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        var sb = new StringBuilder();
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            var t = line.Trim();
            if (t.StartsWith("#include \"") && t.EndsWith('"'))
            {
                var inc = t[10..^1];
                if (seen.Add(inc)) sb.AppendLine(Load(inc, seen));
                continue;
            }
            sb.AppendLine(line);
        }
        return sb.ToString();
    }
}
