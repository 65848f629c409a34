using System.IO.Compression;

namespace RawConv.Imaging;

/// <summary>
/// PNG decoder: all colour types and bit depths, PLTE + tRNS, the five filters, Adam7, CRC checks.
/// Output: grey 1–8 bit → 8-bit grey (scaled to 0–255), palette → RGB (RGBA with tRNS), tRNS on grey/RGB
/// → an added alpha channel; 16-bit files stay 16-bit.
/// </summary>
public static partial class Png
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Deflate never expands more than about 1032:1; a larger declared image is a lie.</summary>
    private const long MaxInflateRatio = 1032;

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Decodes a PNG file.</summary>
    public static Image Decode(string path, DecodeLimits? limits = null) => Decode(ImageIO.ReadFile(path), path, limits);

    /// <summary>Decodes PNG bytes; <paramref name="name"/> appears in error messages.</summary>
    public static Image Decode(byte[] data, string name = "<memory>", DecodeLimits? limits = null) =>
        Decode(data, name, limits, out _);

    /// <summary>Decodes PNG bytes and returns the tEXt chunks too.</summary>
    public static Image Decode(byte[] data, string name, DecodeLimits? limits, out Dictionary<string, string> text)
    {
        var src = new Source(data, name, "PNG");
        limits ??= DecodeLimits.Default;
        text = [];
        if (data.Length < 8 || !data.AsSpan(0, 8).SequenceEqual(Signature)) throw src.Fail("bad signature (not a PNG file)");
        int pos = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
        byte[]? palette = null, trns = null;
        var idat = new MemoryStream();
        bool ihdr = false, iend = false;
        while (!iend)
        {
            if (pos + 12 > data.Length) throw src.Fail($"chunk header at byte {pos} runs past the end of the file (truncated; no IEND)");
            uint len = src.U32Be(pos);
            string ctype = System.Text.Encoding.ASCII.GetString(data, pos + 4, 4);
            if (len > int.MaxValue || pos + 12L + len > data.Length)
                throw src.Fail($"chunk '{ctype}' length {len} at byte {pos} runs past the end of the file ({data.Length} bytes)");
            int n = (int)len, body = pos + 8;
            if (Crc.Compute(data.AsSpan(pos + 4, n + 4)) != src.U32Be(body + n))
                throw src.Fail($"chunk '{ctype}' at byte {pos}: CRC mismatch");
            pos = body + n + 4;
            if (!ihdr && ctype != "IHDR") throw src.Fail($"first chunk is '{ctype}', expected IHDR");
            switch (ctype)
            {
                case "IHDR":
                    if (ihdr) throw src.Fail("second IHDR chunk");
                    if (n != 13) throw src.Fail($"IHDR length {n} (expected 13)");
                    ihdr = true;
                    uint w = src.U32Be(body), h = src.U32Be(body + 4);
                    depth = data[body + 8]; type = data[body + 9]; interlace = data[body + 12];
                    if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue) throw src.Fail($"IHDR width×height {w}×{h} invalid");
                    if (!ValidDepth(type, depth)) throw src.Fail($"IHDR colour type {type} with bit depth {depth} invalid");
                    if (data[body + 10] != 0 || data[body + 11] != 0 || interlace > 1)
                        throw src.Fail($"IHDR compression {data[body + 10]}, filter {data[body + 11]}, interlace {interlace} invalid");
                    src.CheckSize(w, h, Channels(type), limits, "IHDR width×height");
                    width = (int)w; height = (int)h;
                    break;
                case "PLTE":
                    if (n % 3 != 0 || n == 0 || n > 768) throw src.Fail($"PLTE length {n} (must be a multiple of 3, at most 768)");
                    palette = data.AsSpan(body, n).ToArray();
                    break;
                case "tRNS":
                    int expect = type switch { 0 => 2, 2 => 6, 3 => -1, _ => 0 };
                    if (expect == 0) throw src.Fail($"tRNS not allowed with colour type {type}");
                    if (type == 3 && (palette == null || n > palette.Length / 3)) throw src.Fail($"tRNS length {n} exceeds the palette");
                    if (expect > 0 && n != expect) throw src.Fail($"tRNS length {n} (expected {expect})");
                    trns = data.AsSpan(body, n).ToArray();
                    break;
                case "IDAT": idat.Write(data, body, n); break;
                case "IEND": iend = true; break;
                case "tEXt":
                    int z = Array.IndexOf(data, (byte)0, body, n);
                    if (z > body) text[System.Text.Encoding.Latin1.GetString(data, body, z - body)] = System.Text.Encoding.Latin1.GetString(data, z + 1, body + n - z - 1);
                    break;
                default:
                    if ((data[pos - n - 8] & 0x20) == 0) throw src.Fail($"unknown critical chunk '{ctype}'");
                    break;
            }
        }
        if (type == 3 && palette == null) throw src.Fail("palette image without PLTE");
        if (idat.Length == 0) throw src.Fail("no IDAT chunk");
        int ch = Channels(type), bpp = ch * depth;
        long rawSize = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace)) rawSize += (long)ph * (1 + ((long)pw * bpp + 7) / 8);
        if (rawSize > idat.Length * MaxInflateRatio + 1024)
            throw src.Fail($"IHDR {width}×{height} needs {rawSize} bytes but {idat.Length} bytes of IDAT cannot inflate to that");
        var raw = new byte[rawSize];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int got = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length) throw src.Fail($"IDAT data inflates to {got} bytes, {raw.Length} expected (truncated)");
        }
        catch (InvalidDataException e) { throw new ImageFormatException($"{name}: PNG: IDAT zlib stream is corrupt: {e.Message}", e); }
        return Reconstruct(src, raw, width, height, depth, type, interlace, palette, trns);
    }

    private static Image Reconstruct(Source src, byte[] raw, int width, int height, int depth, int type, int interlace, byte[]? palette, byte[]? trns)
    {
        int ch = Channels(type), bpp = ch * depth, step = Math.Max(1, bpp / 8);
        int outCh = type == 3 ? (trns != null ? 4 : 3) : trns != null ? ch + 1 : ch;
        int outDepth = depth == 16 ? 16 : 8;
        var img = new Image(width, height, outCh, outDepth);
        int pass = 0, off = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace))
        {
            var (x0, y0, dx, dy) = interlace == 1 ? Adam7[pass] : (0, 0, 1, 1);
            pass++;
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (int)(((long)pw * bpp + 7) / 8);
            var prev = new byte[rowBytes];
            var cur = new byte[rowBytes];
            var samples = new int[pw * ch];
            for (int r = 0; r < ph; r++)
            {
                int filter = raw[off];
                if (filter > 4) throw src.Fail($"filter type {filter} on row {r} of pass {pass} invalid");
                Array.Copy(raw, off + 1, cur, 0, rowBytes);
                off += rowBytes + 1;
                Unfilter(filter, cur, prev, step);
                Unpack(cur, samples, depth);
                int y = y0 + r * dy;
                for (int i = 0; i < pw; i++)
                    Store(img, x0 + i * dx, y, samples.AsSpan(i * ch, ch), depth, type, palette, trns, src);
                (prev, cur) = (cur, prev);
            }
        }
        return img;
    }

    private static void Store(Image img, int x, int y, ReadOnlySpan<int> s, int depth, int type, byte[]? pal, byte[]? trns, Source src)
    {
        long o = ((long)y * img.Width + x) * img.Channels;
        var d = img.Data;
        if (type == 3)
        {
            int i = s[0];
            if (3 * i + 2 >= pal!.Length) throw src.Fail($"pixel ({x}, {y}) uses palette index {i}, the PLTE has {pal.Length / 3} entries");
            d[o] = pal[3 * i]; d[o + 1] = pal[3 * i + 1]; d[o + 2] = pal[3 * i + 2];
            if (trns != null) d[o + 3] = i < trns.Length ? trns[i] : (ushort)255;
            return;
        }
        int scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
        for (int c = 0; c < s.Length; c++) d[o + c] = (ushort)(s[c] * scale);
        if (trns != null)
        {
            bool match = true;
            for (int c = 0; c < s.Length; c++) match &= s[c] == (trns[2 * c] << 8 | trns[2 * c + 1]);
            d[o + s.Length] = (ushort)(match ? 0 : img.MaxValue);
        }
    }

    private static void Unfilter(int filter, byte[] cur, byte[] prev, int bpp)
    {
        int n = cur.Length;
        switch (filter)
        {
            case 1: for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp]; break;
            case 2: for (int i = 0; i < n; i++) cur[i] += prev[i]; break;
            case 3:
                for (int i = 0; i < n; i++) cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < n; i++) cur[i] += Paeth(i >= bpp ? cur[i - bpp] : (byte)0, prev[i], i >= bpp ? prev[i - bpp] : (byte)0);
                break;
        }
    }

    internal static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    private static void Unpack(byte[] row, int[] s, int depth)
    {
        switch (depth)
        {
            case 8: for (int i = 0; i < s.Length; i++) s[i] = row[i]; break;
            case 16: for (int i = 0; i < s.Length; i++) s[i] = row[2 * i] << 8 | row[2 * i + 1]; break;
            default:
                int per = 8 / depth, mask = (1 << depth) - 1;
                for (int i = 0; i < s.Length; i++) s[i] = row[i / per] >> (8 - depth * (i % per + 1)) & mask;
                break;
        }
    }

    private static IEnumerable<(int W, int H)> Passes(int w, int h, int interlace)
    {
        if (interlace == 0) { yield return (w, h); yield break; }
        foreach (var (x0, y0, dx, dy) in Adam7) yield return ((w - x0 + dx - 1) / dx, (h - y0 + dy - 1) / dy);
    }

    private static int Channels(int type) => type switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    private static bool ValidDepth(int type, int depth) => type switch
    {
        0 => depth is 1 or 2 or 4 or 8 or 16,
        3 => depth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => depth is 8 or 16,
        _ => false,
    };
}

/// <summary>CRC-32 (ISO 3309, as PNG uses it).</summary>
internal static class Crc
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    public static uint Compute(ReadOnlySpan<byte> d)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in d) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
