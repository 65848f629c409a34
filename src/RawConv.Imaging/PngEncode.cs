using System.IO.Compression;
using System.Text;

namespace RawConv.Imaging;

public static partial class Png
{
    /// <summary>
    /// Encodes an image as a non-interlaced PNG: 8-bit grey, grey+alpha, RGB, RGBA, or 16-bit of the same
    /// colour types; each row gets the filter with the smallest sum of absolute values. <paramref name="text"/>
    /// becomes tEXt chunks (Latin-1; keywords 1–79 characters).
    /// </summary>
    public static byte[] Encode(Image image, IReadOnlyDictionary<string, string>? text = null)
    {
        var ms = new MemoryStream();
        ms.Write(Signature);
        WriteChunk(ms, "IHDR", Header(image));
        if (text != null)
            foreach (var (k, v) in text)
            {
                if (k.Length is < 1 or > 79 || k.Contains('\0')) throw new RawConvException($"PNG: tEXt keyword '{k}' must be 1 to 79 characters without NUL");
                WriteChunk(ms, "tEXt", [.. Encoding.Latin1.GetBytes(k), 0, .. Encoding.Latin1.GetBytes(v)]);
            }
        WriteChunk(ms, "IDAT", ImageData(image));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>The zlib stream of filtered rows (the IDAT payload) of <paramref name="image"/>.</summary>
    private static byte[] ImageData(Image image)
    {
        int ch = image.Channels, bytesPer = image.BitDepth / 8, w = image.Width;
        int rowBytes = w * ch * bytesPer, bpp = ch * bytesPer;
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            var prev = new byte[rowBytes];
            var cur = new byte[rowBytes];
            var best = new byte[rowBytes + 1];
            var trial = new byte[rowBytes + 1];
            for (int y = 0; y < image.Height; y++)
            {
                long o = (long)y * w * ch;
                for (int i = 0; i < w * ch; i++)
                {
                    int v = image.Data[o + i];
                    if (bytesPer == 1) cur[i] = (byte)v;
                    else { cur[2 * i] = (byte)(v >> 8); cur[2 * i + 1] = (byte)v; }
                }
                long bestCost = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    trial[0] = (byte)f;
                    long cost = 0;
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                        byte r = (byte)(cur[i] - f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) });
                        trial[i + 1] = r;
                        cost += (sbyte)r < 0 ? -(sbyte)r : r;
                    }
                    if (cost < bestCost) { bestCost = cost; (best, trial) = (trial, best); }
                }
                zs.Write(best);
                (prev, cur) = (cur, prev);
            }
        }
        return z.ToArray();
    }

    /// <summary>The IHDR body of <paramref name="image"/> (the caller checks the colour type is supported).</summary>
    private static byte[] Header(Image image)
    {
        var ihdr = new byte[13];
        PutU32(ihdr, 0, (uint)image.Width);
        PutU32(ihdr, 4, (uint)image.Height);
        ihdr[8] = (byte)image.BitDepth;
        ihdr[9] = (byte)(image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 });
        return ihdr;
    }

    /// <summary>Encodes and writes a PNG file.</summary>
    public static void Save(string path, Image image, IReadOnlyDictionary<string, string>? text = null) =>
        File.WriteAllBytes(path, Encode(image, text));

    private static void WriteChunk(Stream s, string type, byte[] body)
    {
        var head = new byte[8];
        PutU32(head, 0, (uint)body.Length);
        Encoding.ASCII.GetBytes(type, 0, 4, head, 4);
        s.Write(head);
        s.Write(body);
        var crcIn = new byte[4 + body.Length];
        Array.Copy(head, 4, crcIn, 0, 4);
        Array.Copy(body, 0, crcIn, 4, body.Length);
        var crc = new byte[4];
        PutU32(crc, 0, Crc.Compute(crcIn));
        s.Write(crc);
    }

    private static void PutU32(byte[] b, int o, uint v)
    {
        b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v;
    }
}
