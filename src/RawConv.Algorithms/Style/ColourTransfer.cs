using RawConv.Imaging;

namespace RawConv.Algorithms.Style;

/// <summary>How style transfer treats colour (Gatys, Bethge, Hertzmann &amp; Shechtman 2016, "Preserving colour in neural artistic style transfer").</summary>
public enum PreserveColour
{
    /// <summary>Colour is transferred with the style.</summary>
    None,
    /// <summary>Luminance-only transfer: the network sees luminance (YIQ's Y, replicated to its channels); the content's I and Q are put back after.</summary>
    Luminance,
    /// <summary>Colour histogram matching: the style's pixels are moved to the content's colour mean and covariance before the transfer.</summary>
    Histogram,
}

/// <summary>
/// The colour transforms of colour-preserving style transfer, on planar RGB pixels (3, H, W) in 0–255 (floats, not
/// clamped): NTSC YIQ and its exact inverse, luminance matching (y − μ_s)·σ_c/σ_s + μ_c, colour matching
/// x' = A(x − μ_s) + μ_c with A = L_c·L_s⁻¹ (Cholesky factors of the content's and style's colour covariances, so A
/// maps the style's covariance exactly onto the content's), and the way between pixels and a network's input.
/// </summary>
public static class ColourTransfer
{
    /// <summary>RGB → YIQ (NTSC 1953; Y is ITU-R 601 luma).</summary>
    public static readonly double[,] ToYiqMatrix =
    {
        { 0.299, 0.587, 0.114 },
        { 0.595716, -0.274453, -0.321263 },
        { 0.211456, -0.522591, 0.311135 },
    };

    private static readonly double[,] FromYiqMatrix = Invert(ToYiqMatrix);

    /// <summary>Planar RGB (3, H, W) as planar YIQ.</summary>
    public static float[] ToYiq(float[] rgb) => Apply(ToYiqMatrix, rgb);

    /// <summary>Planar YIQ (3, H, W) as planar RGB (the exact inverse of <see cref="ToYiq"/>).</summary>
    public static float[] FromYiq(float[] yiq) => Apply(FromYiqMatrix, yiq);

    /// <summary>The Y plane of planar RGB.</summary>
    public static float[] Luminance(float[] rgb) => ToYiq(rgb).AsSpan(0, rgb.Length / 3).ToArray();

    /// <summary><paramref name="style"/> shifted and scaled to <paramref name="content"/>'s mean and standard deviation: (y − μ_s)·σ_c/σ_s + μ_c.</summary>
    public static float[] MatchLuminance(float[] style, float[] content)
    {
        var (ms, ss) = MeanStd(style);
        var (mc, sc) = MeanStd(content);
        double k = ss > 0 ? sc / ss : 0;
        return style.Select(v => (float)((v - ms) * k + mc)).ToArray();
    }

    /// <summary>
    /// <paramref name="style"/> (planar RGB) with the colour mean and covariance of <paramref name="content"/>:
    /// x' = L_c·L_s⁻¹(x − μ_s) + μ_c. A tiny ridge keeps a grey style's singular covariance factorable.
    /// </summary>
    public static float[] MatchColour(float[] style, float[] content)
    {
        var (ms, cs) = Moments(style);
        var (mc, cc) = Moments(content);
        var a = Multiply(Cholesky(cc), Invert(Cholesky(cs)));
        int plane = style.Length / 3;
        var o = new float[style.Length];
        for (int p = 0; p < plane; p++)
            for (int r = 0; r < 3; r++)
            {
                double v = mc[r];
                for (int c = 0; c < 3; c++) v += a[r, c] * (style[c * plane + p] - ms[c]);
                o[r * plane + p] = (float)v;
            }
        return o;
    }

    /// <summary>The colour mean (3) and population covariance (3×3) of planar RGB.</summary>
    public static (double[] Mean, double[,] Covariance) Moments(float[] rgb)
    {
        int plane = rgb.Length / 3;
        var m = new double[3];
        for (int c = 0; c < 3; c++)
        {
            for (int p = 0; p < plane; p++) m[c] += rgb[c * plane + p];
            m[c] /= plane;
        }
        var s = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double acc = 0;
                for (int p = 0; p < plane; p++) acc += (rgb[i * plane + p] - m[i]) * (rgb[j * plane + p] - m[j]);
                s[i, j] = acc / plane;
            }
        return (m, s);
    }

    /// <summary>Planar RGB pixels as a network input (C, H, W) by <paramref name="pre"/> (already <c>For(C)</c>); one channel takes the luma.</summary>
    public static float[] ToInput(float[] rgb, Preprocessing pre)
    {
        int plane = rgb.Length / 3, channels = pre.Channels;
        var o = new float[channels * plane];
        for (int c = 0; c < channels; c++)
        {
            int src = pre.ChannelOrder == ChannelOrder.BGR && channels == 3 ? 2 - c : c;
            for (int p = 0; p < plane; p++)
            {
                float v = channels == 1 ? (float)(0.299 * rgb[p] + 0.587 * rgb[plane + p] + 0.114 * rgb[2 * plane + p]) : rgb[src * plane + p];
                o[c * plane + p] = pre.Normalize(v, c);
            }
        }
        return o;
    }

    /// <summary>A network input (C, H, W), C = 1 or 3, back as planar RGB pixels (grey replicated); the inverse of <see cref="ToInput"/> for three channels.</summary>
    public static float[] FromInput(float[] x, Preprocessing pre)
    {
        int channels = pre.Channels, plane = x.Length / channels;
        var o = new float[3 * plane];
        for (int c = 0; c < channels; c++)
        {
            int dst = pre.ChannelOrder == ChannelOrder.BGR && channels == 3 ? 2 - c : c;
            float sd = pre.Std.Length == 0 ? 1f : pre.Std[Math.Min(c, pre.Std.Length - 1)];
            for (int p = 0; p < plane; p++)
            {
                float v = (x[c * plane + p] * sd + pre.Mean[c]) / pre.Scale;
                if (channels == 1) o[p] = o[plane + p] = o[2 * plane + p] = v;
                else o[dst * plane + p] = v;
            }
        }
        return o;
    }

    /// <summary>Planar RGB in 0–255 as an 8-bit image, rounded and clamped.</summary>
    public static Image ToImage(float[] rgb, int h, int w)
    {
        var img = new Image(w, h, 3);
        int plane = h * w;
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < plane; p++)
                img.Data[p * 3 + c] = (ushort)Math.Clamp((int)MathF.Round(rgb[c * plane + p]), 0, 255);
        return img;
    }

    /// <summary>An image's pixels as planar RGB floats (3, H, W), grey replicated.</summary>
    public static float[] Planes(Image img)
    {
        var rgb = img.ToRgb8();
        int plane = rgb.Width * rgb.Height;
        var o = new float[3 * plane];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) o[c * plane + p] = rgb.Data[p * 3 + c];
        return o;
    }

    private static (double Mean, double Std) MeanStd(float[] v)
    {
        double m = v.Average(x => (double)x);
        return (m, Math.Sqrt(v.Average(x => (x - m) * (x - m))));
    }

    private static float[] Apply(double[,] a, float[] planes)
    {
        int plane = planes.Length / 3;
        var o = new float[planes.Length];
        for (int r = 0; r < 3; r++)
            for (int p = 0; p < plane; p++)
                o[r * plane + p] = (float)(a[r, 0] * planes[p] + a[r, 1] * planes[plane + p] + a[r, 2] * planes[2 * plane + p]);
        return o;
    }

    private static double[,] Cholesky(double[,] s)
    {
        double ridge = 1e-6 * (s[0, 0] + s[1, 1] + s[2, 2] + 1);
        var l = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j <= i; j++)
            {
                double v = s[i, j] + (i == j ? ridge : 0);
                for (int k = 0; k < j; k++) v -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(Math.Max(v, ridge)) : v / l[j, j];
            }
        return l;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var o = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) o[i, j] += a[i, k] * b[k, j];
        return o;
    }

    private static double[,] Invert(double[,] a)
    {
        double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
            + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        var o = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                // The cofactor of a[j, i], by cyclic indices (the sign comes out of the cycle).
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                o[i, j] = (a[r0, c0] * a[r1, c1] - a[r0, c1] * a[r1, c0]) / det;
            }
        return o;
    }
}
