using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// Lucid's decorrelated image parameterization (Olah et al. 2017, "Feature Visualization"): the optimizer steps a
/// spectrum p, and the image is x = N(σ(D · irfft2(S ⊙ p) / 4)), where S scales each frequency f by
/// √(H·W) / max(|f|, 1/max(H, W))^decay (energy falls as 1/f, as in natural images), irfft2 is numpy's inverse real 2-D
/// FFT (cropped to H×W when W is odd), D is Lucid's colour-decorrelation matrix (three-channel inputs only), σ the
/// logistic function (pixels 0–255 for σ in 0–1), and N the model's preprocessing. Gradient steps on p are steps in a
/// whitened basis, which removes the high-frequency patterns pixel-space ascent finds. The transforms run as matrix
/// products on the image's device; <see cref="Backward"/> is their exact adjoint.
/// </summary>
public sealed class FourierImage : IDisposable
{
    /// <summary>Lucid's square root of the ImageNet colour correlation (RGB), before normalization by its largest column norm.</summary>
    public static readonly float[,] ColorCorrelationSqrt = { { 0.26f, 0.09f, 0.02f }, { 0.27f, 0.00f, -0.05f }, { 0.27f, -0.09f, 0.03f } };

    private readonly Preprocessing pre;
    private readonly int c, h, w, fw, wFull;
    private readonly bool decorrelate;
    private readonly float[] scale;
    private readonly double[,] color = new double[3, 3];
    private readonly int[] rgbOfChannel;
    private readonly Tensor t1, p, q;
    private float[]? sigmoid;

    /// <summary>The spectrum the optimizer steps: (2H, C·Fw) with the real parts in the first H rows, the imaginary parts below; Fw = W/2 + 1 (W/2 + 2 for odd W).</summary>
    public Tensor Parameters { get; }

    /// <summary>
    /// A spectrum for a (1, <paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>) input on
    /// <paramref name="backend"/>, drawn from N(0, <paramref name="sd"/>²) with <paramref name="seed"/> (Lucid: 0.01);
    /// <paramref name="pre"/> maps pixels to the network's input; <paramref name="decorrelate"/> applies the colour matrix
    /// (three channels only).
    /// </summary>
    public FourierImage(IBackend backend, Preprocessing pre, int channels, int height, int width, int seed, float sd = 0.01f,
        float decayPower = 1f, bool decorrelate = true)
    {
        if (channels < 1 || height < 2 || width < 2) throw new RawConvException($"fourier image: input (1, {channels}, {height}, {width}) is too small");
        if (!(sd > 0) || !float.IsFinite(sd) || !(decayPower >= 0) || !float.IsFinite(decayPower))
            throw new RawConvException($"fourier image: sd {sd} and decay {decayPower} must be finite, sd > 0, decay ≥ 0");
        (this.pre, c, h, w) = (pre.For(channels), channels, height, width);
        this.decorrelate = decorrelate && channels == 3;
        fw = width / 2 + (width % 2 == 1 ? 2 : 1);
        wFull = 2 * (fw - 1);
        scale = new float[2 * h * c * fw];
        double norm = Math.Sqrt((double)w * h), floor = 1.0 / Math.Max(w, h);
        for (int part = 0; part < 2; part++)
            for (int ky = 0; ky < h; ky++)
            {
                double fy = (ky <= (h - 1) / 2 ? ky : ky - h) / (double)h;
                for (int ch = 0; ch < c; ch++)
                    for (int kx = 0; kx < fw; kx++)
                    {
                        double fx = (kx <= (width - 1) / 2 ? kx : kx - width) / (double)width;
                        double f = Math.Sqrt(fx * fx + fy * fy);
                        scale[((part * h + ky) * c + ch) * fw + kx] = (float)(norm / Math.Pow(Math.Max(f, floor), decayPower));
                    }
            }
        double maxNorm = 0;
        for (int j = 0; j < 3; j++)
            maxNorm = Math.Max(maxNorm, Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (double)ColorCorrelationSqrt[i, j] * ColorCorrelationSqrt[i, j])));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) color[i, j] = ColorCorrelationSqrt[i, j] / maxNorm;
        rgbOfChannel = channels == 3 && this.pre.ChannelOrder == ChannelOrder.BGR ? [2, 1, 0] : Enumerable.Range(0, channels).ToArray();

        var rng = new Random(seed);
        var init = new float[2 * h * c * fw];
        for (int i = 0; i < init.Length; i++) init[i] = (float)(sd * Gaussian.Next(rng));
        var tensors = new List<Tensor>();
        try
        {
            Parameters = Add(tensors, Tensor.FromArray(backend, new Shape(2 * h, c * fw), init));
            t1 = Add(tensors, Tensor.FromArray(backend, new Shape(2 * h, 2 * h), InverseDft(h)));
            var (pm, qm) = RealInverse(fw, wFull, w);
            p = Add(tensors, Tensor.FromArray(backend, new Shape(fw, w), pm));
            q = Add(tensors, Tensor.FromArray(backend, new Shape(fw, w), qm));
        }
        catch
        {
            foreach (var t in tensors) t.Dispose();
            throw;
        }
    }

    private static Tensor Add(List<Tensor> all, Tensor t)
    {
        all.Add(t);
        return t;
    }

    /// <summary>[[A, −B], [B, A]] with A = cos(2π·ky·y/H)/H, B = sin(…)/H: the complex inverse DFT along H on stacked real and imaginary rows.</summary>
    private static float[] InverseDft(int n)
    {
        var m = new float[4 * n * n];
        for (int y = 0; y < n; y++)
            for (int k = 0; k < n; k++)
            {
                double phi = 2 * Math.PI * ((long)k * y % n) / n;
                float a = (float)(Math.Cos(phi) / n), b = (float)(Math.Sin(phi) / n);
                m[y * 2 * n + k] = a;
                m[y * 2 * n + n + k] = -b;
                m[(n + y) * 2 * n + k] = b;
                m[(n + y) * 2 * n + n + k] = a;
            }
        return m;
    }

    /// <summary>
    /// numpy's irfft along W as two (Fw, W) matrices on the real and imaginary parts: the first and (even-length) last
    /// bins count once and their imaginary parts are ignored, the others twice; columns past <paramref name="width"/> are cropped.
    /// </summary>
    private static (float[] P, float[] Q) RealInverse(int fw, int full, int width)
    {
        var pm = new float[fw * width];
        var qm = new float[fw * width];
        for (int k = 0; k < fw; k++)
        {
            bool edge = k == 0 || k == full / 2;
            double weight = (edge ? 1.0 : 2.0) / full;
            for (int x = 0; x < width; x++)
            {
                double theta = 2 * Math.PI * ((long)k * x % full) / full;
                pm[k * width + x] = (float)(weight * Math.Cos(theta));
                qm[k * width + x] = edge ? 0f : (float)(-weight * Math.Sin(theta));
            }
        }
        return (pm, qm);
    }

    /// <summary>The image (1, C, H, W) in the network's input units for the current spectrum (the caller owns it).</summary>
    public Tensor Image()
    {
        var be = Parameters.Backend;
        var sp = Parameters.ToArray();
        for (int i = 0; i < sp.Length; i++) sp[i] *= scale[i];
        using var x = Tensor.FromArray(be, Parameters.Shape, sp);
        using var z = Gemm.Forward(t1, x, null);
        var zv = z.ToArray();
        int half = h * c * fw;
        using var zr = Tensor.FromArray(be, new Shape(h * c, fw), zv.AsSpan(0, half));
        using var zi = Tensor.FromArray(be, new Shape(h * c, fw), zv.AsSpan(half, half));
        using var re = Gemm.Forward(zr, p, null);
        using var spatial = Gemm.Forward(zi, q, re);
        var rows = spatial.ToArray();
        var t = new double[c];
        var img = new float[c * h * w];
        sigmoid = new float[c * h * w];
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                for (int ch = 0; ch < c; ch++) t[ch] = rows[(y * c + ch) * w + xx] / 4.0;
                for (int ch = 0; ch < c; ch++)
                {
                    double u = t[ch];
                    if (decorrelate)
                    {
                        int rgb = rgbOfChannel[ch];
                        u = 0;
                        for (int d = 0; d < 3; d++) u += color[rgb, d] * t[Array.IndexOf(rgbOfChannel, d)];
                    }
                    float s = (float)(1 / (1 + Math.Exp(-u)));
                    int at = (ch * h + y) * w + xx;
                    sigmoid[at] = s;
                    img[at] = pre.Normalize(255f * s, ch);
                }
            }
        return Tensor.FromArray(be, new Shape(1, c, h, w), img);
    }

    /// <summary>∂L/∂spectrum (the caller owns it) from ∂L/∂image <paramref name="gradient"/> (1, C, H, W), at the spectrum of the last <see cref="Image"/>.</summary>
    public Tensor Backward(Tensor gradient)
    {
        var s = sigmoid ?? throw new InvalidOperationException("fourier image: Backward before Image");
        if (gradient.Shape != new Shape(1, c, h, w)) throw new RawConvException($"fourier image: gradient {gradient.Shape} does not match the image (1, {c}, {h}, {w})");
        var be = Parameters.Backend;
        var g = gradient.ToArray();
        var du = new double[c];
        var rows = new float[h * c * w];
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    int at = (ch * h + y) * w + xx;
                    float dPixel = pre.Normalize(1f, ch) - pre.Normalize(0f, ch);
                    du[ch] = g[at] * dPixel * 255.0 * s[at] * (1 - s[at]);
                }
                for (int ch = 0; ch < c; ch++)
                {
                    double dt = du[ch];
                    if (decorrelate)
                    {
                        int rgb = rgbOfChannel[ch];
                        dt = 0;
                        for (int o = 0; o < 3; o++) dt += color[o, rgb] * du[Array.IndexOf(rgbOfChannel, o)];
                    }
                    rows[(y * c + ch) * w + xx] = (float)(dt / 4.0);
                }
            }
        using var d = Tensor.FromArray(be, new Shape(h * c, w), rows);
        using var dzr = Gemm.Forward(d, p, null, transB: true);
        using var dzi = Gemm.Forward(d, q, null, transB: true);
        var dz = new float[2 * h * c * fw];
        dzr.ToArray().CopyTo(dz, 0);
        dzi.ToArray().CopyTo(dz, h * c * fw);
        using var dzt = Tensor.FromArray(be, new Shape(2 * h, c * fw), dz);
        using var dx = Gemm.Forward(t1, dzt, null, transA: true);
        var r = dx.ToArray();
        for (int i = 0; i < r.Length; i++) r[i] *= scale[i];
        return Tensor.FromArray(be, Parameters.Shape, r);
    }

    /// <summary>Releases the spectrum and the transform matrices.</summary>
    public void Dispose()
    {
        Parameters.Dispose();
        t1.Dispose();
        p.Dispose();
        q.Dispose();
    }
}
