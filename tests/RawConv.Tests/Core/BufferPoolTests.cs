namespace RawConv.Tests.Core;

/// <summary>The caching allocator on its own, over a fake device whose blocks are numbered.</summary>
public class BufferPoolTests
{
    private sealed class FakeDevice
    {
        public int Created, OutOfMemoryLeft;
        public readonly List<int> Freed = [];
        public readonly Dictionary<int, long> Sizes = [];

        public int Create(long size, out int handle)
        {
            handle = 0;
            if (OutOfMemoryLeft > 0) { OutOfMemoryLeft--; return 7; }
            handle = ++Created;
            Sizes[handle] = size;
            return 0;
        }
    }

    private static (BufferPool<int> Pool, FakeDevice Dev) Make(long maxAllocation = 1L << 30, long limit = 1L << 20)
    {
        var dev = new FakeDevice();
        return (new BufferPool<int>(maxAllocation, limit, dev.Freed.Add), dev);
    }

    private static int Rent(BufferPool<int> pool, FakeDevice dev, long bytes) =>
        pool.Rent(pool.SizeFor(bytes), dev.Create, s => throw new RawConvException($"out of memory ({s})"));

    [Theory]
    [InlineData(0, 256)]
    [InlineData(1, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 512)]
    [InlineData(12000, 12032)]
    [InlineData(65535, 65536)]
    [InlineData(65536, 65536)]
    [InlineData(65537, 69632)]
    public void SizesRoundTo256BytesBelow64KiBAnd4KiBAbove(long bytes, long expected) =>
        Assert.Equal(expected, Make().Pool.SizeFor(bytes));

    [Fact]
    public void RoundingStopsAtTheLargestAllocation()
    {
        var (pool, dev) = Make(maxAllocation: 100_000);
        Assert.Equal(100_000, pool.SizeFor(99_999)); // 4 KiB rounding would ask for 102,400
        Assert.Equal(100_000, pool.SizeFor(100_000));
        Assert.Equal(98_304, pool.SizeFor(98_000));
        int h = Rent(pool, dev, 100_000);
        Assert.Equal(100_000, dev.Sizes[h]);
        Assert.Equal(4, Make(maxAllocation: 0).Pool.SizeFor(0));
    }

    [Fact]
    public void ReleasedBlocksComeBackForRequestsOfTheSameRoundedSize()
    {
        var (pool, dev) = Make();
        int a = Rent(pool, dev, 12000);
        pool.Return(a, pool.SizeFor(12000));
        Assert.Equal(12032, pool.CachedBytes);
        Assert.Equal(a, Rent(pool, dev, 11960)); // rounds to 12,032 as well
        Assert.Equal(1, dev.Created);
        Assert.Equal(0, pool.CachedBytes);
        int b = Rent(pool, dev, 13000); // another size: a new block
        Assert.NotEqual(a, b);
        Assert.Equal(2, dev.Created);
        Assert.Empty(dev.Freed);
    }

    [Fact]
    public void TheCacheStaysUnderItsLimit()
    {
        var (pool, dev) = Make(limit: 1000);
        int a = Rent(pool, dev, 700), b = Rent(pool, dev, 500), c = Rent(pool, dev, 100);
        pool.Return(a, 768);
        pool.Return(b, 512); // 768 + 512 > 1000: freed at once
        pool.Return(c, 256);
        Assert.Equal([b, c], dev.Freed); // 768 + 256 > 1000 too
        Assert.Equal(768, pool.CachedBytes);
        Assert.Equal(768, pool.Trim());
        Assert.Equal([b, c, a], dev.Freed);
        Assert.Equal(0, pool.CachedBytes);
        pool.Limit = 0;
        pool.Return(Rent(pool, dev, 4), 256);
        Assert.Equal(0, pool.CachedBytes);
        Assert.Equal(4, dev.Freed.Count);
    }

    [Fact]
    public void OutOfMemoryFreesTheCacheAndRetriesOnce()
    {
        var (pool, dev) = Make();
        int a = Rent(pool, dev, 1000);
        pool.Return(a, 1024);
        dev.OutOfMemoryLeft = 1;
        int b = Rent(pool, dev, 5000);
        Assert.Equal([a], dev.Freed);
        Assert.Equal(2, dev.Created);
        dev.OutOfMemoryLeft = 1; // nothing cached to free: the failure goes through
        var e = Assert.Throws<RawConvException>(() => Rent(pool, dev, 6000));
        Assert.Equal("out of memory (7)", e.Message);
        pool.Return(b, 5120);
        pool.Dispose();
        Assert.Equal([a, b], dev.Freed);
        int c = Rent(pool, dev, 100);
        pool.Return(c, 256); // after Dispose every block is freed at once
        Assert.Equal([a, b, c], dev.Freed);
        Assert.Equal(0, pool.CachedBytes);
    }
}
