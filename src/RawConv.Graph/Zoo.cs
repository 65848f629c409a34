namespace RawConv.Graph;

/// <summary>Network definitions of the model zoo (architectures only; weights come from files).</summary>
public static partial class Zoo
{
    /// <summary>Names accepted by <see cref="Get"/>; "mini_alexnet" is the shipped default model's architecture.</summary>
    public static readonly string[] Names = ["bvlc_alexnet", "caffenet", "torchvision_alexnet", "zfnet", "vgg16", "vgg19", "mini_alexnet", "random-multiscale"];

    /// <summary>True when <paramref name="name"/> is a zoo name or a parameterized one ("mini-alexnet:…", "generator:…").</summary>
    public static bool Has(string name) => Names.Contains(name)
        || name.StartsWith("mini-alexnet:", StringComparison.OrdinalIgnoreCase) || name.StartsWith("generator:", StringComparison.OrdinalIgnoreCase)
        || HasOwnWeights(name);

    /// <summary>
    /// The architecture called <paramref name="name"/>; "mini-alexnet:key=value,…" gives a variant of the default
    /// model (<see cref="MiniAlexNetConfig.Parse"/>), "generator:CODE:C:H:W" an image generator (<see cref="Generator"/>),
    /// "random-multiscale[:SEED[:FILTERS[:SIZES]]]" the random multi-scale texture network (<see cref="WithOwnWeights"/>).
    /// </summary>
    public static NetSpec Get(string name) => name switch
    {
        "bvlc_alexnet" => CaffeAlexNet(),
        "caffenet" => CaffeNet(),
        "torchvision_alexnet" => TorchvisionAlexNet(),
        "zfnet" => ZfNet(),
        "vgg16" => Vgg(16),
        "vgg19" => Vgg(19),
        "mini_alexnet" => MiniAlexNet.Spec(MiniAlexNetConfig.Shipped),
        _ when name.StartsWith("mini-alexnet", StringComparison.OrdinalIgnoreCase) => MiniAlexNet.Spec(MiniAlexNetConfig.Parse(name)),
        _ when name.StartsWith("generator:", StringComparison.OrdinalIgnoreCase) => ParseGenerator(name),
        _ when HasOwnWeights(name) => RandomMultiScale(name),
        _ => throw new RawConvException($"unknown model '{name}'; the zoo has {string.Join(", ", Names)}, mini-alexnet:key=value,…, generator:CODE:C:H:W and random-multiscale:SEED:FILTERS:SIZES"),
    };

    /// <summary>Caffe bvlc_alexnet deploy.prototxt: conv–relu–norm–pool ×2, conv3–5, pool5, fc6–fc8, softmax; input 3×227×227 BGR.</summary>
    public static NetSpec CaffeAlexNet(bool poolBeforeNorm = false) => new(poolBeforeNorm ? "caffenet" : "bvlc_alexnet", 3, 227, 227,
    [
        new ConvLayer("conv1", 96, 11, 11, 4, 4),
        new ReluLayer("relu1"),
        .. NormPool(1, poolBeforeNorm),
        new ConvLayer("conv2", 256, 5, 5, PadH: 2, PadW: 2, Groups: 2),
        new ReluLayer("relu2"),
        .. NormPool(2, poolBeforeNorm),
        new ConvLayer("conv3", 384, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu3"),
        new ConvLayer("conv4", 384, 3, 3, PadH: 1, PadW: 1, Groups: 2),
        new ReluLayer("relu4"),
        new ConvLayer("conv5", 256, 3, 3, PadH: 1, PadW: 1, Groups: 2),
        new ReluLayer("relu5"),
        new MaxPoolLayer("pool5", 3, 3, 2, 2, CeilMode: true),
        .. Classifier(4096, 1000),
    ]);

    /// <summary>CaffeNet: bvlc_alexnet with pool and norm swapped.</summary>
    public static NetSpec CaffeNet() => CaffeAlexNet(poolBeforeNorm: true);

    /// <summary>torchvision AlexNet: 64-192-384-256-256, no groups, no LRN, adaptive 6×6 pool (identity at 224), input 224.</summary>
    public static NetSpec TorchvisionAlexNet() => new("torchvision_alexnet", 3, 224, 224,
    [
        new ConvLayer("conv1", 64, 11, 11, 4, 4, 2, 2),
        new ReluLayer("relu1"),
        new MaxPoolLayer("pool1", 3, 3, 2, 2),
        new ConvLayer("conv2", 192, 5, 5, PadH: 2, PadW: 2),
        new ReluLayer("relu2"),
        new MaxPoolLayer("pool2", 3, 3, 2, 2),
        new ConvLayer("conv3", 384, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu3"),
        new ConvLayer("conv4", 256, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu4"),
        new ConvLayer("conv5", 256, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu5"),
        new MaxPoolLayer("pool5", 3, 3, 2, 2),
        new FlattenLayer("flatten"),
        new DropoutLayer("drop6"),
        new FcLayer("fc6", 4096),
        new ReluLayer("relu6"),
        new DropoutLayer("drop7"),
        new FcLayer("fc7", 4096),
        new ReluLayer("relu7"),
        new FcLayer("fc8", 1000),
        new SoftmaxLayer("prob"),
    ]);

    /// <summary>ZFNet (Zeiler &amp; Fergus 2014): conv1 96 7×7 /2, conv2 5×5 /2, then as AlexNet (no groups); input 224.</summary>
    public static NetSpec ZfNet() => new("zfnet", 3, 224, 224,
    [
        new ConvLayer("conv1", 96, 7, 7, 2, 2, 1, 1),
        new ReluLayer("relu1"),
        new MaxPoolLayer("pool1", 3, 3, 2, 2, 1, 1),
        new LrnLayer("norm1"),
        new ConvLayer("conv2", 256, 5, 5, 2, 2),
        new ReluLayer("relu2"),
        new MaxPoolLayer("pool2", 3, 3, 2, 2, 1, 1),
        new LrnLayer("norm2"),
        new ConvLayer("conv3", 384, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu3"),
        new ConvLayer("conv4", 384, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu4"),
        new ConvLayer("conv5", 256, 3, 3, PadH: 1, PadW: 1),
        new ReluLayer("relu5"),
        new MaxPoolLayer("pool5", 3, 3, 2, 2),
        .. Classifier(4096, 1000),
    ]);

    private static Layer[] NormPool(int i, bool poolFirst) => poolFirst
        ? [new MaxPoolLayer($"pool{i}", 3, 3, 2, 2, CeilMode: true), new LrnLayer($"norm{i}")]
        : [new LrnLayer($"norm{i}"), new MaxPoolLayer($"pool{i}", 3, 3, 2, 2, CeilMode: true)];

    private static Layer[] Classifier(int hidden, int classes) =>
    [
        new FlattenLayer("flatten"),
        new FcLayer("fc6", hidden),
        new ReluLayer("relu6"),
        new DropoutLayer("drop6"),
        new FcLayer("fc7", hidden),
        new ReluLayer("relu7"),
        new DropoutLayer("drop7"),
        new FcLayer("fc8", classes),
        new SoftmaxLayer("prob"),
    ];
}
