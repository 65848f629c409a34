namespace RawConv.Imaging;

/// <summary>
/// JPEG decoder (baseline and progressive Huffman, any sampling factors, restart markers, EXIF orientation,
/// Adobe APP14). Reconstruction follows libjpeg-turbo: the islow integer IDCT, fancy (triangular)
/// upsampling for h2v1, h1v2 and h2v2, and its fixed-point YCbCr→RGB tables.
/// </summary>
public static class Jpeg
{
    /// <summary>Decodes a JPEG file.</summary>
    public static Image Decode(string path, DecodeLimits? limits = null, bool applyOrientation = true) =>
        Decode(ImageIO.ReadFile(path), path, limits, applyOrientation);

    /// <summary>Decodes JPEG bytes; <paramref name="name"/> appears in error messages.</summary>
    public static Image Decode(byte[] data, string name = "<memory>", DecodeLimits? limits = null, bool applyOrientation = true)
    {
        var src = new Source(data, name, "JPEG");
        var j = new JpegFrame(src, limits ?? DecodeLimits.Default);
        j.Parse();
        var img = JpegOutput.Render(j);
        return applyOrientation ? Orientation.Apply(img, j.Orientation) : img;
    }
}

/// <summary>One frame component (SOF) and its coefficients.</summary>
internal sealed class JpegComponent
{
    public int Id, H, V, Tq;
    public int BlocksW, BlocksH;        // blocks holding real data (non-interleaved scans)
    public int AllocW, AllocH;          // blocks allocated (MCU-padded)
    public int Width, Height;           // downsampled size in samples
    public short[] Coef = [];
    public ushort[]? Quant;             // latched at the component's first scan, as libjpeg does
    public int DcTable, AcTable, DcPred;
}

/// <summary>Marker parsing and frame state.</summary>
internal sealed partial class JpegFrame(Source src, DecodeLimits limits)
{
    public readonly Source Src = src;
    public int Width, Height, HMax, VMax, McusX, McusY, RestartInterval;
    public bool Progressive, SawJfif, SawAdobe;
    public int AdobeTransform, Orientation = 1;
    public JpegComponent[] Comps = [];
    public readonly ushort[][] Quant = new ushort[4][];
    private readonly JpegHuffman?[] dc = new JpegHuffman?[4], ac = new JpegHuffman?[4];
    public int EobRun;
    private int scans;

    /// <summary>More scans than any encoder writes; each scan walks every block, so this bounds the work.</summary>
    private const int MaxScans = 500;

    public void Parse()
    {
        var d = Src.Data;
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) throw Src.Fail("missing SOI marker (not a JPEG file)");
        int pos = 2;
        bool frame = false;
        while (true)
        {
            while (pos < d.Length && d[pos] != 0xFF) pos++;
            while (pos < d.Length && d[pos] == 0xFF) pos++;
            if (pos >= d.Length) throw Src.Fail("missing EOI marker (truncated file)");
            int marker = d[pos++];
            if (marker == 0xD9) break;
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue;
            int len = Src.U16Be(pos);
            if (len < 2 || pos + len > d.Length) throw Src.Fail($"segment 0x{marker:X2} length {len} at byte {pos} runs past the end of the file ({d.Length} bytes)");
            int seg = pos + 2, end = pos + len;
            pos = end;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (frame) throw Src.Fail("second SOF marker");
                    Progressive = marker == 0xC2;
                    ReadFrame(seg, end);
                    frame = true;
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                    throw Src.Fail($"SOF 0x{marker:X2} (lossless, hierarchical or arithmetic coding) is not supported");
                case 0xC4: ReadHuffman(seg, end); break;
                case 0xDB: ReadQuant(seg, end); break;
                case 0xDD:
                    if (len != 4) throw Src.Fail($"DRI length {len} (expected 4)");
                    RestartInterval = Src.U16Be(seg);
                    break;
                case 0xDA:
                    if (!frame) throw Src.Fail("SOS before SOF");
                    pos = ReadScan(seg, end);
                    break;
                case 0xE0:
                    if (end - seg >= 5 && d[seg] == 'J' && d[seg + 1] == 'F' && d[seg + 2] == 'I' && d[seg + 3] == 'F' && d[seg + 4] == 0) SawJfif = true;
                    break;
                case 0xE1: ReadExif(seg, end); break;
                case 0xEE:
                    if (end - seg >= 12 && d[seg] == 'A' && d[seg + 1] == 'd' && d[seg + 2] == 'o' && d[seg + 3] == 'b' && d[seg + 4] == 'e')
                    {
                        SawAdobe = true;
                        AdobeTransform = d[seg + 11];
                    }
                    break;
                case 0xDC: throw Src.Fail("DNL marker (height defined after the scan) is not supported");
            }
        }
        if (!frame) throw Src.Fail("no SOF marker before EOI");
    }

    private void ReadFrame(int p, int end)
    {
        if (end - p < 6) throw Src.Fail("SOF segment too short");
        int precision = Src.Data[p];
        if (precision != 8) throw Src.Fail($"SOF sample precision {precision} (only 8 is supported)");
        Height = Src.U16Be(p + 1);
        Width = Src.U16Be(p + 3);
        int n = Src.Data[p + 5];
        if (n is not (1 or 3 or 4)) throw Src.Fail($"SOF component count {n} (expected 1, 3 or 4)");
        if (end - p < 6 + 3 * n) throw Src.Fail($"SOF segment too short for {n} components");
        Src.CheckSize(Width, Height, n, limits, "SOF width×height");
        Comps = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            int q = p + 6 + 3 * i;
            var c = new JpegComponent { Id = Src.Data[q], H = Src.Data[q + 1] >> 4, V = Src.Data[q + 1] & 15, Tq = Src.Data[q + 2] };
            if (c.H is < 1 or > 4 || c.V is < 1 or > 4) throw Src.Fail($"SOF component {c.Id} sampling factors {c.H}×{c.V} (expected 1 to 4)");
            if (c.Tq > 3) throw Src.Fail($"SOF component {c.Id} quantization table {c.Tq} (expected 0 to 3)");
            Comps[i] = c;
        }
        HMax = Comps.Max(c => c.H);
        VMax = Comps.Max(c => c.V);
        McusX = (Width + 8 * HMax - 1) / (8 * HMax);
        McusY = (Height + 8 * VMax - 1) / (8 * VMax);
        long total = 0, blocks = 0;
        foreach (var c in Comps)
        {
            c.Width = (int)(((long)Width * c.H + HMax - 1) / HMax);
            c.Height = (int)(((long)Height * c.V + VMax - 1) / VMax);
            c.BlocksW = (c.Width + 7) / 8;
            c.BlocksH = (c.Height + 7) / 8;
            c.AllocW = Math.Max(McusX * c.H, c.BlocksW);
            c.AllocH = Math.Max(McusY * c.V, c.BlocksH);
            total += (long)c.AllocW * c.AllocH * 64;
            blocks += (long)c.BlocksW * c.BlocksH;
        }
        // Every block's DC coefficient costs at least one bit, so the rest of the file bounds the block count.
        long left = Src.Data.Length - end;
        if (blocks > left * 8)
            throw Src.Fail($"SOF {Width}×{Height} has {blocks} blocks, which need at least {(blocks + 7) / 8} bytes of scan data; {left} bytes are left");
        if (total > Array.MaxLength) throw Src.Fail($"SOF {Width}×{Height}: coefficient storage exceeds the array limit");
        foreach (var c in Comps) c.Coef = new short[(long)c.AllocW * c.AllocH * 64];
    }

    private void ReadQuant(int p, int end)
    {
        while (p < end)
        {
            int pq = Src.Data[p] >> 4, tq = Src.Data[p] & 15;
            p++;
            if (tq > 3 || pq > 1) throw Src.Fail($"DQT table {tq} precision {pq} invalid");
            if (p + (pq == 0 ? 64 : 128) > end) throw Src.Fail($"DQT table {tq} runs past its segment");
            var t = new ushort[64];
            for (int k = 0; k < 64; k++)
            {
                t[JpegScan.ZigZag[k]] = (ushort)(pq == 0 ? Src.Data[p] : Src.U16Be(p));
                p += pq == 0 ? 1 : 2;
            }
            Quant[tq] = t;
        }
    }

    private void ReadHuffman(int p, int end)
    {
        while (p < end)
        {
            if (p + 17 > end) throw Src.Fail("DHT segment too short");
            int tc = Src.Data[p] >> 4, th = Src.Data[p] & 15;
            if (tc > 1 || th > 3) throw Src.Fail($"DHT class {tc} table {th} invalid");
            var counts = Src.Data.AsSpan(p + 1, 16);
            int total = 0;
            foreach (var c in counts) total += c;
            if (total > 256) throw Src.Fail($"DHT table {th} declares {total} codes (at most 256)");
            if (p + 17 + total > end) throw Src.Fail($"DHT table {th} with {total} codes runs past its segment");
            var table = new JpegHuffman(Src, counts, Src.Data.AsSpan(p + 17, total), tc == 0);
            if (tc == 0) dc[th] = table; else ac[th] = table;
            p += 17 + total;
        }
    }

    private void ReadExif(int p, int end)
    {
        var d = Src.Data;
        if (end - p < 14 || d[p] != 'E' || d[p + 1] != 'x' || d[p + 2] != 'i' || d[p + 3] != 'f') return;
        int t = p + 6; // TIFF header
        bool le = d[t] == 'I';
        int U16(int q) => q + 2 > end ? -1 : le ? d[q] | d[q + 1] << 8 : d[q] << 8 | d[q + 1];
        long U32(int q) => q + 4 > end ? -1 : le ? (uint)(d[q] | d[q + 1] << 8 | d[q + 2] << 16 | d[q + 3] << 24) : Src.U32Be(q);
        long ifd = U32(t + 4);
        if (ifd < 8 || t + ifd + 2 > end) return;
        int n = U16(t + (int)ifd);
        for (int i = 0; i < n; i++)
        {
            int e = t + (int)ifd + 2 + 12 * i;
            if (e + 12 > end) return;
            if (U16(e) == 0x0112 && U16(e + 2) == 3)
            {
                int v = U16(e + 8);
                if (v is >= 1 and <= 8) Orientation = v;
                return;
            }
        }
    }

    private int ReadScan(int p, int end)
    {
        int n = Src.Data[p];
        if (n < 1 || n > 4 || end - p != 4 + 2 * n) throw Src.Fail($"SOS with {n} components and length {end - p + 2} is inconsistent");
        var scomps = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            int id = Src.Data[p + 1 + 2 * i], tables = Src.Data[p + 2 + 2 * i];
            var c = Array.Find(Comps, x => x.Id == id) ?? throw Src.Fail($"SOS names component {id}, not in the frame");
            if (Array.IndexOf(scomps, c) >= 0) throw Src.Fail($"SOS names component {id} twice");
            c.DcTable = tables >> 4;
            c.AcTable = tables & 15;
            if (c.DcTable > 3 || c.AcTable > 3) throw Src.Fail($"SOS component {id} table numbers {c.DcTable}/{c.AcTable} invalid");
            scomps[i] = c;
        }
        int q = p + 1 + 2 * n;
        int ss = Src.Data[q], se = Src.Data[q + 1], ah = Src.Data[q + 2] >> 4, al = Src.Data[q + 2] & 15;
        if (Progressive)
        {
            if (ss > 63 || se > 63 || ss > se || (ss == 0 && se != 0) || (ss > 0 && n != 1) || ah > 13 || al > 13)
                throw Src.Fail($"progressive SOS spectral selection {ss}..{se}, approximation {ah}/{al} invalid");
        }
        else if (ss != 0 || se != 63 || ah != 0 || al != 0)
            throw Src.Fail($"baseline SOS spectral selection {ss}..{se}, approximation {ah}/{al} invalid");
        if (n > 1 && scomps.Sum(c => c.H * c.V) > 10) throw Src.Fail("SOS: more than 10 blocks per MCU");
        foreach (var c in scomps)
        {
            if (Quant[c.Tq] == null) throw Src.Fail($"component {c.Id} uses quantization table {c.Tq}, never defined");
            c.Quant ??= Quant[c.Tq];
            if (ss == 0 && ah == 0 && dc[c.DcTable] == null) throw Src.Fail($"component {c.Id} uses DC Huffman table {c.DcTable}, never defined");
            if (se > 0 && ac[c.AcTable] == null) throw Src.Fail($"component {c.Id} uses AC Huffman table {c.AcTable}, never defined");
        }
        if (++scans > MaxScans) throw Src.Fail($"more than {MaxScans} scans (corrupt or hostile file)");
        var scan = new JpegScan(this, scomps, ss, se, ah, al, dc, ac);
        return scan.Decode(end);
    }
}
