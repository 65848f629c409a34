namespace RawConv;

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
    string Version)
{
    public override string ToString() =>
        $"{Backend}: {Name} ({Vendor}), {ComputeUnits} compute units, " +
        $"{GlobalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB global, max alloc {MaxAllocationBytes / (1024.0 * 1024):F0} MiB, " +
        $"{LocalMemoryBytes / 1024} KiB local, work-group ≤ {MaxWorkGroupSize}, {Version}";
}
