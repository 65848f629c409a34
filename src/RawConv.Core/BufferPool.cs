namespace RawConv;

/// <summary>Settings shared by every backend's buffer pool.</summary>
public static class BufferPool
{
    /// <summary>Fill uninitialized allocations with NaN bits (default: RAWCONV_POISON_UNINITIALIZED=1 in the environment).</summary>
    public static bool PoisonUninitialized { get; set; } = Environment.GetEnvironmentVariable("RAWCONV_POISON_UNINITIALIZED") == "1";

    /// <summary>The NaN bit pattern poisoned allocations hold.</summary>
    public const int PoisonBits = 0x7fc00000;

    /// <summary>Pool sizes: at least 4 bytes, rounded up to 256 B (under 64 KiB) or 4 KiB.</summary>
    public static long RoundedSize(long bytes)
    {
        long b = Math.Max(bytes, 4);
        long q = b < 65536 ? 256 : 4096;
        return (b + q - 1) / q * q;
    }

    /// <summary>The default cache limit: the smaller of 1 GiB and an eighth of the device's global memory.</summary>
    public static long DefaultLimit(long globalMemoryBytes) => Math.Min(1L << 30, globalMemoryBytes / 8);
}

/// <summary>
/// A caching allocator over one backend's device blocks (<typeparamref name="T"/>: the backend's handle).
/// Released blocks are kept by size, up to <see cref="Limit"/> bytes, and handed out again for a request that
/// rounds to the same size (<see cref="BufferPool.RoundedSize"/>, capped at the device's largest allocation).
/// Fresh device memory is costly to touch or to allocate (PoCL: a page fault per 4 KiB on first touch;
/// CUDA: cuMemAlloc synchronizes), while a training step frees and reallocates the same activation and
/// gradient sizes each time. A backend must hand a block back only when reusing it is safe: on an in-order
/// queue, every later command (the zero fill of the reuse included) queues behind the released owner's work.
/// </summary>
public sealed class BufferPool<T> : IDisposable where T : struct
{
    /// <summary>Makes a new block of <paramref name="size"/> bytes: returns 0, or a nonzero status when the device is out of memory; throws on any other failure.</summary>
    public delegate int TryCreate(long size, out T handle);

    private readonly object gate = new();
    private readonly Dictionary<long, Stack<T>> cache = new();
    private readonly Action<T> free;
    private readonly long maxAllocation;
    private long cachedBytes;
    private bool disposed;

    /// <summary>A pool for a device whose largest single allocation is <paramref name="maxAllocationBytes"/>; <paramref name="free"/> releases a block for good.</summary>
    public BufferPool(long maxAllocationBytes, long limit, Action<T> free)
    {
        maxAllocation = maxAllocationBytes;
        Limit = limit;
        this.free = free;
    }

    /// <summary>Most bytes of released blocks kept for reuse.</summary>
    public long Limit { get; set; }

    /// <summary>Bytes held in released blocks awaiting reuse.</summary>
    public long CachedBytes { get { lock (gate) return cachedBytes; } }

    /// <summary>The block size a request of <paramref name="bytes"/> takes: the rounded size, never above the device limit.</summary>
    public long SizeFor(long bytes) => Math.Min(BufferPool.RoundedSize(bytes), Math.Max(maxAllocation, 4));

    /// <summary>
    /// A block of <paramref name="size"/> bytes (from <see cref="SizeFor"/>): a cached one, else a new one from
    /// <paramref name="create"/>; when the device is out of memory the cache is freed and the creation tried once
    /// more, and a second failure goes to <paramref name="fail"/>, which throws.
    /// </summary>
    public T Rent(long size, TryCreate create, Action<int> fail)
    {
        if (TryTake(size, out var cached)) return cached;
        int status = create(size, out var handle);
        if (status != 0 && Trim() > 0) status = create(size, out handle);
        if (status != 0) fail(status);
        return handle;
    }

    /// <summary>Hands a block back: kept while the pool is open and under its limit, else freed.</summary>
    public void Return(T handle, long size)
    {
        lock (gate)
        {
            if (!disposed && cachedBytes + size <= Limit)
            {
                if (!cache.TryGetValue(size, out var stack)) cache[size] = stack = new Stack<T>();
                stack.Push(handle);
                cachedBytes += size;
                return;
            }
        }
        free(handle);
    }

    /// <summary>Frees every cached block; returns the bytes freed.</summary>
    public long Trim()
    {
        List<T> blocks;
        long freed;
        lock (gate)
        {
            freed = cachedBytes;
            blocks = cache.Values.SelectMany(s => s).ToList();
            cache.Clear();
            cachedBytes = 0;
        }
        // Freed outside the lock: a backend's free takes the backend's own lock, which its allocations hold while renting.
        foreach (var block in blocks) free(block);
        return freed;
    }

    /// <summary>Frees the cache; blocks returned afterwards are freed at once.</summary>
    public void Dispose()
    {
        Trim();
        lock (gate) disposed = true;
    }

    private bool TryTake(long size, out T handle)
    {
        lock (gate)
        {
            handle = default;
            if (!cache.TryGetValue(size, out var stack) || stack.Count == 0) return false;
            cachedBytes -= size;
            handle = stack.Pop();
            return true;
        }
    }
}
