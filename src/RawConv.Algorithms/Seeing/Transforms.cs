namespace RawConv.Algorithms.Seeing;

/// <summary>What lies outside the source image when a transform pulls pixels from beyond its edge.</summary>
public enum FillMode
{
    /// <summary>0 in the normalized input: the mean colour for mean-subtracted inputs, the black canvas for Fashion-MNIST.</summary>
    Zero,
    /// <summary>The nearest edge pixel (border replicate).</summary>
    Border,
}

/// <summary>
/// A similarity transform of an input image about its centre c = ((W − 1)/2, (H − 1)/2), pixel centres at
/// integer coordinates, x to the right and y down: output point q = c + Scale·R(Degrees)·(p − c) + (Dx, Dy),
/// where R turns counter-clockwise as seen on screen (like PIL's and scipy's rotate). Scale &gt; 1 enlarges.
/// </summary>
public sealed record InputTransform(double Dx = 0, double Dy = 0, double Scale = 1, double Degrees = 0)
{
    /// <summary>The identity.</summary>
    public static InputTransform Identity => new();
    /// <summary>A shift by (dx, dy) pixels (positive: right, down).</summary>
    public static InputTransform Translate(double dx, double dy) => new(dx, dy);
    /// <summary>A zoom by <paramref name="s"/> about the centre.</summary>
    public static InputTransform Zoom(double s) => new(Scale: s);
    /// <summary>A counter-clockwise rotation by <paramref name="degrees"/> about the centre.</summary>
    public static InputTransform Rotate(double degrees) => new(Degrees: degrees);

    /// <summary>
    /// The inverse map from an output pixel (x, y) to the source point it samples:
    /// sx = A·x + B·y + C, sy = D·x + E·y + F, for an image of <paramref name="h"/>×<paramref name="w"/>.
    /// </summary>
    public (double A, double B, double C, double D, double E, double F) Inverse(int h, int w)
    {
        if (!(Scale > 0) || !double.IsFinite(Scale) || !double.IsFinite(Dx) || !double.IsFinite(Dy) || !double.IsFinite(Degrees))
            throw new RawConvException($"transform: {this} needs a positive finite scale and finite shifts and angle");
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        double t = Degrees * Math.PI / 180;
        // Whole quarter turns get exact sines and cosines so that 90°, 180°, 360° move pixels exactly.
        double cos = Degrees % 90 == 0 ? Math.Round(Math.Cos(t)) : Math.Cos(t);
        double sin = Degrees % 90 == 0 ? Math.Round(Math.Sin(t)) : Math.Sin(t);
        // p = c + R(−θ)(q − c − d)/s with R(−θ) = [[cos, −sin], [sin, cos]] in (x, y-down) coordinates.
        double a = cos / Scale, b = -sin / Scale, d = sin / Scale, e = cos / Scale;
        double ux = -cx - Dx, uy = -cy - Dy;
        return (a, b, a * ux + b * uy + cx, d, e, d * ux + e * uy + cy);
    }

    public override string ToString() => $"(dx {Dx}, dy {Dy}, scale {Scale}, {Degrees}°)";
}

/// <summary>Bilinear resampling of input tensors on the host, per channel, for transform sweeps.</summary>
public static class Transforms
{
    /// <summary>
    /// One image (C, H, W) transformed by <paramref name="t"/> with bilinear sampling; each of the four
    /// neighbours outside the image counts as 0 (<see cref="FillMode.Zero"/>) or as the nearest edge pixel
    /// (<see cref="FillMode.Border"/>) — scipy.ndimage's order-1 'grid-constant' and 'nearest' modes.
    /// </summary>
    public static float[] Apply(ReadOnlySpan<float> chw, int c, int h, int w, InputTransform t, FillMode fill = FillMode.Zero)
    {
        if (c <= 0 || h <= 0 || w <= 0 || chw.Length != (long)c * h * w)
            throw new RawConvException($"transform: {chw.Length} values for ({c}, {h}, {w})");
        var (a, b, cc, d, e, f) = t.Inverse(h, w);
        var o = new float[chw.Length];
        int plane = h * w;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double sx = a * x + b * y + cc, sy = d * x + e * y + f;
                double fx = Math.Floor(sx), fy = Math.Floor(sy);
                if (fx < -2 || fy < -2 || fx > w + 1 || fy > h + 1)
                {
                    if (fill == FillMode.Zero) continue;
                    fx = Math.Clamp(fx, -2, w + 1); fy = Math.Clamp(fy, -2, h + 1);
                    sx = Math.Clamp(sx, -2, w + 1); sy = Math.Clamp(sy, -2, h + 1);
                }
                int x0 = (int)fx, y0 = (int)fy;
                double wx = sx - fx, wy = sy - fy;
                for (int ch = 0; ch < c; ch++)
                {
                    var p = chw.Slice(ch * plane, plane);
                    double v00 = At(p, h, w, y0, x0, fill), v01 = At(p, h, w, y0, x0 + 1, fill);
                    double v10 = At(p, h, w, y0 + 1, x0, fill), v11 = At(p, h, w, y0 + 1, x0 + 1, fill);
                    double top = wx == 0 ? v00 : v00 * (1 - wx) + v01 * wx;
                    double bottom = wx == 0 ? v10 : v10 * (1 - wx) + v11 * wx;
                    o[ch * plane + y * w + x] = (float)(wy == 0 ? top : top * (1 - wy) + bottom * wy);
                }
            }
        return o;
    }

    private static double At(ReadOnlySpan<float> plane, int h, int w, int y, int x, FillMode fill)
    {
        if (fill == FillMode.Border) { y = Math.Clamp(y, 0, h - 1); x = Math.Clamp(x, 0, w - 1); }
        else if (y < 0 || y >= h || x < 0 || x >= w) return 0;
        return plane[y * w + x];
    }

    /// <summary>Every image of <paramref name="x"/> (N, C, H, W) transformed by <paramref name="t"/>; the result lives on x's backend.</summary>
    public static Tensor Apply(Tensor x, InputTransform t, FillMode fill = FillMode.Zero)
    {
        var s = x.Shape;
        if (s.Rank != 4) throw new RawConvException($"transform: input {s} is not (N, C, H, W)");
        var all = x.ToArray();
        int per = s.C * s.H * s.W;
        var o = new float[all.Length];
        for (int n = 0; n < s.N; n++)
            Apply(all.AsSpan(n * per, per), s.C, s.H, s.W, t, fill).CopyTo(o, n * per);
        return Tensor.FromArray(x.Backend, s, o);
    }
}
