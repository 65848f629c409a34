using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Algorithms.Seeing;

/// <summary>Turning input-space maps (projections, gradients) into pictures.</summary>
public static class Display
{
    /// <summary>
    /// A projection or gradient (C, H, W) in the network's input space as an RGB (or grey) picture, the way
    /// Zeiler–Fergus show them: 0 ↦ mid-grey, ±max|v| (after clipping <paramref name="clipPercent"/> of
    /// outliers) ↦ 0 and 255, channels put back into RGB order.
    /// </summary>
    public static Image Signed(ReadOnlySpan<float> chw, int c, int h, int w, Preprocessing pre, float clipPercent = 0)
    {
        if (chw.Length != c * h * w) throw new RawConvException($"display: {chw.Length} values for ({c}, {h}, {w})");
        var v = Deprocess.Normalize(chw, NormalizeMode.Symmetric, clipPercent);
        var img = new Image(w, h, c == 3 ? 3 : 1);
        int plane = h * w;
        for (int ch = 0; ch < Math.Min(c, 3); ch++)
        {
            int dst = c == 3 && pre.ChannelOrder == ChannelOrder.BGR ? 2 - ch : ch;
            for (int p = 0; p < plane; p++)
                img.Data[p * img.Channels + dst] = (ushort)Math.Clamp((int)MathF.Round(v[ch * plane + p] * 255f), 0, 255);
        }
        return img;
    }

    /// <summary>The input tensor's image <paramref name="n"/> back as a picture (exact inverse of the preprocessing).</summary>
    public static Image Input(Tensor x, int n, Preprocessing pre)
    {
        var s = x.Shape;
        int per = s.C * s.H * s.W;
        var all = x.ToArray();
        return Deprocess.ToImage(all.AsSpan(n * per, per).ToArray(), s.C, s.H, s.W, pre.For(s.C));
    }

    /// <summary>Crops box (y0, x0, y1, x1) out of <paramref name="img"/>, padding with <paramref name="fill"/> where the box hangs over the edge.</summary>
    public static Image Crop(Image img, int y0, int x0, int y1, int x1, ushort fill = 0)
    {
        int h = y1 - y0, w = x1 - x0, ch = img.Channels;
        var o = new Image(w, h, ch, img.BitDepth);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sy = y0 + y, sx = x0 + x;
                bool inside = sy >= 0 && sy < img.Height && sx >= 0 && sx < img.Width;
                for (int c = 0; c < ch; c++) o.Data[(y * w + x) * ch + c] = inside ? img.Data[(sy * img.Width + sx) * ch + c] : fill;
            }
        return o;
    }
}
