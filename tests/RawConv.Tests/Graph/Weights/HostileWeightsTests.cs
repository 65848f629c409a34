using System.Buffers.Binary;
using RawConv.Graph;
using RawConv.Graph.Hdf5;
using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Graph.Weights;

/// <summary>
/// Seeded hostile weights files — truncations, bit flips, random garbage, and the same with the superblock
/// patched back to a valid checksum and length so libhdf5 itself has to parse the damage — must be rejected
/// with a <see cref="RawConvException"/> naming the file, or (a flip in bytes nothing reads) load with every
/// weight bit-identical to the original. Never another exception, never a crash, never a hang.
/// </summary>
[Collection("hdf5")]
public sealed class HostileWeightsTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Mutations per run; RAWCONV_FUZZ_N raises it for a longer campaign.</summary>
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("RAWCONV_FUZZ_N"), out var n) ? n : 360;
    /// <summary>RAWCONV_FUZZ_CRAFTED=1: only crafted files (object headers changed with valid checksums), see weights/README.md.</summary>
    private static readonly bool Crafted = Environment.GetEnvironmentVariable("RAWCONV_FUZZ_CRAFTED") == "1";
    private static readonly TimeSpan PerFile = TimeSpan.FromSeconds(20);

    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>Rewrites the end-of-file address and the checksum of a version 2/3 superblock.</summary>
    private static void PatchSuperblock(byte[] m)
    {
        if (m.Length < H5Superblock.Size) return;
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan(H5Superblock.EofOffset), (ulong)m.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(H5Superblock.Size - 4), H5Superblock.Lookup3(m.AsSpan(0, H5Superblock.Size - 4)));
    }

    private static byte[] Flip(byte[] seed, Random rng, int from)
    {
        var m = (byte[])seed.Clone();
        int flips = 1 + rng.Next(8);
        for (int f = 0; f < flips; f++) m[from + rng.Next(m.Length - from)] ^= (byte)(1 << rng.Next(8));
        return m;
    }

    /// <summary>Object header blocks (start, messages start, checksum offset) whose lookup3 checksum verifies.</summary>
    private static List<(int Start, int Body, int Sum)> ObjectHeaders(byte[] f)
    {
        var blocks = new List<(int, int, int)>();
        for (int p = f.AsSpan().IndexOf("OHDR"u8); p >= 0 && p + 8 < f.Length;)
        {
            int flags = f[p + 5], q = p + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int width = 1 << (flags & 3);
            long size = 0;
            for (int b = 0; b < width && q + b < f.Length; b++) size |= (long)f[q + b] << (8 * b);
            long end = q + width + size;
            if (end + 4 <= f.Length && H5Superblock.Lookup3(f.AsSpan(p, (int)(end - p))) == BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)end)))
                blocks.Add((p, q + width, (int)end));
            int next = f.AsSpan(p + 1).IndexOf("OHDR"u8);
            p = next < 0 ? -1 : p + 1 + next;
        }
        return blocks;
    }

    /// <summary>A crafted file: bytes inside one object header changed and its checksum recomputed, so libhdf5 decodes them.</summary>
    private static (byte[] Bytes, string What) Craft(byte[] seed, Random rng)
    {
        var blocks = ObjectHeaders(seed);
        var (start, body, sum) = blocks[rng.Next(blocks.Count)];
        var m = (byte[])seed.Clone();
        int n = 1 + rng.Next(4);
        for (int k = 0; k < n; k++)
        {
            int j = body + rng.Next(sum - body);
            m[j] = rng.Next(2) == 0 ? (byte)(m[j] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(sum), H5Superblock.Lookup3(m.AsSpan(start, sum - start)));
        return (m, $"{n} bytes changed in the object header at {start}, checksum recomputed");
    }

    private static (byte[] Bytes, string What) Mutate(byte[] seed, Random rng, int i)
    {
        if (Crafted) return Craft(seed, rng);
        switch (i % 6)
        {
            case 0:
                int cut = rng.Next(seed.Length);
                return (seed[..cut], $"truncated at {cut}");
            case 1:
                return (Flip(seed, rng, 0), "bit flips");
            case 2:
                var g = new byte[rng.Next(2 * seed.Length)];
                rng.NextBytes(g);
                if (rng.Next(2) == 0 && g.Length >= 8) seed.AsSpan(0, 8).CopyTo(g);
                return (g, "random garbage");
            case 3:
                var t = seed[..(H5Superblock.Size + rng.Next(seed.Length - H5Superblock.Size))];
                PatchSuperblock(t);
                return (t, $"truncated at {t.Length}, superblock patched");
            case 4:
                var f = Flip(seed, rng, H5Superblock.Size);
                return (f, "bit flips past the superblock");
            default:
                var r = (byte[])seed.Clone();
                int start = H5Superblock.Size + rng.Next(seed.Length - H5Superblock.Size);
                int len = 1 + rng.Next(Math.Min(256, seed.Length - start));
                rng.NextBytes(r.AsSpan(start, len));
                return (r, $"{len} random bytes at {start}");
        }
    }

    [Fact]
    public void MutatedFilesAreRejectedNamingTheFileOrLoadUnchanged()
    {
        using var original = WeightsFileTests.TinyNet(Backends.Reference);
        var seedPath = Path.Combine(dir, "seed.h5");
        WeightsFile.Save(original, seedPath, ["a", "b", "c", "d"], Preprocessing.Torchvision with { Height = 19, Width = 17 });
        var seed = File.ReadAllBytes(seedPath);
        var rng = new Random(20261122);
        int rejected = 0, unchanged = 0;
        for (int i = 0; i < Count; i++)
        {
            var (bytes, what) = Mutate(seed, rng, i);
            var path = Path.Combine(dir, $"hostile-{i}.h5");
            File.WriteAllBytes(path, bytes);
            if (LoadsUnchanged(original, path, what)) unchanged++;
            else rejected++;
            File.Delete(path);
        }
        output.WriteLine($"{Count} mutations: {rejected} rejected, {unchanged} loaded unchanged");
        Assert.Equal(0, H5File.OpenObjectCount());
        if (!Crafted) Assert.True(rejected > Count * 3 / 4, $"only {rejected} of {Count} mutations rejected");
    }

    /// <summary>True when the file loads bit-identical to <paramref name="original"/>, false when rejected properly; fails otherwise.</summary>
    private static bool LoadsUnchanged(Net original, string path, string what)
    {
        var task = Task.Run(() => WeightsFile.Load(path, Backends.Reference));
        try
        {
            Assert.True(task.Wait(PerFile), $"{path} ({what}): loading did not finish in {PerFile.TotalSeconds} s");
            using var loaded = task.Result;
            WeightsFileTests.AssertBitExact(original, loaded.Net);
            return true;
        }
        catch (AggregateException ae) when (ae.InnerException is RawConvException e)
        {
            Assert.True(e.Message.Contains(path), $"{path} ({what}): message does not name the file: {e.Message}");
            return false;
        }
        catch (AggregateException ae)
        {
            Assert.Fail($"{path} ({what}): {ae.InnerException!.GetType().Name} instead of RawConvException: {ae.InnerException}");
            return false;
        }
    }

    [Fact]
    public void FlipsAcrossTheWholeFileAreGuarded()
    {
        // One flip at ~400 evenly spaced bytes of the file: a flip that loads must leave every weight, the architecture,
        // the classes and the preprocessing exactly as they were (it hit bytes nothing reads).
        using var original = WeightsFileTests.TinyNet(Backends.Reference);
        var seedPath = Path.Combine(dir, "seed.h5");
        WeightsFile.Save(original, seedPath, ["a", "b", "c", "d"]);
        var seed = File.ReadAllBytes(seedPath);
        var info = WeightsFile.ReadInfo(seedPath);
        int step = Math.Max(1, seed.Length / 400), rejected = 0, unchanged = 0;
        for (int pos = 0; pos < seed.Length; pos += step)
        {
            var m = (byte[])seed.Clone();
            m[pos] ^= 0x10;
            var path = Path.Combine(dir, $"flip-{pos}.h5");
            File.WriteAllBytes(path, m);
            try
            {
                using var loaded = WeightsFile.Load(path, Backends.Reference);
                WeightsFileTests.AssertBitExact(original, loaded.Net);
                Assert.Equal(info.Spec.ToJson(), loaded.Net.Spec.ToJson());
                Assert.Equal(info.Classes, loaded.Classes);
                unchanged++;
            }
            catch (RawConvException e)
            {
                Assert.True(e.Message.Contains(path), $"flip at {pos}: message does not name the file: {e.Message}");
                rejected++;
            }
            File.Delete(path);
        }
        output.WriteLine($"{seed.Length} bytes, every {step}: {rejected} rejected, {unchanged} loaded unchanged");
    }

    [Fact]
    public void RejectionsSayWhatIsWrong()
    {
        using var net = WeightsFileTests.TinyNet(Backends.Reference);
        var path = Path.Combine(dir, "w.h5");
        WeightsFile.Save(net, path);
        var seed = File.ReadAllBytes(path);
        File.WriteAllBytes(path, seed[..(seed.Length - 1)]);
        Assert.Contains("truncated", Assert.Throws<RawConvException>(() => WeightsFile.Load(path, Backends.Reference)).Message);
        var flipped = (byte[])seed.Clone();
        flipped[20] ^= 1;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("superblock checksum", Assert.Throws<RawConvException>(() => WeightsFile.Load(path, Backends.Reference)).Message);
        var old = (byte[])seed.Clone();
        old[8] = 0;
        File.WriteAllBytes(path, old);
        Assert.Contains("libver='latest'", Assert.Throws<RawConvException>(() => WeightsFile.Load(path, Backends.Reference)).Message);
        var data = (byte[])seed.Clone();
        data[^100] ^= 0x40;
        File.WriteAllBytes(path, data);
        var e = Assert.Throws<RawConvException>(() => WeightsFile.Load(path, Backends.Reference));
        Assert.Contains(path, e.Message);
        output.WriteLine(e.Message);
    }
}
