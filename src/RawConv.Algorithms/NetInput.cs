using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Algorithms;

/// <summary>
/// Images to a network's input, by the network's stored <see cref="Preprocessing"/>: channel count (grey by
/// ITU-R 601 luma or RGB), letterboxing onto the canvas, or resizing the shorter side and centre-cropping, then
/// normalization. The one place a <see cref="Preprocessing"/> becomes the imaging library's <see cref="PreprocessOptions"/>.
/// </summary>
public static class NetInput
{
    /// <summary>
    /// The imaging pipeline for <paramref name="pre"/>: with <paramref name="geometry"/>, the shorter side resized
    /// (256 for 227-pixel Caffe inputs, else in the 256/224 ratio) and centre-cropped; without it (or for letterboxed
    /// models, whose images arrive already on the canvas), normalization alone, as used to undo it for display.
    /// </summary>
    public static PreprocessOptions Options(Preprocessing pre, int channels, bool geometry = false)
    {
        bool bgr = pre.ChannelOrder == ChannelOrder.BGR;
        if (!geometry || pre.Letterbox > 0)
            return new(0, 0, 0, bgr && channels == 3, pre.Scale, pre.Mean.Take(channels).ToArray(), pre.Std.Take(channels).ToArray()) { Channels = channels };
        int shorter = pre.Height == 227 ? 256 : (int)Math.Round(pre.Height * 256.0 / 224.0);
        return new PreprocessOptions(shorter, pre.Height, pre.Width, bgr, pre.Scale, pre.Mean.Take(channels).ToArray(), pre.Std.Take(channels).ToArray()) { Channels = channels };
    }

    /// <summary>Images as one input batch (N, C, H, W) for a network taking <paramref name="channels"/> channels with preprocessing <paramref name="pre"/>.</summary>
    public static Tensor FromImages(IReadOnlyList<Image> images, Preprocessing pre, int channels, IBackend backend) =>
        Preprocess.Batch(images.Select(i => Letterbox(Fit(i, channels), pre)).ToList(), Options(pre, channels, geometry: true), backend);

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
