namespace RawConv.Imaging;

/// <summary>A JPEG Huffman table (DHT) with a 9-bit lookahead table and the canonical slow path.</summary>
internal sealed class JpegHuffman
{
    private const int LookBits = 9;
    private readonly int[] maxCode = new int[18];
    private readonly int[] valOffset = new int[18];
    private readonly byte[] values;
    private readonly ushort[] look = new ushort[1 << LookBits]; // (length << 8) | symbol; 0 = longer code

    /// <summary>Builds the table from the 16 code-length counts and the symbols; throws on an impossible table.</summary>
    public JpegHuffman(Source src, ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols, bool isDc)
    {
        values = symbols.ToArray();
        if (isDc)
            foreach (var s in values)
                if (s > 15) throw src.Fail($"DHT: DC symbol {s} exceeds 15");
        int code = 0, k = 0;
        for (int len = 1; len <= 16; len++)
        {
            int n = counts[len - 1];
            valOffset[len] = k - code;
            for (int i = 0; i < n; i++, k++, code++)
            {
                if (len <= LookBits)
                {
                    int shift = LookBits - len;
                    for (int j = 0; j < 1 << shift; j++) look[(code << shift) | j] = (ushort)(len << 8 | values[k]);
                }
            }
            maxCode[len] = n > 0 ? code - 1 : -1;
            if (code > 1 << len) throw src.Fail($"DHT: code lengths overflow at length {len}");
            code <<= 1;
        }
        maxCode[17] = int.MaxValue;
    }

    /// <summary>Decodes one symbol.</summary>
    public int Decode(JpegBits bits)
    {
        int peek = bits.Peek(LookBits);
        int e = look[peek];
        if (e != 0) { bits.Skip(e >> 8); return e & 0xFF; }
        int code = bits.Peek(16);
        for (int len = LookBits + 1; len <= 16; len++)
        {
            int c = code >> (16 - len);
            if (c <= maxCode[len])
            {
                bits.Skip(len);
                int idx = valOffset[len] + c;
                if ((uint)idx >= (uint)values.Length) break;
                return values[idx];
            }
        }
        throw bits.Src.Fail($"bad Huffman code in scan data near byte {bits.Position}");
    }
}

/// <summary>Entropy-coded segment reader: removes byte stuffing, stops at markers and then feeds zero bits.</summary>
internal sealed class JpegBits(Source src, int start)
{
    public readonly Source Src = src;
    private readonly byte[] d = src.Data;
    private int pos = start;
    private ulong buf;
    private int count;
    private int fakeBits; // zero bits fed after a marker or the end of the file

    /// <summary>Byte position of the reader in the file.</summary>
    public int Position => pos;

    private void Fill()
    {
        while (count <= 56)
        {
            int b = 0;
            if (pos < d.Length && !(d[pos] == 0xFF && (pos + 1 >= d.Length || d[pos + 1] != 0)))
            {
                b = d[pos++];
                if (b == 0xFF) pos++;
            }
            else fakeBits += 8;
            buf |= (ulong)b << (56 - count);
            count += 8;
        }
    }

    public int Peek(int n)
    {
        if (count < n) Fill();
        return (int)(buf >> (64 - n));
    }

    public void Skip(int n) { buf <<= n; count -= n; }

    public int Bits(int n)
    {
        if (n == 0) return 0;
        int v = Peek(n);
        Skip(n);
        return v;
    }

    public int Bit() => Bits(1);

    /// <summary>Reads n bits and sign-extends them as JPEG's EXTEND does.</summary>
    public int Extend(int n)
    {
        if (n == 0) return 0;
        int v = Bits(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    /// <summary>Throws if more bits were consumed than the segment held (truncated or corrupt data).</summary>
    public void CheckOverrun()
    {
        if (fakeBits - count > 0) throw Src.Fail($"scan data ends early near byte {pos} (truncated or corrupt)");
    }

    /// <summary>Drops buffered bits and skips to the next marker; returns its code, or -1 at the end of the file.</summary>
    public int NextMarker()
    {
        buf = 0; count = 0; fakeBits = 0;
        while (pos + 1 < d.Length)
        {
            if (d[pos] == 0xFF && d[pos + 1] != 0 && d[pos + 1] != 0xFF) return d[pos + 1];
            pos++;
        }
        return -1;
    }

    /// <summary>Moves past a marker found by <see cref="NextMarker"/>.</summary>
    public void SkipMarker() => pos += 2;
}
