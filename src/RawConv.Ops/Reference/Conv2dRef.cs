using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>
/// Reference 2-D convolution (cross-correlation, as Caffe/PyTorch/ONNX): direct loops over
/// x (N, C, H, W), w (K, C/g, R, S), y (N, K, OH, OW); generic so tests can run it in float64.
/// Transposed convolution is <see cref="BackwardData{T}"/> (and its adjoint <see cref="Forward{T}"/>).
/// </summary>
public static class Conv2dRef
{
    /// <summary>y = conv(x, w) + bias (bias may be empty); output shape from Conv2d.OutputShape.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y,
        Shape xs, Shape ws, Conv2dParams p) where T : IFloatingPointIeee754<T>
    {
        var d = new Dims(xs, ws, p);
        for (int n = 0; n < d.N; n++)
            for (int k = 0; k < d.K; k++)
                for (int oh = 0; oh < d.OH; oh++)
                    for (int ow = 0; ow < d.OW; ow++)
                    {
                        T acc = bias.IsEmpty ? T.Zero : bias[k];
                        for (int t = 0; t < d.TapCount; t++)
                            if (d.Tap(n, k, oh, ow, t, out int xi, out int wi)) acc += x[xi] * w[wi];
                        y[d.Y(n, k, oh, ow)] = acc;
                    }
    }

    /// <summary>dx = convᵀ(dy, w): every tap of every output pixel sends dy·w back to its input pixel.</summary>
    public static void BackwardData<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx,
        Shape xs, Shape ws, Conv2dParams p) where T : IFloatingPointIeee754<T>
    {
        var d = new Dims(xs, ws, p);
        dx.Clear();
        for (int n = 0; n < d.N; n++)
            for (int k = 0; k < d.K; k++)
                for (int oh = 0; oh < d.OH; oh++)
                    for (int ow = 0; ow < d.OW; ow++)
                    {
                        T g = dy[d.Y(n, k, oh, ow)];
                        for (int t = 0; t < d.TapCount; t++)
                            if (d.Tap(n, k, oh, ow, t, out int xi, out int wi)) dx[xi] += g * w[wi];
                    }
    }

    /// <summary>dw[k, c', r, s] = Σ_{n, oh, ow} dy[n, k, oh, ow] · x[n, c, ih, iw].</summary>
    public static void BackwardFilter<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw,
        Shape xs, Shape ws, Conv2dParams p) where T : IFloatingPointIeee754<T>
    {
        var d = new Dims(xs, ws, p);
        dw.Clear();
        for (int n = 0; n < d.N; n++)
            for (int k = 0; k < d.K; k++)
                for (int oh = 0; oh < d.OH; oh++)
                    for (int ow = 0; ow < d.OW; ow++)
                    {
                        T g = dy[d.Y(n, k, oh, ow)];
                        for (int t = 0; t < d.TapCount; t++)
                            if (d.Tap(n, k, oh, ow, t, out int xi, out int wi)) dw[wi] += g * x[xi];
                    }
    }

    /// <summary>db[k] = Σ_{n, h, w} dy[n, k, h, w] for dy of shape <paramref name="ys"/>.</summary>
    public static void BackwardBias<T>(ReadOnlySpan<T> dy, Span<T> db, Shape ys) where T : IFloatingPointIeee754<T>
    {
        int plane = ys[2] * ys[3];
        for (int k = 0; k < ys[1]; k++)
        {
            T acc = T.Zero;
            for (int n = 0; n < ys[0]; n++)
                for (int i = 0; i < plane; i++) acc += dy[(n * ys[1] + k) * plane + i];
            db[k] = acc;
        }
    }

    /// <summary>Sizes and index maps of one convolution.</summary>
    private readonly struct Dims
    {
        public readonly int N, C, H, W, K, Cg, R, S, OH, OW, Kg;
        private readonly Conv2dParams p;

        public Dims(Shape xs, Shape ws, Conv2dParams p)
        {
            var ys = Conv2d.OutputShape(xs, ws, p);
            (N, C, H, W) = (xs[0], xs[1], xs[2], xs[3]);
            (K, Cg, R, S) = (ws[0], ws[1], ws[2], ws[3]);
            (OH, OW) = (ys[2], ys[3]);
            Kg = K / p.Groups;
            this.p = p;
        }

        public int X(int n, int c, int h, int w) => ((n * C + c) * H + h) * W + w;
        public int Y(int n, int k, int h, int w) => ((n * K + k) * OH + h) * OW + w;

        /// <summary>Number of taps (c', r, s) per output pixel.</summary>
        public int TapCount => Cg * R * S;

        /// <summary>
        /// Tap t = (c'·R + r)·S + s of output (n, k, oh, ow): the flat indices of its input pixel and
        /// weight; false when the tap lands in the padding.
        /// </summary>
        public bool Tap(int n, int k, int oh, int ow, int t, out int xi, out int wi)
        {
            int s = t % S, r = t / S % R, cg = t / (S * R);
            int ih = oh * p.StrideH - p.PadH + r * p.DilationH;
            int iw = ow * p.StrideW - p.PadW + s * p.DilationW;
            wi = k * Cg * R * S + t;
            xi = 0;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) return false;
            xi = X(n, k / Kg * Cg + cg, ih, iw);
            return true;
        }
    }
}
