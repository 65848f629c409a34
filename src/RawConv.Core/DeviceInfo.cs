namespace RawConv;

/// <summary>How a device runs kernels: as a few wide CPU cores (PoCL, the reference loops) or as a GPU of warps.</summary>
public enum DeviceClass
{
    /// <summary>CPU cores: one work-item per group, explicit vectors are the SIMD.</summary>
    Cpu,
    /// <summary>A GPU: work-groups of whole warps, one element per work-item.</summary>
    Gpu,
}

/// <summary>What a backend reports about its device.</summary>
public sealed record DeviceInfo(
    string Backend,
    string Name,
    string Vendor,
    int ComputeUnits,
    long GlobalMemoryBytes,
    long MaxAllocationBytes,
    long LocalMemoryBytes,
    int MaxWorkGroupSize,
    string Version,
    DeviceClass Class)
{
    public override string ToString() =>
        $"{Backend}: {Name} ({Vendor}), {ComputeUnits} compute units, " +
        $"{GlobalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB global, max alloc {MaxAllocationBytes / (1024.0 * 1024):F0} MiB, " +
        $"{LocalMemoryBytes / 1024} KiB local, work-group ≤ {MaxWorkGroupSize}, {Version}";
}
