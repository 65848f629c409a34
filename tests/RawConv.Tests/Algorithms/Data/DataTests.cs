using System.IO.Compression;
using RawConv.Algorithms.Data;
using RawConv.Imaging;

namespace RawConv.Tests.Algorithms.Data;

/// <summary>IDX reading (real Fashion-MNIST files and hostile ones), canvas placement, image folders.</summary>
public class DataTests
{
    private static readonly string Dir = FashionMnist.DefaultDirectory;

    private static void RequireDataset() =>
        Skip.IfNot(File.Exists(Path.Combine(Dir, "t10k-labels-idx1-ubyte.gz")), $"{Dir} missing: apt-get install dataset-fashion-mnist");

    [SkippableFact]
    public void RealFilesHaveTheDocumentedCountsAndBalancedLabels()
    {
        RequireDataset();
        var trainLabels = Idx.Read(Path.Combine(Dir, "train-labels-idx1-ubyte.gz"));
        var testImages = Idx.Read(Path.Combine(Dir, "t10k-images-idx3-ubyte.gz"));
        Assert.Equal([60000], trainLabels.Dims);
        Assert.Equal([10000, 28, 28], testImages.Dims);
        var hist = new int[10];
        foreach (var l in trainLabels.Data) hist[l]++;
        Assert.All(hist, h => Assert.Equal(6000, h));
        var test = FashionMnist.Load("test");
        Assert.Equal(10000, test.Count);
        Assert.Equal("Ankle boot", test.Classes[9]);
        // The first test item of Fashion-MNIST is an ankle boot (label 9), as in the dataset's README.
        Assert.Equal(9, test.Label(0));
    }

    [SkippableFact]
    public void ItemsAreCentredOnTheCanvas()
    {
        RequireDataset();
        var d = FashionMnist.Load("test", canvas: 40);
        var x = new float[40 * 40];
        d.CopyItem(0, x);
        var raw = d.RawItem(0);
        for (int y = 0; y < 40; y++)
            for (int xx = 0; xx < 40; xx++)
            {
                bool inside = y >= 6 && y < 34 && xx >= 6 && xx < 34;
                float expected = inside ? raw[(y - 6) * 28 + xx - 6] / 255f : 0f;
                Assert.Equal(expected, x[y * 40 + xx]);
            }
        var n = FashionMnist.Load("test", canvas: 40, normalize: true);
        n.CopyItem(0, x);
        Assert.Equal(-FashionMnist.Mean / FashionMnist.Std, x[0], 6);
        Assert.Throws<RawConvException>(() => FashionMnist.Load("test", canvas: 20));
        Assert.Throws<RawConvException>(() => FashionMnist.Load("valid"));
    }

    private static byte[] RawIdx(byte[] header, int dataBytes) => [.. header, .. new byte[dataBytes]];

    private static byte[] Gzip(byte[] raw)
    {
        using var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return o.ToArray();
    }

    private static void Rejected(byte[] bytes, string name, string? fragment = null)
    {
        var e = Assert.ThrowsAny<RawConvException>(() => Idx.Parse(bytes, name));
        Assert.Contains(name, e.Message);
        if (fragment != null) Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void HostileRawIdxFilesAreRejectedNamingTheFile()
    {
        byte[] good = RawIdx([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4], 24);
        Assert.Equal([2, 3, 4], Idx.Parse(good).Dims);
        Rejected(good[..^1], "cut.idx", "need 24 data bytes");
        Rejected(good[..10], "header.idx", "truncated header");
        Rejected([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0], "rank.idx", "rank 2");
        Rejected([0, 0, 0x0D, 1, 0, 0, 0, 1, 0], "float.idx", "element type");
        Rejected([0x50, 0x4B, 3, 4, 0, 0, 0, 0], "zip.idx", "bad magic");
        // 0x7fffffff³ bytes claimed by a 16-byte file: rejected before allocating.
        Rejected([0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff], "huge.idx", "exceed");
        Rejected([0, 0, 8, 1, 0, 0, 0, 0], "zero.idx", "dimension 0 is 0");
        var e = Assert.ThrowsAny<RawConvException>(() => Idx.Read("/nonexistent/x-idx1-ubyte.gz"));
        Assert.Contains("/nonexistent/x-idx1-ubyte.gz", e.Message);
    }

    [Fact]
    public void HostileGzipFilesAreRejectedNamingTheFile()
    {
        var raw = RawIdx([0, 0, 8, 1, 0, 0, 1, 0], 256);
        for (int i = 0; i < 256; i++) raw[8 + i] = (byte)(i * 7);
        var gz = Gzip(raw);
        Assert.Equal(raw[8..], Idx.Parse(gz, "ok.gz").Data);
        var rng = new Random(7);
        for (int t = 0; t < 40; t++)
        {
            Rejected(gz[..rng.Next(2, gz.Length - 1)], $"truncated-{t}.gz");
            var flipped = (byte[])gz.Clone();
            // Flip a bit past the 10-byte gzip header so the stream still looks like gzip.
            int pos = rng.Next(10, gz.Length);
            flipped[pos] ^= (byte)(1 << rng.Next(8));
            Rejected(flipped, $"flipped-{t}.gz");
        }
    }

    [Fact]
    public void ImageFolderReadsOneClassPerSubfolder()
    {
        var root = Path.Combine(Path.GetTempPath(), $"rawconv-imagefolder-{Environment.ProcessId}");
        try
        {
            foreach (var (cls, value, count) in new[] { ("cat", (ushort)255, 2), ("dog", (ushort)51, 3) })
            {
                Directory.CreateDirectory(Path.Combine(root, cls));
                for (int i = 0; i < count; i++)
                {
                    var img = new Image(30 + i, 20, 3);
                    Array.Fill(img.Data, value);
                    ImageIO.Save(Path.Combine(root, cls, $"{i}.png"), img);
                }
            }
            File.WriteAllText(Path.Combine(root, "dog", "notes.txt"), "not an image");
            var d = new ImageFolder(root, channels: 1, height: 16, width: 12);
            Assert.Equal(5, d.Count);
            Assert.Equal(["cat", "dog"], d.Classes);
            Assert.Equal(new Shape(1, 1, 16, 12), d.ItemShape);
            var (x, labels) = d.GetHost([0, 4]);
            Assert.Equal([0, 1], labels);
            Assert.All(x.AsSpan(0, 16 * 12).ToArray(), v => Assert.Equal(1f, v, 6));
            Assert.All(x.AsSpan(16 * 12).ToArray(), v => Assert.Equal(0.2f, v, 6));
            Assert.Throws<RawConvException>(() => new ImageFolder(Path.Combine(root, "missing")));
        }
        finally { Directory.Delete(root, true); }
    }
}
