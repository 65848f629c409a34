using System.Runtime.InteropServices;

namespace RawConv.OpenCL;

/// <summary>P/Invoke bindings to the OpenCL 1.2 API through the ICD loader (libOpenCL.so.1).</summary>
internal static unsafe partial class Cl
{
    private const string Lib = "libOpenCL.so.1";

    public const int Success = 0;
    public const int MemObjectAllocationFailure = -4, OutOfResources = -5, OutOfHostMemory = -6;
    public const ulong DeviceTypeAll = 0xFFFFFFFF;
    public const uint ProgramBuildLog = 0x1183;
    public const ulong MemReadWrite = 1 << 0;

    public const uint DeviceType = 0x1000;
    public const ulong DeviceTypeGpu = 4;
    public const uint DeviceMaxComputeUnits = 0x1002;
    public const uint DeviceMaxWorkGroupSize = 0x1004;
    public const uint DeviceMaxMemAllocSize = 0x1010;
    public const uint DeviceGlobalMemSize = 0x101F;
    public const uint DeviceLocalMemSize = 0x1023;
    public const uint DeviceName = 0x102B;
    public const uint DeviceVendor = 0x102C;
    public const uint DeviceVersion = 0x102F;
    public const uint PlatformName = 0x0902;
    public const uint ProgramBinarySizes = 0x1165;
    public const uint ProgramBinaries = 0x1166;

    [LibraryImport(Lib)] public static partial int clGetPlatformIDs(uint num, nint* platforms, uint* count);
    [LibraryImport(Lib)] public static partial int clGetPlatformInfo(nint platform, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(Lib)] public static partial int clGetDeviceIDs(nint platform, ulong type, uint num, nint* devices, uint* count);
    [LibraryImport(Lib)] public static partial int clGetDeviceInfo(nint device, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(Lib)] public static partial nint clCreateContext(nint* props, uint numDevices, nint* devices, nint callback, nint userData, int* err);
    [LibraryImport(Lib)] public static partial nint clCreateCommandQueue(nint context, nint device, ulong props, int* err);
    [LibraryImport(Lib)] public static partial nint clCreateBuffer(nint context, ulong flags, nuint size, void* host, int* err);
    [LibraryImport(Lib)] public static partial int clEnqueueWriteBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint nEvents, nint* waitList, nint* ev);
    [LibraryImport(Lib)] public static partial int clEnqueueReadBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint nEvents, nint* waitList, nint* ev);
    [LibraryImport(Lib)] public static partial int clEnqueueCopyBuffer(nint queue, nint src, nint dst, nuint srcOffset, nuint dstOffset, nuint size, uint nEvents, nint* waitList, nint* ev);
    [LibraryImport(Lib)] public static partial int clEnqueueFillBuffer(nint queue, nint buffer, void* pattern, nuint patternSize, nuint offset, nuint size, uint nEvents, nint* waitList, nint* ev);
    [LibraryImport(Lib)] public static partial nint clCreateProgramWithSource(nint context, uint count, byte** strings, nuint* lengths, int* err);
    [LibraryImport(Lib)] public static partial nint clCreateProgramWithBinary(nint context, uint numDevices, nint* devices, nuint* lengths, byte** binaries, int* status, int* err);
    [LibraryImport(Lib)] public static partial int clGetProgramInfo(nint program, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(Lib)] public static partial int clBuildProgram(nint program, uint numDevices, nint* devices, byte* options, nint callback, nint userData);
    [LibraryImport(Lib)] public static partial int clGetProgramBuildInfo(nint program, nint device, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(Lib)] public static partial nint clCreateKernel(nint program, byte* name, int* err);
    [LibraryImport(Lib)] public static partial int clSetKernelArg(nint kernel, uint index, nuint size, void* value);
    [LibraryImport(Lib)] public static partial int clEnqueueNDRangeKernel(nint queue, nint kernel, uint dims, nuint* offset, nuint* global, nuint* local, uint nEvents, nint* waitList, nint* ev);
    [LibraryImport(Lib)] public static partial int clFinish(nint queue);
    [LibraryImport(Lib)] public static partial int clReleaseMemObject(nint mem);
    [LibraryImport(Lib)] public static partial int clReleaseKernel(nint kernel);
    [LibraryImport(Lib)] public static partial int clReleaseProgram(nint program);
    [LibraryImport(Lib)] public static partial int clReleaseCommandQueue(nint queue);
    [LibraryImport(Lib)] public static partial int clReleaseContext(nint context);

    /// <summary>Throws a <see cref="DeviceException"/> naming the call and the error when <paramref name="err"/> is not CL_SUCCESS.</summary>
    public static void Check(int err, string what)
    {
        if (err != Success) throw new DeviceException($"opencl: {what} failed with {ErrorName(err)} ({err})");
    }

    /// <summary>The CL_* name of an error code.</summary>
    public static string ErrorName(int err) => err switch
    {
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -30 => "CL_INVALID_VALUE",
        -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -38 => "CL_INVALID_MEM_OBJECT",
        -44 => "CL_INVALID_PROGRAM",
        -45 => "CL_INVALID_PROGRAM_EXECUTABLE",
        -46 => "CL_INVALID_KERNEL_NAME",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -53 => "CL_INVALID_WORK_DIMENSION",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -56 => "CL_INVALID_GLOBAL_OFFSET",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "CL error",
    };
}
