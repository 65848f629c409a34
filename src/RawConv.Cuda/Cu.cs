using System.Runtime.InteropServices;

namespace RawConv.Cuda;

/// <summary>P/Invoke bindings to the CUDA driver API (libcuda.so.1); no runtime or toolkit needed.</summary>
internal static unsafe partial class Cu
{
    private const string Lib = "libcuda.so.1";

    public const int ErrorOutOfMemory = 2;
    public const int AttrMaxThreadsPerBlock = 1;
    public const int AttrMaxSharedMemoryPerBlock = 8;
    public const int AttrMultiprocessorCount = 16;
    public const int AttrComputeCapabilityMajor = 75;
    public const int AttrComputeCapabilityMinor = 76;

    [LibraryImport(Lib)] public static partial int cuInit(uint flags);
    [LibraryImport(Lib)] public static partial int cuDriverGetVersion(int* version);
    [LibraryImport(Lib)] public static partial int cuDeviceGetCount(int* count);
    [LibraryImport(Lib)] public static partial int cuDeviceGet(int* device, int ordinal);
    [LibraryImport(Lib)] public static partial int cuDeviceGetName(byte* name, int len, int device);
    [LibraryImport(Lib)] public static partial int cuDeviceGetAttribute(int* value, int attribute, int device);
    [LibraryImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int cuDeviceTotalMem(nuint* bytes, int device);
    [LibraryImport(Lib, EntryPoint = "cuCtxCreate_v2")] public static partial int cuCtxCreate(nint* ctx, uint flags, int device);
    [LibraryImport(Lib, EntryPoint = "cuCtxDestroy_v2")] public static partial int cuCtxDestroy(nint ctx);
    [LibraryImport(Lib)] public static partial int cuCtxSetCurrent(nint ctx);
    [LibraryImport(Lib)] public static partial int cuCtxSynchronize();
    [LibraryImport(Lib)] public static partial int cuModuleLoadData(nint* module, byte* image);
    [LibraryImport(Lib)] public static partial int cuModuleUnload(nint module);
    [LibraryImport(Lib)] public static partial int cuModuleGetFunction(nint* function, nint module, byte* name);
    [LibraryImport(Lib)] public static partial int cuLaunchKernel(nint f, uint gx, uint gy, uint gz, uint bx, uint by, uint bz,
        uint sharedBytes, nint stream, void** args, void** extra);
    [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")] public static partial int cuMemAlloc(ulong* ptr, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")] public static partial int cuMemFree(ulong ptr);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoD_v2")] public static partial int cuMemcpyHtoD(ulong dst, void* src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoH_v2")] public static partial int cuMemcpyDtoH(void* dst, ulong src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoD_v2")] public static partial int cuMemcpyDtoD(ulong dst, ulong src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD32_v2")] public static partial int cuMemsetD32(ulong dst, uint value, nuint count);
    [LibraryImport(Lib)] public static partial int cuGetErrorName(int error, byte** name);
    [LibraryImport(Lib)] public static partial int cuGetErrorString(int error, byte** text);

    /// <summary>Throws a <see cref="DeviceException"/> naming the call and the driver's error when <paramref name="err"/> is not CUDA_SUCCESS.</summary>
    public static void Check(int err, string what)
    {
        if (err != 0) throw new DeviceException($"cuda: {what} failed with {ErrorText(err)}");
    }

    /// <summary>"CUDA_ERROR_X (code): description", from the driver.</summary>
    public static string ErrorText(int err)
    {
        byte* name = null, text = null;
        try
        {
            cuGetErrorName(err, &name);
            cuGetErrorString(err, &text);
        }
        catch (DllNotFoundException) { }
        string n = name != null ? Marshal.PtrToStringAnsi((nint)name) ?? "?" : "CUDA error";
        string t = text != null ? Marshal.PtrToStringAnsi((nint)text) ?? "" : "";
        return $"{n} ({err}){(t.Length > 0 ? ": " + t : "")}";
    }
}
