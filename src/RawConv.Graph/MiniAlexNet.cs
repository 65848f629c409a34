namespace RawConv.Graph;

/// <summary>
/// Widths and input canvas of <see cref="MiniAlexNet"/>: conv1..conv5 channels, the two hidden fully
/// connected layers, conv1's stride, and the side of the square one-channel input.
/// </summary>
public sealed record MiniAlexNetConfig(int Canvas = 40, int C1 = 32, int C2 = 64, int C3 = 96, int C4 = 96, int C5 = 64,
    int Fc = 256, int Conv1Stride = 2, int Classes = 10, float Dropout = 0.5f)
{
    /// <summary>
    /// The shipped default model (weights/default.h5): conv1 stride 1 (the 28×28 items keep their resolution up
    /// to pool1) and dropout 0.2. The record's own defaults are the 4× cheaper stride-2 variant used by tests.
    /// </summary>
    public static MiniAlexNetConfig Shipped { get; } = new(Conv1Stride: 1, Dropout: 0.2f);

    /// <summary>
    /// Parses "mini-alexnet" or "mini-alexnet:key=value,..." with keys canvas, c1..c5, fc, stride (conv1's),
    /// classes (positive integers) and dropout (a probability in [0, 1)); unnamed keys keep <paramref name="defaults"/>' values.
    /// </summary>
    public static MiniAlexNetConfig Parse(string text, MiniAlexNetConfig? defaults = null)
    {
        var c = defaults ?? new MiniAlexNetConfig();
        int colon = text.IndexOf(':');
        if (!text[..(colon < 0 ? text.Length : colon)].Equals("mini-alexnet", StringComparison.OrdinalIgnoreCase))
            throw new RawConvException($"{text}: not a mini-alexnet description (mini-alexnet[:key=value,...])");
        if (colon < 0) return c;
        foreach (var part in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=');
            if (kv.Length == 2 && kv[0].Equals("dropout", StringComparison.OrdinalIgnoreCase))
            {
                if (!float.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float d) || d < 0 || d >= 1)
                    throw new RawConvException($"{text}: dropout '{kv[1]}' is not a probability in [0, 1)");
                c = c with { Dropout = d };
                continue;
            }
            if (kv.Length != 2 || !int.TryParse(kv[1], out int v) || v <= 0)
                throw new RawConvException($"{text}: '{part}' is not key=positive-integer");
            c = kv[0].ToLowerInvariant() switch
            {
                "canvas" => c with { Canvas = v }, "c1" => c with { C1 = v }, "c2" => c with { C2 = v }, "c3" => c with { C3 = v },
                "c4" => c with { C4 = v }, "c5" => c with { C5 = v }, "fc" => c with { Fc = v }, "stride" => c with { Conv1Stride = v },
                "classes" => c with { Classes = v },
                _ => throw new RawConvException($"{text}: unknown key '{kv[0]}' (canvas, c1..c5, fc, stride, classes, dropout)"),
            };
        }
        return c;
    }
}

/// <summary>
/// The default model: bvlc_alexnet's layout scaled to 1×40×40 Fashion-MNIST canvases.
/// conv1 5×5 stride 2 pad 2 → ReLU → LRN(5) → max pool 3/2 (ceil); conv2 5×5 pad 2 groups 2 → ReLU →
/// LRN → pool 3/2; conv3 3×3 pad 1; conv4 3×3 pad 1 groups 2; conv5 3×3 pad 1 groups 2 → pool 3/2;
/// fc6, fc7 with ReLU and dropout 0.5; fc8 (classes); softmax. At 40×40 the spatial sizes are
/// 40 → 20 → 10 → 10 → 5 → 5 → 2 (AlexNet: 227 → 55 → 27 → 27 → 13 → 13 → 6). Defaults: 32-64-96-96-64
/// channels, fc 256-256: 285,322 parameters, 6.1 M multiply-adds per image; stride 1 in conv1 costs
/// 4× the multiply-adds (measured 125 vs 338 images/s training at batch 64 on the shared 2-core PoCL).
/// </summary>
public static class MiniAlexNet
{
    /// <summary>The architecture for <paramref name="config"/> (the defaults when null).</summary>
    public static NetSpec Spec(MiniAlexNetConfig? config = null)
    {
        var c = config ?? new MiniAlexNetConfig();
        return new NetSpec("mini_alexnet", 1, c.Canvas, c.Canvas,
        [
            new ConvLayer("conv1", c.C1, 5, 5, c.Conv1Stride, c.Conv1Stride, 2, 2),
            new ReluLayer("relu1"),
            new LrnLayer("norm1"),
            new MaxPoolLayer("pool1", 3, 3, 2, 2, CeilMode: true),
            new ConvLayer("conv2", c.C2, 5, 5, PadH: 2, PadW: 2, Groups: 2),
            new ReluLayer("relu2"),
            new LrnLayer("norm2"),
            new MaxPoolLayer("pool2", 3, 3, 2, 2, CeilMode: true),
            new ConvLayer("conv3", c.C3, 3, 3, PadH: 1, PadW: 1),
            new ReluLayer("relu3"),
            new ConvLayer("conv4", c.C4, 3, 3, PadH: 1, PadW: 1, Groups: 2),
            new ReluLayer("relu4"),
            new ConvLayer("conv5", c.C5, 3, 3, PadH: 1, PadW: 1, Groups: 2),
            new ReluLayer("relu5"),
            new MaxPoolLayer("pool5", 3, 3, 2, 2, CeilMode: true),
            new FlattenLayer("flatten"),
            new FcLayer("fc6", c.Fc),
            new ReluLayer("relu6"),
            new DropoutLayer("drop6", c.Dropout),
            new FcLayer("fc7", c.Fc),
            new ReluLayer("relu7"),
            new DropoutLayer("drop7", c.Dropout),
            new FcLayer("fc8", c.Classes),
            new SoftmaxLayer("prob"),
        ]).Validate();
    }
}
