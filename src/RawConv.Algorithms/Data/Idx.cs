using System.IO.Compression;

namespace RawConv.Algorithms.Data;

/// <summary>One IDX array (LeCun's MNIST format): dimensions and unsigned bytes, row-major.</summary>
public sealed record IdxArray(int[] Dims, byte[] Data)
{
    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dims[0];
    /// <summary>Bytes per item (the product of the remaining dimensions).</summary>
    public int ItemSize => Dims.Length == 1 ? 1 : Data.Length / Math.Max(Dims[0], 1);
}

/// <summary>
/// Reads IDX files of unsigned bytes: magic 0x00000801 (1-D, labels) or 0x00000803 (3-D, images),
/// big-endian int32 dimensions, then the data. Gzip-compressed files (".gz" or a 1f 8b header) are
/// inflated first. Every size is checked against the bytes present before anything is allocated.
/// </summary>
public static class Idx
{
    /// <summary>Largest decompressed file accepted (1 GiB).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>Reads and validates the IDX file at <paramref name="path"/>.</summary>
    public static IdxArray Read(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (IOException e) { throw new RawConvException($"{path}: cannot read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new RawConvException($"{path}: cannot read: {e.Message}", e); }
        return Parse(raw, path);
    }

    /// <summary>Parses IDX bytes (gzip or raw); <paramref name="name"/> appears in error messages.</summary>
    public static IdxArray Parse(byte[] bytes, string name = "<memory>")
    {
        var d = bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b ? Inflate(bytes, name) : bytes;
        if (d.Length < 4) throw Fail(name, $"{d.Length} bytes is too short for an IDX header");
        if (d[0] != 0 || d[1] != 0)
            throw Fail(name, $"bad magic {d[0]:x2} {d[1]:x2} {d[2]:x2} {d[3]:x2}; expected 00 00 08 01 or 00 00 08 03");
        if (d[2] != 0x08) throw Fail(name, $"element type 0x{d[2]:x2} is not supported (only 0x08, unsigned byte)");
        int rank = d[3];
        if (rank is not (1 or 3)) throw Fail(name, $"rank {rank} is not supported (1 for labels, 3 for images)");
        long header = 4 + 4L * rank;
        if (d.Length < header) throw Fail(name, $"truncated header: {d.Length} bytes, need {header} for rank {rank}");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int p = 4 + 4 * i;
            long v = (long)d[p] << 24 | (long)d[p + 1] << 16 | (long)d[p + 2] << 8 | d[p + 3];
            if (v <= 0 || v > int.MaxValue) throw Fail(name, $"dimension {i} is {v}");
            dims[i] = (int)v;
            count *= v;
            if (count > MaxBytes) throw Fail(name, $"dimensions {string.Join("×", dims.Take(i + 1))} exceed {MaxBytes} bytes");
        }
        if (d.Length - header != count)
            throw Fail(name, $"dimensions {string.Join("×", dims)} need {count} data bytes, the file has {d.Length - header}");
        var data = new byte[count];
        Array.Copy(d, header, data, 0, count);
        return new IdxArray(dims, data);
    }

    private static byte[] Inflate(byte[] gz, string name)
    {
        try
        {
            using var z = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
            using var o = new MemoryStream();
            var buf = new byte[1 << 16];
            int r;
            while ((r = z.Read(buf, 0, buf.Length)) > 0)
            {
                o.Write(buf, 0, r);
                if (o.Length > MaxBytes + 64) throw Fail(name, $"inflates past {MaxBytes} bytes");
            }
            var outBytes = o.ToArray();
            CheckTrailer(gz, outBytes, name);
            return outBytes;
        }
        catch (InvalidDataException e) { throw new RawConvException($"{name}: corrupt gzip data: {e.Message}", e); }
        catch (EndOfStreamException e) { throw new RawConvException($"{name}: truncated gzip data: {e.Message}", e); }
    }

    // GZipStream checks neither the CRC nor the length in the trailer; a flipped bit in a stored
    // literal would otherwise decode silently. Single-member gzip (what gzip(1) writes) is assumed.
    private static void CheckTrailer(byte[] gz, byte[] data, string name)
    {
        if (gz.Length < 18) throw Fail(name, "gzip stream too short for its trailer");
        uint crc = BitConverter.ToUInt32(gz, gz.Length - 8), size = BitConverter.ToUInt32(gz, gz.Length - 4);
        if (size != (uint)data.Length) throw Fail(name, $"gzip trailer says {size} bytes, inflated {data.Length} (truncated or corrupt)");
        if (crc != Crc32(data)) throw Fail(name, "gzip CRC-32 mismatch (corrupt file)");
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static RawConvException Fail(string name, string what) => new($"{name}: IDX: {what}");
}
