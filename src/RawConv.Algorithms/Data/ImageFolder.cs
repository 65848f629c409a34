using RawConv.Imaging;

namespace RawConv.Algorithms.Data;

/// <summary>
/// Images in one sub-folder per class (class names = sub-folder names, sorted ordinally). Each file is
/// decoded with <see cref="ImageIO.Load"/>, converted to gray (mean of RGB) or RGB, scaled bilinearly so
/// its shorter side is the target's longer side, centre-cropped to Height×Width, and stored as floats
/// in [0, 1] (alpha dropped). Files are decoded when first read and kept in memory.
/// </summary>
public sealed class ImageFolder : IDataset
{
    /// <summary>File extensions picked up (case-insensitive).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".pgm", ".ppm", ".pnm"];

    private readonly List<(string Path, int Label)> items = new();
    private readonly Dictionary<int, float[]> cache = new();
    private readonly string[] classes;

    /// <summary>Scans <paramref name="root"/>; items become <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.</summary>
    public ImageFolder(string root, int channels = 1, int height = 40, int width = 40)
    {
        if (!Directory.Exists(root)) throw new RawConvException($"image folder {root} does not exist");
        if (channels is not (1 or 3)) throw new RawConvException($"image folder {root}: channels must be 1 or 3, got {channels}");
        if (height <= 0 || width <= 0) throw new RawConvException($"image folder {root}: size {height}×{width} must be positive");
        classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new RawConvException($"image folder {root} has no class sub-folders");
        for (int c = 0; c < classes.Length; c++)
            foreach (var f in Directory.GetFiles(Path.Combine(root, classes[c])).Order(StringComparer.Ordinal))
                if (Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())) items.Add((f, c));
        if (items.Count == 0) throw new RawConvException($"image folder {root}: no images ({string.Join(", ", Extensions)}) in its sub-folders");
        Root = root;
        ItemShape = new Shape(1, channels, height, width);
    }

    /// <summary>The folder scanned.</summary>
    public string Root { get; }
    /// <inheritdoc/>
    public int Count => items.Count;
    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => classes;
    /// <inheritdoc/>
    public Shape ItemShape { get; }
    /// <inheritdoc/>
    public int Label(int index) => items[index].Label;
    /// <summary>The file of item <paramref name="index"/>.</summary>
    public string PathOf(int index) => items[index].Path;

    /// <inheritdoc/>
    public void CopyItem(int index, Span<float> dst)
    {
        if (!cache.TryGetValue(index, out var v))
            cache[index] = v = Prepare(ImageIO.Load(items[index].Path), ItemShape.C, ItemShape.H, ItemShape.W);
        v.CopyTo(dst);
    }

    /// <summary>Gray or RGB floats in [0, 1], shorter side scaled to cover h×w (bilinear, pixel centres aligned), centre crop.</summary>
    public static float[] Prepare(Image img, int channels, int h, int w)
    {
        int iw = img.Width, ih = img.Height, ic = img.Channels, colour = img.HasAlpha ? ic - 1 : ic;
        float max = img.MaxValue;
        double scale = Math.Max((double)h / ih, (double)w / iw);
        double offY = (ih * scale - h) / 2, offX = (iw * scale - w) / 2;
        var outp = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
            {
                double sy = Math.Clamp((y + offY + 0.5) / scale - 0.5, 0, ih - 1);
                int y0 = (int)sy, y1 = Math.Min(y0 + 1, ih - 1);
                double fy = sy - y0;
                for (int x = 0; x < w; x++)
                {
                    double sx = Math.Clamp((x + offX + 0.5) / scale - 0.5, 0, iw - 1);
                    int x0 = (int)sx, x1 = Math.Min(x0 + 1, iw - 1);
                    double fx = sx - x0;
                    double top = Sample(img, x0, y0, c, channels, colour) * (1 - fx) + Sample(img, x1, y0, c, channels, colour) * fx;
                    double bot = Sample(img, x0, y1, c, channels, colour) * (1 - fx) + Sample(img, x1, y1, c, channels, colour) * fx;
                    outp[(c * h + y) * w + x] = (float)((top * (1 - fy) + bot * fy) / max);
                }
            }
        return outp;
    }

    // Gray output averages the colour channels; RGB output from a gray image repeats it.
    private static double Sample(Image img, int x, int y, int c, int channels, int colour)
    {
        if (channels == 3) return img[x, y, colour == 1 ? 0 : c];
        if (colour == 1) return img[x, y, 0];
        return (img[x, y, 0] + img[x, y, 1] + (double)img[x, y, 2]) / 3;
    }
}
