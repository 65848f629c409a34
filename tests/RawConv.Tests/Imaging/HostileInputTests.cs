using RawConv.Imaging;
using Xunit.Abstractions;

namespace RawConv.Tests.Imaging;

/// <summary>
/// Mutated files (seeded truncations, bit flips, absurd sizes) must decode or fail with an
/// <see cref="RawConvException"/> naming the file — never another exception, never a hang.
/// </summary>
public class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>Mutations per seed file; RAWCONV_FUZZ_N raises it for a longer campaign.</summary>
    private static readonly int PerSeed = int.TryParse(Environment.GetEnvironmentVariable("RAWCONV_FUZZ_N"), out var n) ? n : 150;
    private static readonly DecodeLimits FuzzLimits = DecodeLimits.Default;
    private static readonly TimeSpan PerFile = TimeSpan.FromSeconds(10);

    private static Image Sample(int w, int h, int ch, int depth)
    {
        var img = new Image(w, h, ch, depth);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)((i * 37 + i / 7 * 11) % (img.MaxValue + 1));
        return img;
    }

    /// <summary>Runs the mutations of one seed file through a decoder and asserts the contract.</summary>
    private void Fuzz(string format, byte[] seed, Func<byte[], string, object> decode, Func<byte[], Random, byte[]>? absurd, int salt)
    {
        var rng = new Random(12345 + salt);
        int ok = 0, rejected = 0;
        Assert.NotNull(decode(seed, "seed")); // the seed itself must decode
        for (int i = 0; i < PerSeed; i++)
        {
            string name = $"fuzz-{format}-{salt}-{i}";
            byte[] m;
            string what;
            switch (i % 3)
            {
                case 0:
                    int cut = rng.Next(seed.Length);
                    m = seed[..cut];
                    what = $"truncated at {cut}";
                    break;
                case 1:
                    m = (byte[])seed.Clone();
                    int flips = 1 + rng.Next(8);
                    for (int f = 0; f < flips; f++) m[rng.Next(m.Length)] ^= (byte)(1 << rng.Next(8));
                    if (format == "png" && rng.Next(2) == 0) FixPngCrcs(m);
                    what = $"{flips} bit flips";
                    break;
                default:
                    m = absurd != null ? absurd((byte[])seed.Clone(), rng) : seed[..(seed.Length / 2)];
                    what = "absurd size fields";
                    break;
            }
            var task = Task.Run(() => decode(m, name));
            try
            {
                Assert.True(task.Wait(PerFile), $"{name} ({what}): decoding did not finish in {PerFile.TotalSeconds} s");
                ok++;
            }
            catch (AggregateException ae) when (ae.InnerException is RawConvException e)
            {
                Assert.True(e.Message.Contains(name), $"{name} ({what}): message does not name the file: {e.Message}");
                rejected++;
            }
            catch (AggregateException ae)
            {
                Assert.Fail($"{name} ({what}): {ae.InnerException!.GetType().Name} instead of RawConvException: {ae.InnerException}");
            }
        }
        output.WriteLine($"{format} seed {salt}: {ok} decoded, {rejected} rejected");
    }

    private static void FixPngCrcs(byte[] m)
    {
        int pos = 8;
        while (pos + 12 <= m.Length)
        {
            long len = (long)m[pos] << 24 | (long)m[pos + 1] << 16 | (long)m[pos + 2] << 8 | m[pos + 3];
            if (pos + 12 + len > m.Length) return;
            uint crc = Crc32(m.AsSpan(pos + 4, (int)len + 4));
            int c = pos + 8 + (int)len;
            m[c] = (byte)(crc >> 24); m[c + 1] = (byte)(crc >> 16); m[c + 2] = (byte)(crc >> 8); m[c + 3] = (byte)crc;
            pos = c + 4;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> d)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in d)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    private static uint AbsurdValue(Random rng) => rng.Next(5) switch
    {
        0 => 0, 1 => 0xFFFFFFFF, 2 => 0x7FFFFFFF, 3 => 65535, _ => (uint)rng.Next(1, 1 << 20),
    };

    private static byte[] AbsurdPng(byte[] m, Random rng)
    {
        int field = 16 + 4 * rng.Next(2);
        uint v = AbsurdValue(rng);
        m[field] = (byte)(v >> 24); m[field + 1] = (byte)(v >> 16); m[field + 2] = (byte)(v >> 8); m[field + 3] = (byte)v;
        if (rng.Next(4) != 0) FixPngCrcs(m);
        return m;
    }

    private static byte[] AbsurdJpeg(byte[] m, Random rng)
    {
        for (int p = 2; p + 9 < m.Length; p++)
            if (m[p] == 0xFF && m[p + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                int field = p + 5 + 2 * rng.Next(2);
                uint v = AbsurdValue(rng);
                m[field] = (byte)(v >> 8); m[field + 1] = (byte)v;
                break;
            }
        return m;
    }

    private static byte[] AbsurdText(byte[] m, Random rng, int headerBytes)
    {
        var s = System.Text.Encoding.Latin1.GetString(m, 0, Math.Min(headerBytes, m.Length));
        var nums = System.Text.RegularExpressions.Regex.Matches(s, "[0-9]+").Where(x => x.Index > 1).ToList();
        if (nums.Count == 0) return m;
        var n = nums[rng.Next(nums.Count)];
        var repl = System.Text.Encoding.Latin1.GetBytes(rng.Next(3) switch { 0 => "0", 1 => "99999999999", _ => "4294967295" });
        return [.. m[..n.Index], .. repl, .. m[(n.Index + n.Length)..]];
    }

    [Fact]
    public void PngMutationsFailCleanly()
    {
        var seeds = new[]
        {
            Png.Encode(Sample(41, 29, 3, 8)), Png.Encode(Sample(23, 17, 1, 16)),
            Png.Encode(Sample(19, 13, 4, 8), new Dictionary<string, string> { ["k"] = "v" }),
        };
        for (int s = 0; s < seeds.Length; s++) Fuzz("png", seeds[s], (d, n) => Png.Decode(d, n, FuzzLimits), AbsurdPng, s);
    }

    [SkippableFact]
    public void PngMutationsOfPaletteAndInterlacedFilesFailCleanly()
    {
        int s = 10;
        foreach (var name in new[] { "hand_c3_d4_adam7", "hand_c0_d16_adam7", "pil_P2" })
            Fuzz("png", File.ReadAllBytes(Path.Combine(RefData.Dir, "in", name + ".png")), (d, n) => Png.Decode(d, n, FuzzLimits), AbsurdPng, s++);
    }

    [SkippableFact]
    public void JpegMutationsFailCleanly()
    {
        var files = new[] { "gen_s2_prog_q75.jpg", "gen_s1_base_q75.jpg", "gen_grey_True.jpg", "gen_exif6.jpg" }
            .Select(f => Path.Combine(RefData.Dir, "in", f)).ToList();
        if (File.Exists("/usr/share/darknet/data/scream.jpg")) files.Add("/usr/share/darknet/data/scream.jpg"); // restart markers, h1v2
        int s = 20;
        foreach (var f in files) Fuzz("jpeg", File.ReadAllBytes(f), (d, n) => Jpeg.Decode(d, n, FuzzLimits), AbsurdJpeg, s++);
    }

    [Fact]
    public void PnmMutationsFailCleanly()
    {
        var seeds = new[] { Pnm.Encode(Sample(13, 7, 3, 8)), Pnm.Encode(Sample(9, 5, 1, 16)), Pnm.Encode(Sample(6, 4, 3, 8), ascii: true) };
        for (int s = 0; s < seeds.Length; s++) Fuzz("pnm", seeds[s], (d, n) => Pnm.Decode(d, n, FuzzLimits), (m, r) => AbsurdText(m, r, 20), 30 + s);
    }

    [Fact]
    public void NpyMutationsFailCleanly()
    {
        var seeds = new[]
        {
            Npy.Encode([3, 4, 5], Enumerable.Range(0, 60).Select(i => (float)i).ToArray()),
            Npy.Encode([7], Enumerable.Range(0, 7).Select(i => (long)i).ToArray()),
        };
        for (int s = 0; s < seeds.Length; s++) Fuzz("npy", seeds[s], (d, n) => Npy.Read(d, n), (m, r) => AbsurdText(m, r, 128), 40 + s);
    }

    [Fact]
    public void DefaultLimitRejectsHugeDeclaredSizesBeforeAllocating()
    {
        var png = Png.Encode(Sample(4, 4, 3, 8));
        var big = AbsurdPngSize(png, 65535, 65535);
        var e = Assert.Throws<ImageFormatException>(() => Png.Decode(big, "big.png"));
        Assert.Contains("big.png", e.Message);
        Assert.Contains("IHDR", e.Message);
        var ppm = System.Text.Encoding.ASCII.GetBytes("P6\n65535 65535\n255\n").Concat(new byte[12]).ToArray();
        e = Assert.Throws<ImageFormatException>(() => Pnm.Decode(ppm, "big.ppm"));
        Assert.Contains("width×height", e.Message);
        var npy = System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(Npy.Encode([2], new float[] { 1, 2 })).Replace("(2,)", "(99999999999,)"));
        e = Assert.Throws<ImageFormatException>(() => Npy.Read(npy, "big.npy"));
        Assert.Contains("shape", e.Message);
    }

    private static byte[] AbsurdPngSize(byte[] png, uint w, uint h)
    {
        var m = (byte[])png.Clone();
        foreach (var (o, v) in new[] { (16, w), (20, h) })
        {
            m[o] = (byte)(v >> 24); m[o + 1] = (byte)(v >> 16); m[o + 2] = (byte)(v >> 8); m[o + 3] = (byte)v;
        }
        FixPngCrcs(m);
        return m;
    }
}
