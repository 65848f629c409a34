using System.Runtime.CompilerServices;

namespace RawConv.Ops;

/// <summary>
/// Scratch buffers (im2col columns, transposed operands) kept per backend between calls: allocating
/// and zero-filling a fresh 100 MB column buffer costs more than the convolution's GEMM on PoCL.
/// Reuse is safe because a backend runs its launches in order; an op holds <see cref="Gate"/> while
/// it enqueues the launches that use the slots. Slots only grow and live as long as the backend.
/// </summary>
internal sealed class Workspace
{
    private static readonly ConditionalWeakTable<IBackend, Workspace> All = new();
    private readonly DeviceBuffer?[] slots = new DeviceBuffer?[4];

    /// <summary>The workspace of a backend.</summary>
    public static Workspace For(IBackend b) => All.GetValue(b, _ => new Workspace());

    /// <summary>Held while enqueuing launches that use the slots.</summary>
    public object Gate => slots;

    /// <summary>Scratch slot <paramref name="slot"/> with at least <paramref name="count"/> floats; contents undefined.</summary>
    public DeviceBuffer Get(IBackend b, int slot, long count)
    {
        var cur = slots[slot];
        if (cur is not null && cur.Count >= count) return cur;
        cur?.Dispose();
        return slots[slot] = b.Allocate(DType.Float32, Math.Max(count, 1));
    }
}
