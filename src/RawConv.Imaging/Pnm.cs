using System.Text;

namespace RawConv.Imaging;

/// <summary>
/// Netpbm PGM/PPM: P5/P6 binary and P2/P3 ASCII, maxval 1–65535. Maxval 255 and 65535 load unchanged;
/// other maxvals are rescaled (rounded) to 0–255 (maxval &lt; 256) or 0–65535.
/// </summary>
public static class Pnm
{
    /// <summary>Decodes a PGM/PPM file.</summary>
    public static Image Decode(string path, DecodeLimits? limits = null) => Decode(ImageIO.ReadFile(path), path, limits);

    /// <summary>Decodes PGM/PPM bytes; <paramref name="name"/> appears in error messages.</summary>
    public static Image Decode(byte[] d, string name = "<memory>", DecodeLimits? limits = null)
    {
        var src = new Source(d, name, "PNM");
        if (d.Length < 2 || d[0] != 'P' || d[1] is not ((byte)'2' or (byte)'3' or (byte)'5' or (byte)'6'))
            throw src.Fail("magic is not P2, P3, P5 or P6");
        int kind = d[1] - '0', ch = kind is 3 or 6 ? 3 : 1;
        bool ascii = kind <= 3;
        int pos = 2;
        long w = Number(src, ref pos, "width"), h = Number(src, ref pos, "height"), maxval = Number(src, ref pos, "maxval");
        if (maxval is < 1 or > 65535) throw src.Fail($"maxval {maxval} (expected 1 to 65535)");
        src.CheckSize(w, h, ch, limits ?? DecodeLimits.Default, "width×height");
        long n = w * h * ch;
        int bytesPer = maxval > 255 ? 2 : 1;
        if (!ascii)
        {
            pos++; // the single whitespace byte after maxval
            if (pos + n * bytesPer > d.Length) throw src.Fail($"{w}×{h}×{ch} samples need {n * bytesPer} bytes of data, the file has {Math.Max(0, d.Length - pos)} (truncated)");
        }
        else if (n > d.Length - pos) throw src.Fail($"{w}×{h}×{ch} ASCII samples cannot fit in the {d.Length - pos} remaining bytes");
        int outMax = bytesPer == 2 ? 65535 : 255;
        var img = new Image((int)w, (int)h, ch, bytesPer * 8);
        for (long i = 0; i < n; i++)
        {
            long v;
            if (ascii) v = Number(src, ref pos, "sample");
            else if (bytesPer == 1) v = d[pos++];
            else { v = d[pos] << 8 | d[pos + 1]; pos += 2; }
            if (v > maxval) throw src.Fail($"sample {i} value {v} exceeds maxval {maxval}");
            img.Data[i] = (ushort)(maxval == outMax ? v : (v * outMax * 2 + maxval) / (2 * maxval));
        }
        return img;
    }

    /// <summary>Encodes grey (P5/P2) or RGB (P6/P3), 8- or 16-bit; alpha channels are rejected.</summary>
    public static byte[] Encode(Image image, bool ascii = false)
    {
        if (image.Channels is not (1 or 3)) throw new RawConvException($"PNM: cannot store {image.Channels} channels (grey or RGB only)");
        char magic = (image.Channels, ascii) switch { (1, false) => '5', (3, false) => '6', (1, true) => '2', _ => '3' };
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes($"P{magic}\n{image.Width} {image.Height}\n{image.MaxValue}\n"));
        if (ascii)
        {
            var sb = new StringBuilder();
            int perLine = image.Width * image.Channels;
            for (int i = 0; i < image.Data.Length; i++) sb.Append(image.Data[i]).Append((i + 1) % perLine == 0 ? '\n' : ' ');
            ms.Write(Encoding.ASCII.GetBytes(sb.ToString()));
        }
        else
            foreach (var v in image.Data)
            {
                if (image.BitDepth == 16) ms.WriteByte((byte)(v >> 8));
                ms.WriteByte((byte)v);
            }
        return ms.ToArray();
    }

    private static long Number(Source src, ref int pos, string field)
    {
        var d = src.Data;
        while (true)
        {
            while (pos < d.Length && d[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f') pos++;
            if (pos < d.Length && d[pos] == '#') { while (pos < d.Length && d[pos] != '\n') pos++; continue; }
            break;
        }
        if (pos >= d.Length || d[pos] < '0' || d[pos] > '9') throw src.Fail($"{field}: expected a decimal number at byte {pos}");
        long v = 0;
        while (pos < d.Length && d[pos] >= '0' && d[pos] <= '9')
        {
            v = v * 10 + (d[pos++] - '0');
            if (v > int.MaxValue) throw src.Fail($"{field} is larger than {int.MaxValue}");
        }
        return v;
    }
}
