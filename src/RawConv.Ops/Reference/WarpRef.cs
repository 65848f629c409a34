using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>
/// Reference bilinear warp: x (N, C, Hx, Wx), flow (N, 2, H, W) (channel 0 horizontal, 1 vertical),
/// y (N, C, H, W). The adjoint here is a plain scatter (single-threaded, so deterministic).
/// </summary>
public static class WarpRef
{
    /// <summary>The four taps (after padding) and weights of output pixel (h, w); InY/InX say the sample clamp is inactive.</summary>
    private readonly record struct Taps<T>(int Y0, int Y1, int X0, int X1, T Ay, T Ax, bool InY, bool InX);

    /// <summary>Sample position of output pixel (h, w), clamped to [−2, size+1] as in kernels/warp.cl, as taps and weights.</summary>
    private static Taps<T> Sample<T>(ReadOnlySpan<T> flow, int n, int h, int w, int hx, int wx, int hh, int ww, bool border)
        where T : IFloatingPointIeee754<T>
    {
        int plane = hh * ww;
        T rx = T.CreateChecked(w) + flow[n * 2 * plane + h * ww + w];
        T ry = T.CreateChecked(h) + flow[(n * 2 + 1) * plane + h * ww + w];
        T sx = T.Clamp(rx, T.CreateChecked(-2), T.CreateChecked(wx + 1));
        T sy = T.Clamp(ry, T.CreateChecked(-2), T.CreateChecked(hx + 1));
        int y0 = int.CreateTruncating(T.Floor(sy)), x0 = int.CreateTruncating(T.Floor(sx));
        return new Taps<T>(Tap(y0, hx, border), Tap(y0 + 1, hx, border), Tap(x0, wx, border), Tap(x0 + 1, wx, border),
            sy - T.Floor(sy), sx - T.Floor(sx), sy == ry, sx == rx);
    }

    /// <summary>Tap index after padding: clamped (border) or −1 when outside (zeros).</summary>
    private static int Tap(int i, int size, bool border) =>
        border ? Math.Clamp(i, 0, size - 1) : (i >= 0 && i < size ? i : -1);

    private static T Read<T>(ReadOnlySpan<T> p, int yy, int xx, int wx) where T : IFloatingPointIeee754<T> =>
        yy < 0 || xx < 0 ? T.Zero : p[yy * wx + xx];

    /// <summary>y[n,c,h,w] = bilinear(x[n,c], h + flow[n,1,h,w], w + flow[n,0,h,w]).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> flow, Span<T> y, int n, int c, int hx, int wx, int h, int w, bool border)
        where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var (ty0, ty1, tx0, tx1, ay, ax, _, _) = Sample(flow, b, i, j, hx, wx, h, w, border);
                    for (int ch = 0; ch < c; ch++)
                    {
                        var p = x.Slice((b * c + ch) * hx * wx, hx * wx);
                        y[((b * c + ch) * h + i) * w + j] =
                            (T.One - ay) * ((T.One - ax) * Read(p, ty0, tx0, wx) + ax * Read(p, ty0, tx1, wx)) +
                            ay * ((T.One - ax) * Read(p, ty1, tx0, wx) + ax * Read(p, ty1, tx1, wx));
                    }
                }
    }

    /// <summary>
    /// Flow (N, 2, H, W) of affine maps given as flow coefficients about the output centre, six per map, map n at
    /// theta[n·stride] (stride 0: one for all): flow0 = t0·u + t1·v + t2, flow1 = t3·u + t4·v + t5, fused as in kernels/warp.cl.
    /// </summary>
    public static void AffineFlow(ReadOnlySpan<float> theta, Span<float> flow, int n, int stride, int h, int w)
    {
        int plane = h * w;
        for (int b = 0; b < n; b++)
        {
            var t = theta.Slice(b * stride, 6);
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    float u = j - 0.5f * (w - 1), v = i - 0.5f * (h - 1);
                    flow[b * 2 * plane + i * w + j] = MathF.FusedMultiplyAdd(t[0], u, MathF.FusedMultiplyAdd(t[1], v, t[2]));
                    flow[(b * 2 + 1) * plane + i * w + j] = MathF.FusedMultiplyAdd(t[3], u, MathF.FusedMultiplyAdd(t[4], v, t[5]));
                }
        }
    }

    /// <summary>dx = Warpᵀ(dy): each output pixel scatters dy·weight onto its four (padded) taps.</summary>
    public static void Adjoint<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> flow, Span<T> dx, int n, int c, int hx, int wx, int h, int w, bool border)
        where T : IFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var t = Sample(flow, b, i, j, hx, wx, h, w, border);
                    T ay = t.Ay, ax = t.Ax;
                    int[] ty = [t.Y0, t.Y1];
                    int[] tx = [t.X0, t.X1];
                    T[] wy = [T.One - ay, ay], wxs = [T.One - ax, ax];
                    for (int ch = 0; ch < c; ch++)
                    {
                        T g = dy[((b * c + ch) * h + i) * w + j];
                        for (int u = 0; u < 2; u++)
                            for (int v = 0; v < 2; v++)
                                if (ty[u] >= 0 && tx[v] >= 0)
                                    dx[((b * c + ch) * hx + ty[u]) * wx + tx[v]] += wy[u] * wxs[v] * g;
                    }
                }
    }

    /// <summary>dflow[n,0] = Σ_c dy·∂y/∂sx, dflow[n,1] = Σ_c dy·∂y/∂sy (0 where the sample clamp is active).</summary>
    public static void BackwardFlow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> flow, ReadOnlySpan<T> dy, Span<T> dflow,
        int n, int c, int hx, int wx, int h, int w, bool border) where T : IFloatingPointIeee754<T>
    {
        int plane = h * w;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var (ty0, ty1, tx0, tx1, ay, ax, inY, inX) = Sample(flow, b, i, j, hx, wx, h, w, border);
                    T gx = T.Zero, gy = T.Zero;
                    for (int ch = 0; ch < c; ch++)
                    {
                        var p = x.Slice((b * c + ch) * hx * wx, hx * wx);
                        T v00 = Read(p, ty0, tx0, wx), v01 = Read(p, ty0, tx1, wx);
                        T v10 = Read(p, ty1, tx0, wx), v11 = Read(p, ty1, tx1, wx);
                        T g = dy[((b * c + ch) * h + i) * w + j];
                        gx += g * ((T.One - ay) * (v01 - v00) + ay * (v11 - v10));
                        gy += g * ((T.One - ax) * (v10 - v00) + ax * (v11 - v01));
                    }
                    dflow[b * 2 * plane + i * w + j] = inX ? gx : T.Zero;
                    dflow[(b * 2 + 1) * plane + i * w + j] = inY ? gy : T.Zero;
                }
    }
}
