using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Algorithms;

/// <summary>
/// Images to a network's input, by the network's stored <see cref="Preprocessing"/>: channel count (grey by
/// ITU-R 601 luma or RGB), then the imaging pipeline (letterboxing onto the canvas, or resizing the shorter side and
/// centre-cropping; normalization).
/// </summary>
public static class NetInput
{
    /// <summary>Images as one input batch (N, C, H, W) for a network taking <paramref name="channels"/> channels with preprocessing <paramref name="pre"/>.</summary>
    public static Tensor FromImages(IReadOnlyList<Image> images, Preprocessing pre, int channels, IBackend backend) =>
        Preprocess.Batch(images.Select(i => Fit(i, channels)).ToList(), pre.For(channels), backend);

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
