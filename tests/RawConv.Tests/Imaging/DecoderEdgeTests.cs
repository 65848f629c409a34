using RawConv.Imaging;

namespace RawConv.Tests.Imaging;

/// <summary>Hand-built edge cases: EXIF byte orders, corrupt chunks, truncation, unsupported variants.</summary>
public class DecoderEdgeTests
{
    private static byte[] Tiny => File.ReadAllBytes(Path.Combine(RefData.Dir, "in", "gen_tiny_s0.jpg"));

    /// <summary>An APP1 Exif segment holding only the orientation tag, in either TIFF byte order.</summary>
    private static byte[] ExifSegment(int orientation, bool bigEndian)
    {
        byte[] U16(int v) => bigEndian ? [(byte)(v >> 8), (byte)v] : [(byte)v, (byte)(v >> 8)];
        byte[] U32(int v) => bigEndian ? [0, 0, (byte)(v >> 8), (byte)v] : [(byte)v, (byte)(v >> 8), 0, 0];
        byte[] tiff = [.. (bigEndian ? "MM"u8 : "II"u8), .. U16(42), .. U32(8), .. U16(1),
            .. U16(0x0112), .. U16(3), .. U32(1), .. U16(orientation), 0, 0, .. U32(0)];
        byte[] body = [.. "Exif\0\0"u8, .. tiff];
        return [0xFF, 0xE1, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2), .. body];
    }

    [SkippableFact]
    public void ExifOrientationInBothByteOrders()
    {
        var plain = Jpeg.Decode(Tiny, "tiny", applyOrientation: false);
        foreach (var be in new[] { false, true })
            foreach (var o in new[] { 3, 6, 8 })
            {
                byte[] withExif = [0xFF, 0xD8, .. ExifSegment(o, be), .. Tiny[2..]];
                var img = Jpeg.Decode(withExif, "exif");
                var expect = Orientation.Apply(plain, o);
                Assert.Equal((expect.Width, expect.Height), (img.Width, img.Height));
                Assert.Equal(expect.Data, img.Data);
                Assert.Equal(plain.Data, Jpeg.Decode(withExif, "exif", applyOrientation: false).Data);
            }
    }

    [SkippableFact]
    public void TruncatedJpegIsRejectedWithTheFileName()
    {
        const string path = "/usr/lib/python3/dist-packages/skimage/data/truncated.jpg";
        Skip.IfNot(File.Exists(path), "skimage's truncated.jpg not installed");
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Load(path));
        Assert.Contains(path, e.Message);
        var cut = Tiny[..^2];
        Assert.Contains("EOI", Assert.Throws<ImageFormatException>(() => Jpeg.Decode(cut, "cut.jpg")).Message);
    }

    [Fact]
    public void PngCrcMismatchNamesTheChunk()
    {
        var img = new Image(3, 2, 3);
        var png = Png.Encode(img);
        png[^20] ^= 1; // inside the IDAT body
        var e = Assert.Throws<ImageFormatException>(() => Png.Decode(png, "crc.png"));
        Assert.Contains("crc.png", e.Message);
        Assert.Contains("IDAT", e.Message);
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void UnsupportedJpegVariantsSaySo()
    {
        // SOI, SOF3 (lossless) with a valid-looking header, EOI.
        byte[] lossless = [0xFF, 0xD8, 0xFF, 0xC3, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0, 0xFF, 0xD9];
        Assert.Contains("lossless", Assert.Throws<ImageFormatException>(() => Jpeg.Decode(lossless, "l.jpg")).Message);
        byte[] huge = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0, 0xFF, 0xD9];
        var e = Assert.Throws<ImageFormatException>(() => Jpeg.Decode(huge, "huge.jpg"));
        Assert.Contains("SOF width×height 65535×65535", e.Message);
        Assert.Contains("huge.jpg", e.Message);
        huge[7] = 0x10; huge[9] = 0x10; // 4096×4096 passes the pixel limit but cannot fit in 2 bytes of scan data
        Assert.Contains("blocks", Assert.Throws<ImageFormatException>(() => Jpeg.Decode(huge, "huge.jpg")).Message);
    }
}
