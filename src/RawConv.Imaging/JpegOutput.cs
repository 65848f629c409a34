namespace RawConv.Imaging;

/// <summary>Coefficients → pixels, exactly as libjpeg-turbo does it (islow IDCT, fancy upsampling, YCbCr tables).</summary>
internal static class JpegOutput
{
    private static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

    static JpegOutput()
    {
        const int half = 1 << 15;
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrR[i] = (Fix(1.40200) * x + half) >> 16;
            CbB[i] = (Fix(1.77200) * x + half) >> 16;
            CrG[i] = -Fix(0.71414) * x;
            CbG[i] = -Fix(0.34414) * x + half;
        }
    }

    private static int Fix(double x) => (int)(x * 65536 + 0.5);

    public static Image Render(JpegFrame f)
    {
        int w = f.Width, h = f.Height;
        var planes = new byte[f.Comps.Length][];
        for (int i = 0; i < f.Comps.Length; i++)
        {
            var c = f.Comps[i];
            var q = c.Quant ?? f.Quant[c.Tq] ?? throw f.Src.Fail($"component {c.Id} uses quantization table {c.Tq}, never defined");
            int stride = c.AllocW * 8;
            var plane = new byte[(long)stride * c.AllocH * 8];
            for (int by = 0; by < c.AllocH; by++)
                for (int bx = 0; bx < c.AllocW; bx++)
                    JpegIdct.Islow(c.Coef.AsSpan((int)(((long)by * c.AllocW + bx) * 64), 64), q, plane, (by * 8) * stride + bx * 8, stride);
            c.Coef = [];
            planes[i] = Upsample(c, plane, stride, f.HMax, f.VMax, w, h);
        }
        return Convert(f, planes, w, h);
    }

    /// <summary>Brings a component plane to full size (w × h, stride w) the way libjpeg-turbo's jdsample.c does.</summary>
    private static byte[] Upsample(JpegComponent c, byte[] p, int stride, int hmax, int vmax, int w, int h)
    {
        int cw = c.Width, ch = c.Height;
        var o = new byte[(long)w * h];
        int Row(int y) => Math.Clamp(y, 0, ch - 1) * stride;
        bool hInt = hmax % c.H == 0, vInt = vmax % c.V == 0;
        int hr = hInt ? hmax / c.H : 0, vr = vInt ? vmax / c.V : 0;
        if (hr == 1 && vr == 1)
        {
            for (int y = 0; y < h; y++) Array.Copy(p, (long)y * stride, o, (long)y * w, w);
        }
        else if (hr == 2 && vr == 1 && cw > 2)
        {
            var line = new byte[cw * 2];
            for (int y = 0; y < h; y++)
            {
                int r = Row(y);
                line[0] = p[r];
                line[1] = (byte)((p[r] * 3 + p[r + 1] + 2) >> 2);
                for (int x = 1; x < cw - 1; x++)
                {
                    int v = p[r + x] * 3;
                    line[2 * x] = (byte)((v + p[r + x - 1] + 1) >> 2);
                    line[2 * x + 1] = (byte)((v + p[r + x + 1] + 2) >> 2);
                }
                int l = p[r + cw - 1];
                line[2 * cw - 2] = (byte)((l * 3 + p[r + cw - 2] + 1) >> 2);
                line[2 * cw - 1] = (byte)l;
                Array.Copy(line, 0, o, (long)y * w, w);
            }
        }
        else if (hr == 1 && vr == 2)
        {
            for (int y = 0; y < h; y++)
            {
                int r0 = Row(y >> 1), r1 = Row((y & 1) == 0 ? (y >> 1) - 1 : (y >> 1) + 1), bias = (y & 1) == 0 ? 1 : 2;
                for (int x = 0; x < w; x++) o[(long)y * w + x] = (byte)((p[r0 + x] * 3 + p[r1 + x] + bias) >> 2);
            }
        }
        else if (hr == 2 && vr == 2 && cw > 2)
        {
            var line = new byte[cw * 2];
            for (int y = 0; y < h; y++)
            {
                int r0 = Row(y >> 1), r1 = Row((y & 1) == 0 ? (y >> 1) - 1 : (y >> 1) + 1);
                int Col(int x) => p[r0 + x] * 3 + p[r1 + x];
                int last, cur = Col(0), next = Col(1);
                line[0] = (byte)((cur * 4 + 8) >> 4);
                line[1] = (byte)((cur * 3 + next + 7) >> 4);
                last = cur; cur = next;
                for (int x = 1; x < cw - 1; x++)
                {
                    next = Col(x + 1);
                    line[2 * x] = (byte)((cur * 3 + last + 8) >> 4);
                    line[2 * x + 1] = (byte)((cur * 3 + next + 7) >> 4);
                    last = cur; cur = next;
                }
                line[2 * cw - 2] = (byte)((cur * 3 + last + 8) >> 4);
                line[2 * cw - 1] = (byte)((cur * 4 + 7) >> 4);
                Array.Copy(line, 0, o, (long)y * w, w);
            }
        }
        else
        {
            // Plain replication (libjpeg's int_upsample); non-integer ratios, which libjpeg rejects, sample nearest.
            for (int y = 0; y < h; y++)
            {
                int sy = (int)((long)y * c.V / vmax);
                for (int x = 0; x < w; x++) o[(long)y * w + x] = p[sy * stride + (int)((long)x * c.H / hmax)];
            }
        }
        return o;
    }

    /// <summary>a·b/255 rounded as Pillow's MULDIV255 does.</summary>
    private static int MulDiv255(int a, int b)
    {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static Image Convert(JpegFrame f, byte[][] pl, int w, int h)
    {
        long n = (long)w * h;
        if (pl.Length == 1)
        {
            var g = new Image(w, h, 1);
            for (long i = 0; i < n; i++) g.Data[i] = pl[0][i];
            return g;
        }
        var img = new Image(w, h, 3);
        var d = img.Data;
        bool ycc = pl.Length == 3
            ? (f.SawAdobe ? f.AdobeTransform != 0 : f.SawJfif || !(f.Comps[0].Id == 'R' && f.Comps[1].Id == 'G' && f.Comps[2].Id == 'B'))
            : f.SawAdobe && f.AdobeTransform == 2;
        for (long i = 0; i < n; i++)
        {
            int a = pl[0][i], b = pl[1][i], c = pl[2][i], r, g, bl;
            if (ycc)
            {
                r = a + CrR[c];
                g = a + ((CbG[b] + CrG[c]) >> 16);
                bl = a + CbB[b];
                r = Math.Clamp(r, 0, 255); g = Math.Clamp(g, 0, 255); bl = Math.Clamp(bl, 0, 255);
            }
            else { r = a; g = b; bl = c; }
            if (pl.Length == 4)
            {
                // Adobe CMYK/YCCK is stored inverted; Pillow's cmyk2rgb on the true values is R = (255−K) − (C·(255−K))/255.
                int k = pl[3][i];
                r = k - MulDiv255(255 - r, k); g = k - MulDiv255(255 - g, k); bl = k - MulDiv255(255 - bl, k);
            }
            d[3 * i] = (ushort)r; d[3 * i + 1] = (ushort)g; d[3 * i + 2] = (ushort)bl;
        }
        return img;
    }
}

/// <summary>libjpeg's jpeg_idct_islow: 13-bit fixed-point separable IDCT with PASS1_BITS = 2.</summary>
internal static class JpegIdct
{
    private const int ConstBits = 13, Pass1Bits = 2;

    public static void Islow(ReadOnlySpan<short> c, ushort[] q, byte[] o, int off, int stride)
    {
        Span<int> ws = stackalloc int[64];
        Span<long> v = stackalloc long[8];
        for (int col = 0; col < 8; col++)
        {
            if (c[8 + col] == 0 && c[16 + col] == 0 && c[24 + col] == 0 && c[32 + col] == 0 &&
                c[40 + col] == 0 && c[48 + col] == 0 && c[56 + col] == 0)
            {
                int dc = c[col] * q[col] << Pass1Bits;
                for (int r = 0; r < 8; r++) ws[r * 8 + col] = dc;
                continue;
            }
            for (int r = 0; r < 8; r++) v[r] = c[r * 8 + col] * q[r * 8 + col];
            Butterfly(v, ConstBits - Pass1Bits);
            for (int r = 0; r < 8; r++) ws[r * 8 + col] = (int)v[r];
        }
        Span<long> u = stackalloc long[8];
        for (int row = 0; row < 8; row++)
        {
            var w = ws.Slice(row * 8, 8);
            int dst = off + row * stride;
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                byte dc = Limit((int)((w[0] + (1L << (Pass1Bits + 2))) >> (Pass1Bits + 3)));
                for (int x = 0; x < 8; x++) o[dst + x] = dc;
                continue;
            }
            for (int x = 0; x < 8; x++) u[x] = w[x];
            Butterfly(u, ConstBits + Pass1Bits + 3);
            for (int x = 0; x < 8; x++) o[dst + x] = Limit((int)u[x]);
        }
    }

    /// <summary>libjpeg's range_limit[x &amp; RANGE_MASK] after the IDCT: 10-bit wrap, then +128 and clamp.</summary>
    private static byte Limit(int x)
    {
        int v = ((x & 1023) ^ 512) - 512 + 128;
        return (byte)Math.Clamp(v, 0, 255);
    }

    /// <summary>One 8-point islow pass in place; the results are descaled by <paramref name="shift"/> bits.</summary>
    private static void Butterfly(Span<long> x, int shift)
    {
        long z2 = x[2], z3 = x[6];
        long z1 = (z2 + z3) * 4433;
        long tmp2 = z1 + z3 * -15137, tmp3 = z1 + z2 * 6270;
        long tmp0 = (x[0] + x[4]) << ConstBits, tmp1 = (x[0] - x[4]) << ConstBits;
        long tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        tmp0 = x[7]; tmp1 = x[5]; tmp2 = x[3]; tmp3 = x[1];
        z1 = tmp0 + tmp3; z2 = tmp1 + tmp2; z3 = tmp0 + tmp2;
        long z4 = tmp1 + tmp3, z5 = (z3 + z4) * 9633;
        tmp0 *= 2446; tmp1 *= 16819; tmp2 *= 25172; tmp3 *= 12299;
        z1 *= -7373; z2 *= -20995; z3 *= -16069; z4 *= -3196;
        z3 += z5; z4 += z5;
        tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
        long round = 1L << (shift - 1);
        x[0] = (tmp10 + tmp3 + round) >> shift; x[7] = (tmp10 - tmp3 + round) >> shift;
        x[1] = (tmp11 + tmp2 + round) >> shift; x[6] = (tmp11 - tmp2 + round) >> shift;
        x[2] = (tmp12 + tmp1 + round) >> shift; x[5] = (tmp12 - tmp1 + round) >> shift;
        x[3] = (tmp13 + tmp0 + round) >> shift; x[4] = (tmp13 - tmp0 + round) >> shift;
    }
}
