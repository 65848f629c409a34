using RawConv.Algorithms.Seeing;

namespace RawConv.Tests.TestUtil;

/// <summary>
/// The host oracle for the input transforms: bilinear resampling per channel in double, as the invariance sweeps
/// ran before the device path (RawConv.Algorithms.Seeing.Transforms); checked against scipy.ndimage here and used to
/// check the device path. No production code calls it.
/// </summary>
public static class TransformsRef
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
}
