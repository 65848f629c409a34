namespace RawConv.Graph;

public static partial class Zoo
{
    /// <summary>The leaky ReLU slope of the generators of Dosovitskiy &amp; Brox (2016) and Nguyen et al. (2016).</summary>
    public const float GeneratorSlope = 0.3f;

    /// <summary>
    /// An image generator in the shape of Dosovitskiy &amp; Brox (2016) and Nguyen et al. (2016): input a code (N,
    /// <paramref name="codeLength"/>), output (N, <paramref name="channels"/>, <paramref name="height"/>,
    /// <paramref name="width"/>) in (−1, 1). Fully connected layers with leaky ReLU (slope 0.3) — one hidden layer of
    /// clamp(codeLength, 256, 4096) units, two for k ≥ 5 — then a reshape to C0×H0×W0, k up-convolutions (4×4, stride
    /// 2, pad 1, each doubling the side, leaky ReLU after each, a 3×3 convolution after each of the first k − 3), a
    /// 3×3 convolution to the image channels, a centre crop where 2^k·H0 overshoots, and tanh. k is the largest number
    /// of doublings leaving a start side ≥ 4 on the shorter image side; H0 = ⌈height / 2^k⌉, W0 = ⌈width / 2^k⌉;
    /// C0 = min(256, 16·2^k); up-convolution i (from 0) has min(C0, 16·2^(k−1−i)) maps. Code 4096 → 3×227×227 gives
    /// Nguyen et al.'s 4096×3 fully connected layers, 256×4×4 reshape and six up-convolutions to 256×256 cropped to 227.
    /// </summary>
    public static NetSpec Generator(int codeLength, int channels, int height, int width, string name = "generator")
    {
        if (codeLength < 1 || codeLength > 65536 || channels < 1 || channels > 64 || Math.Min(height, width) < 8 || Math.Max(height, width) > 1024)
            throw new RawConvException($"{name}: a code of {codeLength} to {channels}×{height}×{width} images is out of range — "
                + "the code needs 1 to 65,536 values, the image 1 to 64 channels and sides from 8 to 1024");
        int k = 0;
        while (Up(Math.Min(height, width), k + 1) >= 4) k++;
        int h0 = Up(height, k), w0 = Up(width, k), c0 = Math.Min(256, 16 << k);
        int hidden = Math.Clamp(codeLength, 256, 4096), hiddenLayers = k >= 5 ? 2 : 1;
        var layers = new List<Layer>();
        for (int i = 1; i <= hiddenLayers + 1; i++)
        {
            layers.Add(new FcLayer($"fc{i}", i <= hiddenLayers ? hidden : c0 * h0 * w0));
            layers.Add(new LeakyReluLayer($"lrelu_fc{i}", GeneratorSlope));
        }
        layers.Add(new ReshapeLayer("reshape", c0, h0, w0));
        for (int i = 0; i < k; i++)
        {
            int maps = Math.Min(c0, 16 << (k - 1 - i));
            layers.Add(new ConvTransposeLayer($"up{i + 1}", maps, 4, 4, 2, 2, 1, 1));
            layers.Add(new LeakyReluLayer($"lrelu_up{i + 1}", GeneratorSlope));
            if (i >= k - 3) continue;
            layers.Add(new ConvLayer($"conv{i + 1}", maps, 3, 3, PadH: 1, PadW: 1));
            layers.Add(new LeakyReluLayer($"lrelu_conv{i + 1}", GeneratorSlope));
        }
        layers.Add(new ConvLayer("conv_out", channels, 3, 3, PadH: 1, PadW: 1));
        if (h0 << k != height || w0 << k != width) layers.Add(new CropLayer("crop", height, width));
        layers.Add(new TanhLayer("tanh"));
        return new NetSpec(name, new Shape(codeLength), layers).Validate();
    }

    private static int Up(int side, int k) => (side + (1 << k) - 1) >> k;

    /// <summary>Parses "generator:CODE:C:H:W" (e.g. "generator:256:1:40:40").</summary>
    private static NetSpec ParseGenerator(string name)
    {
        var parts = name.Split(':');
        var n = parts.Skip(1).Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        if (n.Length != 4 || n.Any(v => v < 0))
            throw new RawConvException($"model '{name}': expected generator:CODE:C:H:W with four whole numbers, e.g. generator:256:1:40:40");
        return Generator(n[0], n[1], n[2], n[3]);
    }
}
