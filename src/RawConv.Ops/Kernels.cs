namespace RawConv.Ops;

/// <summary>Launch shorthand for the kernel-backed ops.</summary>
internal static class Kernels
{
    /// <summary>Launches kernels/<paramref name="program"/>.cl:<paramref name="kernel"/>.</summary>
    public static void Run(this IKernelBackend b, string program, string kernel, LaunchGeometry g, params KernelArg[] args) =>
        b.Launch(program, kernel, g, args);

    /// <summary>The backend as a kernel backend, or null for the reference backend.</summary>
    public static IKernelBackend? AsKernel(this IBackend b) => b as IKernelBackend;

    /// <summary>Narrows an element count to the int the kernels index with.</summary>
    public static int Int(string op, long n) =>
        n <= int.MaxValue ? (int)n : throw new RawConvException($"{op}: {n} elements exceed the kernels' int32 indexing");
}
