namespace RawConv.Imaging;

/// <summary>Loads images by sniffing magic bytes and saves them by file extension.</summary>
public static class ImageIO
{
    /// <summary>Largest file read whole into memory.</summary>
    public const long MaxFileBytes = 1L << 31;

    /// <summary>Loads a PNG, JPEG or PPM/PGM file, whatever its extension.</summary>
    public static Image Load(string path, DecodeLimits? limits = null)
    {
        var d = ReadFile(path);
        return Detect(d) switch
        {
            "png" => Png.Decode(d, path, limits),
            "jpeg" => Jpeg.Decode(d, path, limits),
            "pnm" => Pnm.Decode(d, path, limits),
            "npy" => throw new ImageFormatException($"{path}: a NumPy array, not an image: give a preprocessed tensor with --input instead of --image (in code: Npy.ReadTensor)"),
            _ => throw new ImageFormatException($"{path}: not a PNG, JPEG or PPM/PGM file (magic bytes {Magic(d)})"),
        };
    }

    /// <summary>Saves by extension: .png, .ppm/.pgm/.pnm (binary).</summary>
    public static void Save(string path, Image image, IReadOnlyDictionary<string, string>? text = null)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        byte[] bytes = ext switch
        {
            ".png" => Png.Encode(image, text),
            ".ppm" or ".pgm" or ".pnm" => Pnm.Encode(image),
            _ => throw new RawConvException($"{path}: cannot save images as '{ext}' (use .png, .ppm or .pgm)"),
        };
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>"png", "jpeg", "pnm", "npy" or null, from the first bytes.</summary>
    public static string? Detect(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 8 && d[..8].SequenceEqual(Png.Signature)) return "png";
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "jpeg";
        if (d.Length >= 2 && d[0] == 'P' && d[1] is (byte)'2' or (byte)'3' or (byte)'5' or (byte)'6') return "pnm";
        if (d.Length >= 6 && d[0] == 0x93 && d[1] == 'N' && d[2] == 'U' && d[3] == 'M' && d[4] == 'P' && d[5] == 'Y') return "npy";
        return null;
    }

    /// <summary>Reads a whole file; errors name the file.</summary>
    internal static byte[] ReadFile(string path)
    {
        try
        {
            var len = new FileInfo(path).Length;
            if (len > MaxFileBytes) throw new ImageFormatException($"{path}: file of {len} bytes is larger than {MaxFileBytes}");
            return File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new RawConvException($"{path}: cannot read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new RawConvException($"{path}: cannot read: {e.Message}", e); }
    }

    private static string Magic(ReadOnlySpan<byte> d) => d.Length == 0 ? "(empty file)" : Convert.ToHexString(d[..Math.Min(8, d.Length)]);
}
