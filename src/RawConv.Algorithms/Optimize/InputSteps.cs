using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>How the input is kept in range after each step.</summary>
public enum PixelClip
{
    /// <summary>No clipping.</summary>
    None,
    /// <summary>Each channel clipped to the values pixels 0–255 take under the model's preprocessing.</summary>
    Pixels,
}

/// <summary>
/// The non-differentiable steps input-optimization loops apply to the image between updates: Gaussian blur
/// (Yosinski et al.'s "blur every k steps"), clipping to the pixel range of the preprocessing, and Yosinski et
/// al.'s clipping of pixels with a small norm or a small contribution (set to 0, the mean colour).
/// </summary>
public static class InputSteps
{
    /// <summary>Blurs each channel of <paramref name="x"/> in place with a Gaussian of σ = <paramref name="sigma"/> pixels (radius ⌈3σ⌉, zero padding), on the device.</summary>
    public static void Blur(Tensor x, float sigma)
    {
        if (!(sigma > 0) || !float.IsFinite(sigma)) throw new RawConvException($"blur: σ = {sigma} must be positive");
        var s = x.Shape;
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma)), k = 2 * r + 1, c = s.C;
        var g = new double[k];
        for (int i = 0; i < k; i++) g[i] = Math.Exp(-0.5 * (i - r) * (i - r) / (sigma * sigma));
        double sum = g.Sum();
        var w = new float[c * k * k];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) w[(ch * k + i) * k + j] = (float)(g[i] * g[j] / (sum * sum));
        using var wt = Tensor.FromArray(x.Backend, new Shape(c, 1, k, k), w);
        using var y = Conv2d.Forward(x, wt, null, new Conv2dParams(PadH: r, PadW: r, Groups: c));
        x.CopyFrom(y.ToArray());
    }

    /// <summary>Rolls each plane of <paramref name="x"/> in place by <paramref name="dy"/> rows and <paramref name="dx"/> columns, wrapping around (numpy's roll, DeepDream's jitter).</summary>
    public static void Roll(Tensor x, int dy, int dx)
    {
        var s = x.Shape;
        int h = s.H, w = s.W, plane = h * w;
        var v = x.ToArray();
        var r = new float[v.Length];
        int sy = ((dy % h) + h) % h, sx = ((dx % w) + w) % w;
        for (long p0 = 0; p0 < v.Length; p0 += plane)
            for (int y = 0; y < h; y++)
            {
                int ty = (y + sy) % h;
                for (int c = 0; c < w; c++) r[p0 + ty * w + (c + sx) % w] = v[p0 + y * w + c];
            }
        x.CopyFrom(r);
    }

    /// <summary>The range [lo, hi] of channel <paramref name="channel"/> for pixels 0–255 under <paramref name="pre"/>.</summary>
    public static (float Lo, float Hi) PixelRange(Preprocessing pre, int channel)
    {
        float a = pre.Normalize(0, channel), b = pre.Normalize(255, channel);
        return (Math.Min(a, b), Math.Max(a, b));
    }

    /// <summary>Clips each channel of <paramref name="x"/> (N, C, H, W) in place to the pixel range of <paramref name="pre"/> (given for C channels).</summary>
    public static void ClipToPixels(Tensor x, Preprocessing pre)
    {
        var s = x.Shape;
        int c = s.C, plane = s.H * s.W;
        var v = x.ToArray();
        for (int n = 0; n < s.N; n++)
            for (int ch = 0; ch < c; ch++)
            {
                var (lo, hi) = PixelRange(pre, ch);
                var span = v.AsSpan((n * c + ch) * plane, plane);
                for (int i = 0; i < span.Length; i++) span[i] = Math.Clamp(span[i], lo, hi);
            }
        x.CopyFrom(v);
    }

    /// <summary>
    /// Yosinski et al.'s clipping: pixels whose norm over channels lies below the <paramref name="normPercentile"/>-th
    /// percentile, or whose contribution |Σ_c x·g| lies below the <paramref name="contributionPercentile"/>-th, are set to
    /// 0 (0 disables either; <paramref name="gradient"/> is needed only for the contribution).
    /// </summary>
    public static void ClipSmallPixels(Tensor x, Tensor? gradient, float normPercentile, float contributionPercentile)
    {
        if (normPercentile is < 0 or > 100 || contributionPercentile is < 0 or > 100)
            throw new RawConvException($"pixel clipping: percentiles {normPercentile} and {contributionPercentile} must lie in 0–100");
        if (normPercentile == 0 && contributionPercentile == 0) return;
        var s = x.Shape;
        int c = s.C, plane = s.H * s.W;
        var v = x.ToArray();
        var gv = contributionPercentile > 0 ? (gradient ?? throw new RawConvException("pixel clipping: the contribution needs the gradient")).ToArray() : null;
        for (int n = 0; n < s.N; n++)
        {
            var kill = new bool[plane];
            if (normPercentile > 0) Mark(kill, Per(v, n, c, plane, (a, _) => a * a, sqrt: true), normPercentile);
            if (gv is not null) Mark(kill, Per(v, n, c, plane, (a, i) => a * gv[i], sqrt: false, abs: true), contributionPercentile);
            for (int p = 0; p < plane; p++)
                if (kill[p])
                    for (int ch = 0; ch < c; ch++) v[(n * c + ch) * plane + p] = 0;
        }
        x.CopyFrom(v);
    }

    private static double[] Per(float[] v, int n, int c, int plane, Func<float, int, double> f, bool sqrt, bool abs = false)
    {
        var r = new double[plane];
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < plane; p++)
            {
                int i = (n * c + ch) * plane + p;
                r[p] += f(v[i], i);
            }
        for (int p = 0; p < plane; p++) r[p] = sqrt ? Math.Sqrt(r[p]) : abs ? Math.Abs(r[p]) : r[p];
        return r;
    }

    private static void Mark(bool[] kill, double[] score, float percentile)
    {
        var sorted = (double[])score.Clone();
        Array.Sort(sorted);
        double pos = percentile / 100.0 * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        double cut = sorted[lo] + (pos - lo) * (sorted[Math.Min(lo + 1, sorted.Length - 1)] - sorted[lo]);
        for (int p = 0; p < kill.Length; p++)
            if (score[p] < cut) kill[p] = true;
    }
}
