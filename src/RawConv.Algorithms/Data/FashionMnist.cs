namespace RawConv.Algorithms.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from IDX files, by default Debian's
/// <c>dataset-fashion-mnist</c> under /usr/share/datasets/fashion-mnist. Each 28×28 item is placed
/// centred on a larger zero canvas (default 40×40, room for shifts) as one float channel:
/// pixel/255 in [0, 1], then, when <see cref="Normalize"/> is set, (v − Mean)/Std with the
/// training-set statistics of the 28×28 pixels (mean 0.2860, std 0.3530). Background stays 0 before
/// normalization, i.e. −0.810 after it.
/// </summary>
public sealed class FashionMnist : IDataset
{
    /// <summary>Where Debian installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    /// <summary>Side of the original items.</summary>
    public const int ItemSide = 28;
    /// <summary>Mean of the training pixels in [0, 1].</summary>
    public const float Mean = 0.2860f;
    /// <summary>Standard deviation of the training pixels in [0, 1].</summary>
    public const float Std = 0.3530f;

    /// <summary>The ten class names, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly byte[] pixels;
    private readonly byte[] labels;

    private FashionMnist(byte[] pixels, byte[] labels, int canvas, bool normalize, string source)
    {
        this.pixels = pixels;
        this.labels = labels;
        Canvas = canvas;
        Normalize = normalize;
        Source = source;
    }

    /// <summary>Loads the "train" (60000) or "test" (10000, files t10k-*) split.</summary>
    public static FashionMnist Load(string split = "train", int canvas = 40, bool normalize = false, string? directory = null)
    {
        if (canvas < ItemSide) throw new RawConvException($"fashion-mnist: canvas {canvas} is smaller than the {ItemSide}×{ItemSide} items");
        string prefix = split switch
        {
            "train" => "train",
            "test" or "t10k" => "t10k",
            _ => throw new RawConvException($"fashion-mnist: unknown split '{split}'; expected train or test"),
        };
        var dir = directory ?? DefaultDirectory;
        string imgPath = Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), lblPath = Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (var p in new[] { imgPath, lblPath })
            if (!File.Exists(p))
                throw new RawConvException($"fashion-mnist: {p} not found; install it with `sudo apt-get install dataset-fashion-mnist`");
        var img = Idx.Read(imgPath);
        var lbl = Idx.Read(lblPath);
        if (img.Dims.Length != 3 || img.Dims[1] != ItemSide || img.Dims[2] != ItemSide)
            throw new RawConvException($"{imgPath}: expected N×28×28 images, got {string.Join("×", img.Dims)}");
        if (lbl.Dims.Length != 1 || lbl.Count != img.Count)
            throw new RawConvException($"{lblPath}: expected {img.Count} labels, got {string.Join("×", lbl.Dims)}");
        for (int i = 0; i < lbl.Data.Length; i++)
            if (lbl.Data[i] >= ClassNames.Length) throw new RawConvException($"{lblPath}: label {lbl.Data[i]} at item {i} is not in 0..9");
        return new FashionMnist(img.Data, lbl.Data, canvas, normalize, imgPath);
    }

    /// <summary>Side of the square canvas the items are centred on.</summary>
    public int Canvas { get; }
    /// <summary>Whether values are standardized with <see cref="Mean"/> and <see cref="Std"/>.</summary>
    public bool Normalize { get; }
    /// <summary>The image file read.</summary>
    public string Source { get; }
    /// <inheritdoc/>
    public int Count => labels.Length;
    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => ClassNames;
    /// <inheritdoc/>
    public Shape ItemShape => new(1, 1, Canvas, Canvas);
    /// <inheritdoc/>
    public int Label(int index) => labels[index];
    /// <summary>The raw 28×28 bytes of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> RawItem(int index) => pixels.AsSpan(index * ItemSide * ItemSide, ItemSide * ItemSide);

    /// <inheritdoc/>
    public void CopyItem(int index, Span<float> dst)
    {
        float bg = Normalize ? -Mean / Std : 0f;
        dst[..(Canvas * Canvas)].Fill(bg);
        int off = (Canvas - ItemSide) / 2;
        var src = RawItem(index);
        for (int y = 0; y < ItemSide; y++)
            for (int x = 0; x < ItemSide; x++)
            {
                float v = src[y * ItemSide + x] / 255f;
                dst[(y + off) * Canvas + x + off] = Normalize ? (v - Mean) / Std : v;
            }
    }
}
