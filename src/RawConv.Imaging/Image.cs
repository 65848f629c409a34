namespace RawConv.Imaging;

/// <summary>
/// A decoded raster: <see cref="Width"/> × <see cref="Height"/> pixels of <see cref="Channels"/> interleaved
/// samples (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), row-major, top row first. Samples are stored as
/// <c>ushort</c> whatever the bit depth: 0–255 when <see cref="BitDepth"/> is 8, 0–65535 when it is 16.
/// </summary>
public sealed class Image
{
    /// <summary>Creates an image; <paramref name="data"/> (if given) must hold width·height·channels samples.</summary>
    public Image(int width, int height, int channels, int bitDepth = 8, ushort[]? data = null)
    {
        if (width <= 0 || height <= 0) throw new RawConvException($"image: size {width}×{height} must be positive");
        if (channels is < 1 or > 4) throw new RawConvException($"image: {channels} channels (expected 1 to 4)");
        if (bitDepth is not (8 or 16)) throw new RawConvException($"image: bit depth {bitDepth} (expected 8 or 16)");
        long n = (long)width * height * channels;
        if (n > Array.MaxLength) throw new RawConvException($"image: {width}×{height}×{channels} samples exceed the array limit");
        if (data != null && data.Length != n) throw new RawConvException($"image: {data.Length} samples given for {width}×{height}×{channels}");
        Width = width; Height = height; Channels = channels; BitDepth = bitDepth;
        Data = data ?? new ushort[n];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }
    /// <summary>8 or 16.</summary>
    public int BitDepth { get; }
    /// <summary>Interleaved samples, row-major: index (y·Width + x)·Channels + c.</summary>
    public ushort[] Data { get; }
    /// <summary>Largest sample value: 255 or 65535.</summary>
    public int MaxValue => BitDepth == 8 ? 255 : 65535;
    /// <summary>True for 2 or 4 channels.</summary>
    public bool HasAlpha => Channels is 2 or 4;

    /// <summary>Sample c of pixel (x, y).</summary>
    public ushort this[int x, int y, int c]
    {
        get => Data[((long)y * Width + x) * Channels + c];
        set => Data[((long)y * Width + x) * Channels + c] = value;
    }

    /// <summary>An 8-bit image from interleaved bytes.</summary>
    public static Image FromBytes(int width, int height, int channels, ReadOnlySpan<byte> bytes)
    {
        var img = new Image(width, height, channels);
        if (bytes.Length != img.Data.Length) throw new RawConvException($"image: {bytes.Length} bytes given for {width}×{height}×{channels}");
        for (int i = 0; i < bytes.Length; i++) img.Data[i] = bytes[i];
        return img;
    }

    /// <summary>The samples as bytes (8-bit images only).</summary>
    public byte[] ToBytes()
    {
        if (BitDepth != 8) throw new RawConvException($"image: ToBytes needs 8-bit samples, this image has {BitDepth}");
        var b = new byte[Data.Length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)Data[i];
        return b;
    }

    /// <summary>8-bit RGB: grey is replicated, alpha dropped, 16-bit samples rounded to 8 bits.</summary>
    public Image ToRgb8()
    {
        var o = new Image(Width, Height, 3);
        long n = (long)Width * Height;
        for (long p = 0; p < n; p++)
            for (int c = 0; c < 3; c++)
            {
                int v = Data[p * Channels + (Channels < 3 ? 0 : c)];
                o.Data[p * 3 + c] = (ushort)(BitDepth == 8 ? v : (v * 255 + 32767) / 65535);
            }
        return o;
    }

    /// <summary>A float32 tensor (1, C, H, W) holding the sample values unscaled (0–255 or 0–65535).</summary>
    public Tensor ToTensor(IBackend backend)
    {
        int plane = Width * Height;
        var f = new float[(long)plane * Channels];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < Channels; c++) f[(long)c * plane + p] = Data[(long)p * Channels + c];
        return Tensor.FromArray(backend, Shape.Nchw(1, Channels, Height, Width), f);
    }

    /// <summary>An 8-bit image from a float tensor (1, C, H, W), C in 1..4, values rounded and clamped to 0–255.</summary>
    public static Image FromTensor(Tensor t)
    {
        if (t.Shape.Rank != 4 || t.Shape.N != 1 || t.Shape.C is < 1 or > 4)
            throw new RawConvException($"image: tensor {t.Shape} is not (1, C≤4, H, W)");
        var f = t.ToArray();
        int w = t.Shape.W, h = t.Shape.H, ch = t.Shape.C, plane = w * h;
        var img = new Image(w, h, ch);
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < ch; c++)
            {
                float v = f[(long)c * plane + p];
                img.Data[(long)p * ch + c] = (ushort)(float.IsNaN(v) ? 0 : Math.Clamp(MathF.Round(v), 0, 255));
            }
        return img;
    }

    public override string ToString() => $"{Width}×{Height}×{Channels} {BitDepth}-bit";
}

/// <summary>A file that is not a valid image or tensor of its format; the message names the file and the field.</summary>
public sealed class ImageFormatException : RawConvException
{
    public ImageFormatException(string message) : base(message) { }
    public ImageFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Size limits checked against the sizes a file's header declares, before any allocation.</summary>
public sealed record DecodeLimits(long MaxPixels = DecodeLimits.DefaultMaxPixels)
{
    /// <summary>The default pixel limit: 100 megapixels (e.g. 10000×10000), about 600 MB of samples for RGB.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The default: at most <see cref="DefaultMaxPixels"/> pixels.</summary>
    public static DecodeLimits Default { get; } = new();
}

/// <summary>Input bytes with a name for error messages; every failure goes through <see cref="Fail"/>.</summary>
internal sealed class Source(byte[] data, string name, string format)
{
    public readonly byte[] Data = data;
    public string Name { get; } = name;

    public ImageFormatException Fail(string what) => new($"{Name}: {format}: {what}");

    /// <summary>Throws unless w × h (× c) is positive and within the limits.</summary>
    public void CheckSize(long w, long h, int channels, DecodeLimits limits, string field)
    {
        if (w <= 0 || h <= 0) throw Fail($"{field} {w}×{h} must be positive");
        if (w * h > limits.MaxPixels)
            throw Fail($"{field} {w}×{h} ({w * h / 1e6:F1} megapixels) is over the decode limit of {limits.MaxPixels / 1e6:G4} megapixels — downscale the picture first");
        if (w * h * channels > Array.MaxLength) throw Fail($"{field} {w}×{h}×{channels} samples exceed the array limit");
    }

    public int U16Be(int pos) => pos + 2 <= Data.Length ? Data[pos] << 8 | Data[pos + 1] : throw Fail($"unexpected end of file at byte {pos}");
    public uint U32Be(int pos) => pos + 4 <= Data.Length
        ? (uint)(Data[pos] << 24 | Data[pos + 1] << 16 | Data[pos + 2] << 8 | Data[pos + 3])
        : throw Fail($"unexpected end of file at byte {pos}");
}
