namespace RawConv.Imaging;

/// <summary>
/// Bilinear resizing with antialiasing when shrinking: a triangle filter whose support grows with the
/// downscale factor, applied separably (horizontal pass, then vertical), as Pillow ≥ 7's
/// <c>Image.resize(size, BILINEAR)</c> (libImaging/Resample.c) and PyTorch's <c>_upsample_bilinear2d_aa</c>
/// (torchvision <c>F.resize(..., antialias=True)</c>) do.
/// 8-bit images follow Pillow's fixed-point path bit for bit: weights computed in double, normalized, rounded to
/// 22-bit integers, each pass accumulated in 32-bit integers from a half-unit bias and truncated, clamped to 0–255.
/// The float path follows PyTorch: weights and sums in float32, no rounding (measured within 1.2e-7 of PyTorch 1.13 on
/// 0–1 data, tools/dump_preprocess.py).
/// </summary>
public static class Resize
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Each pixel repeated <paramref name="factor"/>×<paramref name="factor"/> times (for showing small maps and canvases).</summary>
    public static Image Nearest(Image img, int factor)
    {
        if (factor < 1 || (long)img.Width * img.Height * factor * factor > 1L << 28)
            throw new RawConvException($"resize: factor {factor} for a {img.Width}×{img.Height} image is out of range");
        if (factor == 1) return img;
        int w = img.Width * factor, h = img.Height * factor, c = img.Channels;
        var o = new Image(w, h, c, img.BitDepth);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                    o.Data[(y * w + x) * c + k] = img.Data[((y / factor) * img.Width + x / factor) * c + k];
        return o;
    }

    /// <summary>Resizes an image to <paramref name="width"/> × <paramref name="height"/>; every channel independently (alpha is not premultiplied).</summary>
    public static Image Bilinear(Image img, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new RawConvException($"resize: target size {width}×{height} must be positive (image {img})");
        if (width == img.Width && height == img.Height) return new Image(img.Width, img.Height, img.Channels, img.BitDepth, (ushort[])img.Data.Clone());
        if (img.BitDepth == 16)
        {
            var planes = ToPlanes(img);
            var r = Bilinear(planes, img.Channels, img.Height, img.Width, height, width);
            var o = new Image(width, height, img.Channels, 16);
            for (long p = 0; p < (long)width * height; p++)
                for (int c = 0; c < img.Channels; c++)
                    o.Data[p * img.Channels + c] = (ushort)Math.Clamp(MathF.Round(r[c * (long)width * height + p]), 0, 65535);
            return o;
        }
        int ch = img.Channels;
        var (xb, xk, xn) = Coefficients(img.Width, width);
        var (yb, yk, yn) = Coefficients(img.Height, height);
        var xi = Fixed(xk);
        var yi = Fixed(yk);
        // Pillow's horizontal pass covers only the source rows the vertical pass reads.
        int yFirst = yb[0], yLast = yb[2 * (height - 1)] + yb[2 * (height - 1) + 1];
        bool needH = width != img.Width, needV = height != img.Height;
        ushort[] src = img.Data;
        int rows = img.Height, rowOff = 0, cols = img.Width;
        if (needH)
        {
            rows = needV ? yLast - yFirst : img.Height;
            rowOff = needV ? yFirst : 0;
            var tmp = new ushort[(long)rows * width * ch];
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < width; x++)
                {
                    int xmin = xb[2 * x], n = xb[2 * x + 1];
                    for (int c = 0; c < ch; c++)
                    {
                        int ss = 1 << (PrecisionBits - 1);
                        long rowBase = (long)(y + rowOff) * img.Width;
                        for (int j = 0; j < n; j++) ss += src[(rowBase + xmin + j) * ch + c] * xi[x * xn + j];
                        tmp[((long)y * width + x) * ch + c] = Clip8(ss);
                    }
                }
            src = tmp;
            cols = width;
        }
        if (!needV) return new Image(width, height, ch, 8, src);
        int shift = needH ? yFirst : 0;
        var outData = new ushort[(long)width * height * ch];
        for (int y = 0; y < height; y++)
        {
            int ymin = yb[2 * y] - shift, n = yb[2 * y + 1];
            for (int x = 0; x < cols; x++)
                for (int c = 0; c < ch; c++)
                {
                    int ss = 1 << (PrecisionBits - 1);
                    for (int j = 0; j < n; j++) ss += src[((long)(ymin + j) * cols + x) * ch + c] * yi[y * yn + j];
                    outData[((long)y * cols + x) * ch + c] = Clip8(ss);
                }
        }
        return new Image(width, height, ch, 8, outData);
    }

    /// <summary>Resizes planar float data (C, H, W) to (C, outH, outW) in float32 with no rounding, as PyTorch's antialiased bilinear.</summary>
    public static float[] Bilinear(float[] planes, int channels, int h, int w, int outH, int outW)
    {
        if (channels <= 0 || h <= 0 || w <= 0 || outH <= 0 || outW <= 0 || planes.Length != (long)channels * h * w)
            throw new RawConvException($"resize: {planes.Length} values for ({channels}, {h}, {w}) → ({outH}, {outW})");
        var tmp = outW == w ? planes : Pass(planes, channels * h, w, outW, FloatCoefficients(w, outW));
        if (outH == h) return outW == w ? (float[])planes.Clone() : tmp;
        var res = new float[(long)channels * outH * outW];
        var (b, k, n) = FloatCoefficients(h, outH);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outH; y++)
            {
                int ymin = b[2 * y], cnt = b[2 * y + 1];
                for (int x = 0; x < outW; x++)
                {
                    long bse = (long)c * h * outW + x;
                    float t = 0;
                    for (int j = 0; j < cnt; j++) t += tmp[bse + (long)(ymin + j) * outW] * k[y * n + j];
                    res[((long)c * outH + y) * outW + x] = t;
                }
            }
        return res;
    }

    /// <summary>Resizes every plane of a float tensor (N, C, H, W) on the host; the result lives on the same backend.</summary>
    public static Tensor Bilinear(Tensor t, int outH, int outW)
    {
        if (t.Shape.Rank != 4) throw new RawConvException($"resize: tensor {t.Shape} is not (N, C, H, W)");
        var s = t.Shape;
        var r = Bilinear(t.ToArray(), s.N * s.C, s.H, s.W, outH, outW);
        return Tensor.FromArray(t.Backend, Shape.Nchw(s.N, s.C, outH, outW), r);
    }

    /// <summary>The size torchvision's <c>Resize(size)</c> gives: shorter side = <paramref name="shorter"/>, longer = ⌊shorter·long/short⌋.</summary>
    public static (int Width, int Height) ShorterSideSize(int width, int height, int shorter)
    {
        if (shorter <= 0) throw new RawConvException($"resize: shorter side {shorter} must be positive");
        int sh = Math.Min(width, height), lo = Math.Max(width, height);
        int newLong = (int)((double)shorter * lo / sh);
        return width <= height ? (shorter, newLong) : (newLong, shorter);
    }

    /// <summary>Resizes so the shorter side is <paramref name="shorter"/> pixels (torchvision's rule for the longer side).</summary>
    public static Image ShorterSide(Image img, int shorter)
    {
        var (w, h) = ShorterSideSize(img.Width, img.Height, shorter);
        return Bilinear(img, w, h);
    }

    /// <summary>Planar float copy (C, H, W) of an image's samples, unscaled.</summary>
    public static float[] ToPlanes(Image img)
    {
        long plane = (long)img.Width * img.Height;
        var f = new float[plane * img.Channels];
        for (long p = 0; p < plane; p++)
            for (int c = 0; c < img.Channels; c++) f[c * plane + p] = img.Data[p * img.Channels + c];
        return f;
    }

    private static float[] Pass(float[] src, int rows, int w, int outW, (int[] B, float[] K, int N) co)
    {
        var (b, k, n) = co;
        var dst = new float[(long)rows * outW];
        for (int r = 0; r < rows; r++)
            for (int x = 0; x < outW; x++)
            {
                int xmin = b[2 * x], cnt = b[2 * x + 1];
                long bse = (long)r * w + xmin;
                float t = 0;
                for (int j = 0; j < cnt; j++) t += src[bse + j] * k[x * n + j];
                dst[(long)r * outW + x] = t;
            }
        return dst;
    }

    private static ushort Clip8(int v) => v >= 1 << PrecisionBits << 8 ? (ushort)255 : v <= 0 ? (ushort)0 : (ushort)(v >> PrecisionBits);

    private static double Triangle(double x) { x = Math.Abs(x); return x < 1 ? 1 - x : 0; }

    /// <summary>Pillow's precompute_coeffs: bounds (xmin, count) per output pixel and normalized double weights, ksize per row.</summary>
    private static (int[] Bounds, double[] K, int KSize) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, filterscale = Math.Max(scale, 1.0);
        double support = 1.0 * filterscale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var kk = new double[(long)outSize * ksize];
        var bounds = new int[outSize * 2];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale, ww = 0, ss = 1.0 / filterscale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            for (int x = 0; x < xmax; x++)
            {
                double wt = Triangle((x + xmin - center + 0.5) * ss);
                kk[xx * ksize + x] = wt;
                ww += wt;
            }
            if (ww != 0)
                for (int x = 0; x < xmax; x++) kk[xx * ksize + x] /= ww;
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return (bounds, kk, ksize);
    }

    private static int[] Fixed(double[] k)
    {
        var r = new int[k.Length];
        for (int i = 0; i < k.Length; i++)
            r[i] = k[i] < 0 ? (int)(-0.5 + k[i] * (1 << PrecisionBits)) : (int)(0.5 + k[i] * (1 << PrecisionBits));
        return r;
    }

    /// <summary>PyTorch's _compute_weights_aa in float32.</summary>
    private static (int[] Bounds, float[] K, int KSize) FloatCoefficients(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        float support = scale >= 1f ? 1f * scale : 1f;
        float invscale = scale >= 1f ? 1f / scale : 1f;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var kk = new float[(long)outSize * ksize];
        var bounds = new int[outSize * 2];
        for (int i = 0; i < outSize; i++)
        {
            float center = scale * (i + 0.5f), total = 0;
            int xmin = Math.Max((int)(center - support + 0.5f), 0);
            int xsize = Math.Min((int)(center + support + 0.5f), inSize) - xmin;
            for (int j = 0; j < xsize; j++)
            {
                float a = Math.Abs((j + xmin - center + 0.5f) * invscale);
                float wt = a < 1f ? 1f - a : 0f;
                kk[i * ksize + j] = wt;
                total += wt;
            }
            if (total != 0)
                for (int j = 0; j < xsize; j++) kk[i * ksize + j] /= total;
            bounds[2 * i] = xmin;
            bounds[2 * i + 1] = xsize;
        }
        return (bounds, kk, ksize);
    }
}
