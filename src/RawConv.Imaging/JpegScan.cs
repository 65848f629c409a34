namespace RawConv.Imaging;

/// <summary>Entropy decoding of one scan (baseline, or one progressive pass) into the components' coefficients.</summary>
internal sealed class JpegScan(JpegFrame f, JpegComponent[] comps, int ss, int se, int ah, int al,
    JpegHuffman?[] dcTables, JpegHuffman?[] acTables)
{
    /// <summary>Zig-zag index → natural (row-major) index.</summary>
    public static readonly int[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private JpegBits bits = null!;

    /// <summary>Decodes the scan whose entropy data starts at <paramref name="start"/>; returns the position after it.</summary>
    public int Decode(int start)
    {
        bits = new JpegBits(f.Src, start);
        foreach (var c in comps) c.DcPred = 0;
        f.EobRun = 0;
        bool single = comps.Length == 1;
        long mcus = single ? (long)comps[0].BlocksW * comps[0].BlocksH : (long)f.McusX * f.McusY;
        int ri = f.RestartInterval;
        for (long m = 0; m < mcus; m++)
        {
            if (ri > 0 && m > 0 && m % ri == 0) Restart();
            if (single)
            {
                var c = comps[0];
                DecodeBlock(c, (int)(m / c.BlocksW), (int)(m % c.BlocksW));
            }
            else
            {
                int my = (int)(m / f.McusX), mx = (int)(m % f.McusX);
                foreach (var c in comps)
                    for (int v = 0; v < c.V; v++)
                        for (int h = 0; h < c.H; h++)
                            DecodeBlock(c, my * c.V + v, mx * c.H + h);
            }
            bits.CheckOverrun();
        }
        int marker = bits.NextMarker();
        if (marker < 0) throw f.Src.Fail("missing EOI marker after the last scan (truncated file)");
        return bits.Position;
    }

    private void Restart()
    {
        int marker = bits.NextMarker();
        if (marker is >= 0xD0 and <= 0xD7) bits.SkipMarker();
        else if (marker < 0) throw f.Src.Fail("restart marker expected, end of file found (truncated file)");
        foreach (var c in comps) c.DcPred = 0;
        f.EobRun = 0;
    }

    private void DecodeBlock(JpegComponent c, int by, int bx)
    {
        var coef = c.Coef.AsSpan((int)(((long)by * c.AllocW + bx) * 64), 64);
        if (!f.Progressive) Baseline(c, coef);
        else if (ss == 0) { if (ah == 0) DcFirst(c, coef); else if (bits.Bit() != 0) coef[0] |= (short)(1 << al); }
        else if (ah == 0) AcFirst(c, coef);
        else AcRefine(c, coef);
    }

    private void Baseline(JpegComponent c, Span<short> coef)
    {
        int t = dcTables[c.DcTable]!.Decode(bits);
        c.DcPred += bits.Extend(t);
        coef[0] = (short)c.DcPred;
        var table = acTables[c.AcTable]!;
        for (int k = 1; k < 64;)
        {
            int rs = table.Decode(bits), s = rs & 15, r = rs >> 4;
            if (s == 0)
            {
                if (r < 15) break;
                k += 16;
                continue;
            }
            k += r;
            int v = bits.Extend(s);
            if (k > 63) break;
            coef[ZigZag[k++]] = (short)v;
        }
    }

    private void DcFirst(JpegComponent c, Span<short> coef)
    {
        int t = dcTables[c.DcTable]!.Decode(bits);
        c.DcPred += bits.Extend(t);
        coef[0] = (short)(c.DcPred << al);
    }

    private void AcFirst(JpegComponent c, Span<short> coef)
    {
        if (f.EobRun > 0) { f.EobRun--; return; }
        var table = acTables[c.AcTable]!;
        for (int k = ss; k <= se;)
        {
            int rs = table.Decode(bits), s = rs & 15, r = rs >> 4;
            if (s == 0)
            {
                if (r < 15)
                {
                    f.EobRun = (1 << r) - 1 + bits.Bits(r);
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            int v = bits.Extend(s);
            if (k > 63) break;
            coef[ZigZag[k++]] = (short)(v * (1 << al));
        }
    }

    private void AcRefine(JpegComponent c, Span<short> coef)
    {
        int p1 = 1 << al, m1 = -1 << al;
        int k = ss;
        if (f.EobRun == 0)
        {
            var table = acTables[c.AcTable]!;
            for (; k <= se; k++)
            {
                int rs = table.Decode(bits), s = rs & 15, r = rs >> 4;
                if (s != 0) s = bits.Bit() != 0 ? p1 : m1;
                else if (r != 15)
                {
                    f.EobRun = (1 << r) + bits.Bits(r);
                    break;
                }
                while (k <= se)
                {
                    int z = ZigZag[k];
                    if (coef[z] != 0) Correct(coef, z, p1, m1);
                    else if (--r < 0) break;
                    k++;
                }
                if (s != 0 && k <= se) coef[ZigZag[k]] = (short)s;
            }
        }
        if (f.EobRun > 0)
        {
            for (; k <= se; k++)
            {
                int z = ZigZag[k];
                if (coef[z] != 0) Correct(coef, z, p1, m1);
            }
            f.EobRun--;
        }
    }

    private void Correct(Span<short> coef, int z, int p1, int m1)
    {
        if (bits.Bit() != 0 && (coef[z] & p1) == 0)
            coef[z] = (short)(coef[z] + (coef[z] >= 0 ? p1 : m1));
    }
}
