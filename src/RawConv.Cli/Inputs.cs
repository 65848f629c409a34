using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>Turns --image files or an --input .npy into the network's input tensor.</summary>
internal static class Inputs
{
    /// <summary>(tensor (N, C, H, W), one display name per image).</summary>
    public static (Tensor X, string[] Names) Load(string[]? images, string? npy, LoadedModel m, IBackend b)
    {
        var spec = m.Net.Spec;
        if (npy != null)
        {
            if (images is { Length: > 0 }) throw new RawConvException("give either --image or --input, not both");
            var t = Npy.ReadTensor(b, npy);
            var want = spec.InputShape(t.Shape.Rank == 4 ? t.Shape.N : 1);
            if (t.Shape.Rank == 3) t = t.CopyAs(new Shape(1, t.Shape[0], t.Shape[1], t.Shape[2]));
            if (t.Shape != want)
                throw new RawConvException($"{npy}: tensor {t.Shape} does not fit the input {spec.InputShape()} of {spec.Name} (expected (N, {spec.InputChannels}, {spec.InputHeight}, {spec.InputWidth}), already preprocessed)");
            return (t, Enumerable.Range(0, t.Shape.N).Select(i => t.Shape.N == 1 ? npy : $"{npy}[{i}]").ToArray());
        }
        if (images is not { Length: > 0 }) throw new RawConvException("no input: pass --image FILE (repeatable) or --input x.npy");
        var opts = Models.Options(m.Preprocessing, spec.InputChannels);
        var loaded = images.Select(p => Letterbox(Fit(ImageIO.Load(p), spec.InputChannels), m.Preprocessing)).ToList();
        return (Preprocess.Batch(loaded, opts, b), images);
    }

    /// <summary>For letterboxed models (<see cref="Preprocessing.Letterbox"/>): the image scaled to fit the box and centred on a black canvas of the input size; else unchanged.</summary>
    public static Image Letterbox(Image img, Preprocessing pre)
    {
        if (pre.Letterbox <= 0) return img;
        double f = (double)pre.Letterbox / Math.Max(img.Width, img.Height);
        int w = Math.Max(1, (int)Math.Round(img.Width * f)), h = Math.Max(1, (int)Math.Round(img.Height * f));
        var fitted = w == img.Width && h == img.Height ? img : Resize.Bilinear(img, w, h);
        var canvas = new Image(pre.Width, pre.Height, img.Channels, img.BitDepth);
        int top = (pre.Height - h) / 2, left = (pre.Width - w) / 2, c = img.Channels;
        for (int y = 0; y < h; y++)
            Array.Copy(fitted.Data, y * w * c, canvas.Data, ((top + y) * pre.Width + left) * c, w * c);
        return canvas;
    }

    /// <summary>Converts to the channel count the network takes (grey by ITU-R 601 luma, as Pillow's "L").</summary>
    public static Image Fit(Image img, int channels)
    {
        var rgb = img.ToRgb8();
        if (channels == 3) return rgb;
        if (channels != 1) throw new RawConvException($"networks with {channels} input channels cannot take images");
        var grey = new Image(rgb.Width, rgb.Height, 1);
        for (int i = 0; i < rgb.Width * rgb.Height; i++)
            grey.Data[i] = Preprocess.Luma(rgb.Data[3 * i], rgb.Data[3 * i + 1], rgb.Data[3 * i + 2]);
        return grey;
    }
}
