using RawConv.Algorithms.Style;
using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>One input of `style` as read: planar floats, either RGB pixels 0–255 (an image file) or the network's input space (a .npy).</summary>
internal sealed record StyleSource(string Path, bool IsNpy, float[] Planes, int Channels, int H, int W)
{
    /// <summary>This source resized (bilinear, on the host) to <paramref name="h"/>×<paramref name="w"/>; itself when already that size.</summary>
    public StyleSource Resized(int h, int w) =>
        h == H && w == W ? this : this with { Planes = Resize.Bilinear(Planes, Channels, H, W, h, w), H = h, W = w };
}

/// <summary>Reads `style`'s content, style and start images (image files or NCHW float32 .npy), refusing bad ones by option and file.</summary>
internal static class StyleInputs
{
    /// <summary>The largest side of the default output size (neural-style's -image_size default).</summary>
    public const int MaxSide = 512;

    /// <summary>Reads <paramref name="path"/> given to <paramref name="option"/>: a .npy must be (1, C, H, W) or (C, H, W) float32 with the network's C, finite.</summary>
    public static StyleSource Load(string path, string option, NetSpec spec)
    {
        if (!File.Exists(path)) throw new RawConvException($"{option}: {path}: no such file — give a PNG, JPEG or PPM/PGM picture or an NCHW float32 .npy");
        if (!OutputWriter.IsNpy(path))
        {
            var img = ImageIO.Load(path);
            return new StyleSource(path, false, ColourTransfer.Planes(img), 3, img.Height, img.Width);
        }
        var (shape, data, dtype) = Npy.Read(path);
        int c = spec.InputChannels;
        if (data is not float[] f) throw new RawConvException($"{option}: {path}: holds {dtype}, not float32 — save the tensor as float32");
        var dims = shape.Length == 4 && shape[0] == 1 ? shape[1..] : shape;
        if (dims.Length != 3 || dims[1] < 1 || dims[2] < 1)
            throw new RawConvException($"{option}: {path}: shape ({string.Join(", ", shape)}) is not (1, C, H, W) — give one image in the network's input space");
        if (dims[0] != c)
            throw new RawConvException($"{option}: {path}: shape ({string.Join(", ", shape)}) has {dims[0]} channels but {spec.Name} takes {c} — give (1, {c}, H, W)");
        int bad = f.Count(v => !float.IsFinite(v));
        if (bad > 0) throw new RawConvException($"{option}: {path}: holds {bad} non-finite values — inputs must be finite");
        return new StyleSource(path, true, f, c, dims[1], dims[2]);
    }

    /// <summary>
    /// The output size: --size H,W, or --size N for the longer side N (aspect kept), else the content's size with its
    /// longer side capped at <see cref="MaxSide"/>.
    /// </summary>
    public static (int H, int W) OutputSize(int[]? size, StyleSource content)
    {
        if (size is [int h, int w]) return (h, w);
        int side = size is [int n] ? n : Math.Min(MaxSide, Math.Max(content.H, content.W));
        return Scaled(content.H, content.W, side);
    }

    /// <summary>(h, w) scaled so the longer side is <paramref name="side"/>, at least 1 each.</summary>
    public static (int H, int W) Scaled(int h, int w, double side)
    {
        double f = side / Math.Max(h, w);
        return (Math.Max(1, (int)Math.Round(h * f)), Math.Max(1, (int)Math.Round(w * f)));
    }

    /// <summary>
    /// The content and styles as network inputs (planar floats) under <paramref name="mode"/>; also the content's YIQ
    /// planes when the luminance mode must put its chroma back. Colour modes need image files.
    /// </summary>
    public static (float[] Content, float[][] Styles, float[]? ContentYiq) ToNetwork(StyleSource content, IReadOnlyList<StyleSource> styles,
        PreserveColour mode, Preprocessing pre)
    {
        if (mode != PreserveColour.None)
            foreach (var (s, option) in styles.Select(s => (s, "--style")).Prepend((content, "--content")))
                if (s.IsNpy)
                    throw new RawConvException($"{option}: {s.Path}: --preserve-colour {mode.ToString().ToLowerInvariant()} needs colour pixels — give an image file, not a .npy");
        float[] Net(StyleSource s) => s.IsNpy ? s.Planes : ColourTransfer.ToInput(s.Planes, pre);
        switch (mode)
        {
            case PreserveColour.Histogram:
                return (Net(content), styles.Select(s => ColourTransfer.ToInput(ColourTransfer.MatchColour(s.Planes, content.Planes), pre)).ToArray(), null);
            case PreserveColour.Luminance:
                var yiq = ColourTransfer.ToYiq(content.Planes);
                var y = yiq.AsSpan(0, content.H * content.W).ToArray();
                return (ColourTransfer.ToInput(Grey(y), pre),
                    styles.Select(s => ColourTransfer.ToInput(Grey(ColourTransfer.MatchLuminance(ColourTransfer.Luminance(s.Planes), y)), pre)).ToArray(), yiq);
            default:
                return (Net(content), styles.Select(Net).ToArray(), null);
        }
    }

    /// <summary>The picture of a network input (1, C, H, W): deprocessed, or under the luminance mode its luminance joined with the content's I and Q.</summary>
    public static Image Picture(float[] x, int h, int w, Preprocessing pre, float[]? contentYiq)
    {
        if (contentYiq is null) return Deprocess.ToImage(x, pre.Channels, h, w, pre);
        var y = ColourTransfer.Luminance(ColourTransfer.FromInput(x, pre));
        var yiq = (float[])contentYiq.Clone();
        y.CopyTo(yiq, 0);
        return ColourTransfer.ToImage(ColourTransfer.FromYiq(yiq), h, w);
    }

    private static float[] Grey(float[] y)
    {
        var o = new float[3 * y.Length];
        for (int c = 0; c < 3; c++) y.CopyTo(o, c * y.Length);
        return o;
    }
}
