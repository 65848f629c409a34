namespace RawConv.Graph;

public static partial class Zoo
{
    /// <summary>
    /// torchvision's VGG-16 (<paramref name="depth"/> 16, configuration D) or VGG-19 (19, configuration E), without
    /// batch normalization: 3×3 convolutions (pad 1) in five blocks of 64, 128, 256, 512, 512 maps, each block ending in a
    /// 2×2 stride-2 max pool, then fc6–fc8 (4096, 4096, 1000) with dropout as torchvision orders them; input 3×224×224,
    /// torchvision preprocessing (its adaptive 7×7 average pool is the identity at 224 and is left out). Layers are named
    /// as neural-style names them: conv1_1, relu1_1, conv1_2, relu1_2, pool1, conv2_1, … pool5, so style and texture
    /// layers read the same on every VGG; the convolutional part runs on any input side that is a multiple of 32.
    /// </summary>
    public static NetSpec Vgg(int depth)
    {
        int[] convs = depth switch
        {
            16 => [2, 2, 3, 3, 3],
            19 => [2, 2, 4, 4, 4],
            _ => throw new RawConvException($"vgg: depth {depth} is not 16 or 19"),
        };
        int[] maps = [64, 128, 256, 512, 512];
        var layers = new List<Layer>();
        for (int b = 0; b < 5; b++)
        {
            for (int i = 1; i <= convs[b]; i++)
            {
                layers.Add(new ConvLayer($"conv{b + 1}_{i}", maps[b], 3, 3, PadH: 1, PadW: 1));
                layers.Add(new ReluLayer($"relu{b + 1}_{i}"));
            }
            layers.Add(new MaxPoolLayer($"pool{b + 1}", 2, 2, 2, 2));
        }
        layers.AddRange(
        [
            new FlattenLayer("flatten"),
            new FcLayer("fc6", 4096),
            new ReluLayer("relu6"),
            new DropoutLayer("drop6"),
            new FcLayer("fc7", 4096),
            new ReluLayer("relu7"),
            new DropoutLayer("drop7"),
            new FcLayer("fc8", 1000),
            new SoftmaxLayer("prob"),
        ]);
        return new NetSpec($"vgg{depth}", 3, 224, 224, layers);
    }

    /// <summary>
    /// The convolutional part of <paramref name="spec"/> up to and including <paramref name="last"/>, for an input of
    /// <paramref name="height"/>×<paramref name="width"/> (a VGG's features at a small size: no fully connected weights are allocated).
    /// </summary>
    public static NetSpec Truncate(NetSpec spec, string last, int height, int width)
    {
        int end = spec.IndexOf(last);
        return new NetSpec($"{spec.Name}_to_{last}", spec.InputChannels, height, width, spec.Layers.Take(end + 1).ToList()).Validate();
    }
}
