using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Imaging;

/// <summary>Encode → decode round trips (ours and Pillow/numpy), tEXt, ImageIO, tensors, hand-made small files.</summary>
public class RoundTripTests
{
    private static Image Random(int w, int h, int ch, int depth, int seed)
    {
        var rng = new System.Random(seed);
        var img = new Image(w, h, ch, depth);
        for (int i = 0; i < img.Data.Length; i++)
            img.Data[i] = (ushort)(i % 7 == 0 ? rng.Next(img.MaxValue + 1) : (i / ch % w * 3 + i % ch * 40) % (img.MaxValue + 1));
        return img;
    }

    /// <summary>The images the PNG encoder is asked to handle: 8-bit grey/GA/RGB/RGBA and 16-bit grey and RGB.</summary>
    private static IEnumerable<(string Name, Image Img)> PngCases() =>
    [
        ("g8", Random(37, 23, 1, 8, 1)), ("ga8", Random(5, 9, 2, 8, 2)), ("rgb8", Random(31, 17, 3, 8, 3)),
        ("rgba8", Random(19, 21, 4, 8, 4)), ("g16", Random(29, 13, 1, 16, 5)), ("rgb16", Random(7, 11, 3, 16, 6)),
        ("one", Random(1, 1, 3, 8, 7)),
    ];

    [Fact]
    public void PngEncodeThenDecodeIsExact()
    {
        foreach (var (name, img) in PngCases())
        {
            var back = Png.Decode(Png.Encode(img), name);
            Assert.Equal((img.Width, img.Height, img.Channels, img.BitDepth), (back.Width, back.Height, back.Channels, back.BitDepth));
            Assert.Equal(img.Data, back.Data);
        }
    }

    [Fact]
    public void PngTextChunksRoundTrip()
    {
        var text = new Dictionary<string, string> { ["rawconv.command"] = "rawconv dream --octaves 4", ["Comment"] = "café" };
        Png.Decode(Png.Encode(Random(3, 3, 3, 8, 1), text), "t", null, out var got);
        Assert.Equal(text, got);
        Assert.Throws<RawConvException>(() => Png.Encode(Random(3, 3, 3, 8, 1), new Dictionary<string, string> { [""] = "x" }));
    }

    [SkippableFact]
    public void PillowAndNumpyReadWhatWeWrite()
    {
        var dir = Directory.CreateTempSubdirectory("rawconv-rt-").FullName;
        try
        {
            int expected = 0;
            foreach (var (name, img) in PngCases())
            {
                if (img.BitDepth == 16 && img.Channels > 1) continue; // Pillow reduces 16-bit colour PNGs to 8 bits
                ImageIO.Save(Path.Combine(dir, name + ".png"), img);
                int[] shape = img.Channels == 1 ? [img.Height, img.Width] : [img.Height, img.Width, img.Channels];
                Npy.Write(Path.Combine(dir, name + ".expect.npy"), shape, img.Data.Select(v => (int)v).ToArray());
                expected++;
            }
            int[] s3 = [2, 3, 4];
            Npy.Write(Path.Combine(dir, "f4.npy"), s3, Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray());
            Npy.Write(Path.Combine(dir, "f8.npy"), s3, Enumerable.Range(0, 24).Select(i => i * 0.5 - 3).ToArray());
            Npy.Write(Path.Combine(dir, "u1.npy"), [24], Enumerable.Range(0, 24).Select(i => (byte)(i * 3 % 251)).ToArray());
            Npy.Write(Path.Combine(dir, "i4.npy"), [4, 1, 3, 2], Enumerable.Range(0, 24).Select(i => i * 3 - 7).ToArray());
            Npy.Write(Path.Combine(dir, "i8.npy"), [1, 1, 1, 1, 2, 12], Enumerable.Range(0, 24).Select(i => i * 3L - 7).ToArray());
            Npy.Write(Path.Combine(dir, "scalar.npy"), [], new[] { -3.0f });
            var t = Tensor.FromArray(Backends.Reference, Shape.Nchw(1, 3, 5, 7), Enumerable.Range(0, 105).Select(i => i * 0.5f - 3).ToArray());
            Npy.WriteTensor(Path.Combine(dir, "tensor.npy"), t);
            expected += 7;
            var (stdout, err) = RefData.RunPython(RefData.Script, "--verify", dir);
            Skip.If(stdout is null && !File.Exists(RefData.Python), err);
            Assert.True(stdout != null, err);
            var lines = stdout!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == expected && lines.All(l => l.StartsWith("OK ")), stdout);
            using var back = Npy.ReadTensor(Backends.Reference, Path.Combine(dir, "tensor.npy"));
            Assert.Equal(t.Shape, back.Shape);
            Assert.Equal(t.ToArray(), back.ToArray());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PnmRoundTripsBinaryAndAscii()
    {
        foreach (var img in new[] { Random(9, 4, 1, 8, 1), Random(6, 5, 3, 8, 2), Random(4, 3, 1, 16, 3), Random(3, 2, 3, 16, 4) })
            foreach (var ascii in new[] { false, true })
            {
                var back = Pnm.Decode(Pnm.Encode(img, ascii));
                Assert.Equal((img.Width, img.Height, img.Channels, img.BitDepth), (back.Width, back.Height, back.Channels, back.BitDepth));
                Assert.Equal(img.Data, back.Data);
            }
        Assert.Throws<RawConvException>(() => Pnm.Encode(Random(2, 2, 4, 8, 1)));
    }

    [Fact]
    public void PnmHandMadeMaxvalIsRescaled()
    {
        var img = Pnm.Decode("P2\n# tiny\n3 1\n15\n0 7 15\n"u8.ToArray());
        Assert.Equal(new ushort[] { 0, 119, 255 }, img.Data); // round(7·255/15) = 119
        var e = Assert.Throws<ImageFormatException>(() => Pnm.Decode("P2\n2 1\n15\n0 16\n"u8.ToArray(), "x.pgm"));
        Assert.Contains("x.pgm", e.Message);
        Assert.Contains("maxval", e.Message);
    }

    [Fact]
    public void ImageIOSniffsMagicNotExtension()
    {
        var dir = Directory.CreateTempSubdirectory("rawconv-io-").FullName;
        try
        {
            var img = Random(11, 7, 3, 8, 9);
            File.WriteAllBytes(Path.Combine(dir, "really_png.jpg"), Png.Encode(img));
            File.WriteAllBytes(Path.Combine(dir, "really_ppm.png"), Pnm.Encode(img));
            Assert.Equal(img.Data, ImageIO.Load(Path.Combine(dir, "really_png.jpg")).Data);
            Assert.Equal(img.Data, ImageIO.Load(Path.Combine(dir, "really_ppm.png")).Data);
            ImageIO.Save(Path.Combine(dir, "a.pgm"), Random(4, 4, 1, 8, 1));
            Assert.Equal("pnm", ImageIO.Detect(File.ReadAllBytes(Path.Combine(dir, "a.pgm"))));
            File.WriteAllBytes(Path.Combine(dir, "junk.png"), [1, 2, 3]);
            var e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(Path.Combine(dir, "junk.png")));
            Assert.Contains("junk.png", e.Message);
            Assert.Throws<RawConvException>(() => ImageIO.Save(Path.Combine(dir, "a.bmp"), img));
            Assert.Throws<RawConvException>(() => ImageIO.Load(Path.Combine(dir, "missing.png")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ImageConversionsAndTensors()
    {
        var g16 = new Image(2, 1, 1, 16, [65535, 257]);
        Assert.Equal(new ushort[] { 255, 255, 255, 1, 1, 1 }, g16.ToRgb8().Data);
        var rgba = new Image(1, 1, 4, 8, [10, 20, 30, 40]);
        Assert.Equal(new ushort[] { 10, 20, 30 }, rgba.ToRgb8().Data);
        var img = Random(5, 3, 3, 8, 4);
        using var t = img.ToTensor(Backends.Reference);
        Assert.Equal(Shape.Nchw(1, 3, 3, 5), t.Shape);
        Assert.Equal(img[4, 2, 1], t.ToArray()[1 * 15 + 2 * 5 + 4]);
        Assert.Equal(img.Data, Image.FromTensor(t).Data);
    }

    [Fact]
    public void OrientationMapsCornersLikeExifSays()
    {
        // 2×1 image [A B]: orientation 6 (rotate 90° clockwise) gives a 1×2 column A over B.
        var img = new Image(2, 1, 1, 8, [1, 2]);
        Assert.Equal(new ushort[] { 1, 2 }, Orientation.Apply(img, 6).Data);
        Assert.Equal(new ushort[] { 2, 1 }, Orientation.Apply(img, 8).Data);
        Assert.Equal(new ushort[] { 2, 1 }, Orientation.Apply(img, 2).Data);
        Assert.Equal((1, 2), (Orientation.Apply(img, 5).Width, Orientation.Apply(img, 5).Height));
        Assert.Same(img, Orientation.Apply(img, 1));
    }

    [Fact]
    public void NpyRejectsFortranUnknownDtypeAndShortData()
    {
        var good = Npy.Encode([2, 2], new float[] { 1, 2, 3, 4 });
        var fortran = (byte[])good.Clone();
        var s = System.Text.Encoding.ASCII.GetString(fortran);
        System.Text.Encoding.ASCII.GetBytes("True ").CopyTo(fortran, s.IndexOf("False"));
        Assert.Contains("fortran_order", Assert.Throws<ImageFormatException>(() => Npy.Read(fortran, "f.npy")).Message);
        var u2 = (byte[])good.Clone();
        System.Text.Encoding.ASCII.GetBytes(">u2").CopyTo(u2, s.IndexOf("<f4"));
        Assert.Contains("dtype", Assert.Throws<ImageFormatException>(() => Npy.Read(u2, "u.npy")).Message);
        var e = Assert.Throws<ImageFormatException>(() => Npy.Read(good[..^1], "short.npy"));
        Assert.Contains("short.npy", e.Message);
        Assert.Contains("shape", e.Message);
    }
}
