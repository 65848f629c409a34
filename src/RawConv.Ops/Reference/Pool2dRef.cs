using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>
/// Reference 2-D pooling and unpooling: plain loops over NCHW planes, generic so tests can run them in
/// float64. Switches are Caffe's: the index h·W + w inside the input's (n, c) plane. The backward passes
/// here are written as scatters over the outputs (dx[switch] += dy), the obvious form; the kernels
/// compute the same sums as gathers, in the same (oh, ow) order.
/// </summary>
public static class Pool2dRef
{
    /// <summary>Max pooling: first maximum in row-major window order wins; taps outside the input never win.</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> idx, Shape xs, Shape ys, Pool2dParams p)
        where T : IFloatingPointIeee754<T>
    {
        int H = xs.H, W = xs.W, OH = ys.H, OW = ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++)
                {
                    int best = -1;
                    T m = T.Zero;
                    for (int i = 0; i < p.KernelH; i++)
                        for (int j = 0; j < p.KernelW; j++)
                        {
                            int h = oh * p.StrideH - p.PadH + i * p.DilationH;
                            int w = ow * p.StrideW - p.PadW + j * p.DilationW;
                            if (h < 0 || h >= H || w < 0 || w >= W) continue;
                            T v = x[pl * H * W + h * W + w];
                            if (best < 0 || v > m) { m = v; best = h * W + w; }
                        }
                    if (best < 0) throw new RawConvException($"maxpool2d: window at output ({oh}, {ow}) covers only padding");
                    int o = (pl * OH + oh) * OW + ow;
                    y[o] = m;
                    idx[o] = best;
                }
    }

    /// <summary>dx[plane, switch] += dy for every output; dx must start zeroed.</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> idx, Span<T> dx, Shape xs, Shape ys)
        where T : IFloatingPointIeee754<T>
    {
        int hw = xs.H * xs.W, ohw = ys.H * ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int o = 0; o < ohw; o++)
                dx[pl * hw + idx[pl * ohw + o]] += dy[pl * ohw + o];
    }

    /// <summary>y[plane, idx[i]] = x[i] (ONNX MaxUnpool); with repeated indices the later element wins. y must start zeroed.</summary>
    public static void UnpoolScatter<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> idx, Span<T> y, Shape xs, Shape ys)
        where T : IFloatingPointIeee754<T>
    {
        int ihw = xs.H * xs.W, ohw = ys.H * ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int i = 0; i < ihw; i++)
                y[pl * ohw + idx[pl * ihw + i]] = x[pl * ihw + i];
    }

    /// <summary>Unpooling backward: dx[i] = dy[plane, idx[i]].</summary>
    public static void UnpoolBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> idx, Span<T> dx, Shape xs, Shape ys)
        where T : IFloatingPointIeee754<T>
    {
        int ihw = xs.H * xs.W, ohw = ys.H * ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int i = 0; i < ihw; i++)
                dx[pl * ihw + i] = dy[pl * ohw + idx[pl * ihw + i]];
    }

    /// <summary>
    /// The divisor of the average over window (oh, ow), PyTorch's rule: with count_include_pad the
    /// window clipped to the padded input [−pad, in + pad), else the window clipped to the input.
    /// </summary>
    public static int AvgDivisor(int oh, int ow, int H, int W, Pool2dParams p, bool countIncludePad)
    {
        int h0 = oh * p.StrideH - p.PadH, w0 = ow * p.StrideW - p.PadW;
        int h1 = Math.Min(h0 + p.KernelH, H + p.PadH), w1 = Math.Min(w0 + p.KernelW, W + p.PadW);
        if (countIncludePad) return (h1 - h0) * (w1 - w0);
        return (Math.Min(h1, H) - Math.Max(h0, 0)) * (Math.Min(w1, W) - Math.Max(w0, 0));
    }

    /// <summary>Average pooling (dilation 1), sums in row-major window order.</summary>
    public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, Shape xs, Shape ys, Pool2dParams p, bool countIncludePad)
        where T : IFloatingPointIeee754<T>
    {
        int H = xs.H, W = xs.W, OH = ys.H, OW = ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++)
                {
                    T s = T.Zero;
                    for (int h = Math.Max(oh * p.StrideH - p.PadH, 0); h < Math.Min(oh * p.StrideH - p.PadH + p.KernelH, H); h++)
                        for (int w = Math.Max(ow * p.StrideW - p.PadW, 0); w < Math.Min(ow * p.StrideW - p.PadW + p.KernelW, W); w++)
                            s += x[pl * H * W + h * W + w];
                    y[(pl * OH + oh) * OW + ow] = s / T.CreateChecked(AvgDivisor(oh, ow, H, W, p, countIncludePad));
                }
    }

    /// <summary>Average pooling backward: every input in window (oh, ow) receives dy / divisor. dx must start zeroed.</summary>
    public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, Shape xs, Shape ys, Pool2dParams p, bool countIncludePad)
        where T : IFloatingPointIeee754<T>
    {
        int H = xs.H, W = xs.W, OH = ys.H, OW = ys.W;
        for (int pl = 0; pl < xs.N * xs.C; pl++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++)
                {
                    T g = dy[(pl * OH + oh) * OW + ow] / T.CreateChecked(AvgDivisor(oh, ow, H, W, p, countIncludePad));
                    for (int h = Math.Max(oh * p.StrideH - p.PadH, 0); h < Math.Min(oh * p.StrideH - p.PadH + p.KernelH, H); h++)
                        for (int w = Math.Max(ow * p.StrideW - p.PadW, 0); w < Math.Min(ow * p.StrideW - p.PadW + p.KernelW, W); w++)
                            dx[pl * H * W + h * W + w] += g;
                }
    }

    /// <summary>
    /// Describes the first switch outside [0, H·W) — or, with <paramref name="p"/>, outside the window of
    /// its output position — among indices laid out as planes of OH×OW; null when all are valid.
    /// </summary>
    public static string? FirstBadSwitch(ReadOnlySpan<int> idx, int OH, int OW, int H, int W, Pool2dParams? p)
    {
        for (int i = 0; i < idx.Length; i++)
        {
            int v = idx[i];
            if (v < 0 || v >= H * W) return $"switch {v} at flat index {i} is outside the {H}×{W} input plane";
            if (p is null) continue;
            int oh = i / OW % OH, ow = i % OW;
            if (!InWindow(v / W, oh, p.KernelH, p.StrideH, p.PadH, p.DilationH) || !InWindow(v % W, ow, p.KernelW, p.StrideW, p.PadW, p.DilationW))
                return $"switch {v} (h {v / W}, w {v % W}) at flat index {i}, output ({oh}, {ow}), lies outside that output's window";
        }
        return null;
    }

    private static bool InWindow(int h, int o, int k, int s, int pad, int d)
    {
        int t = h + pad - o * s;
        return t >= 0 && t % d == 0 && t / d < k;
    }
}
