using RawConv.Algorithms.Texture;
using RawConv.Graph;

namespace RawConv.Algorithms.Style;

/// <summary>
/// The layers style transfer reads and the network transform it may run on: the default content and style layers,
/// checks that name the option and layer at fault, and Gatys et al.'s max-to-average pooling swap.
/// </summary>
public static class StyleLayers
{
    /// <summary>Gatys et al.'s VGG-19 content layer (neural-style's default).</summary>
    public const string VggContent = "relu4_2";

    /// <summary>Gatys et al.'s VGG-19 style layers (neural-style's defaults).</summary>
    public static IReadOnlyList<string> VggStyle { get; } = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"];

    /// <summary>
    /// The default style layers: relu1_1…relu5_1 when the network has them all (VGG), else the texture verb's defaults
    /// (the first ReLU and every pooling layer before the classifier).
    /// </summary>
    public static IReadOnlyList<string> DefaultStyle(NetSpec spec) =>
        VggStyle.All(n => spec.Layers.Any(l => l.Name == n)) ? VggStyle : TextureSynthesis.DefaultLayers(spec);

    /// <summary>The default content layer: relu4_2 when the network has it (VGG), else the last of <see cref="DefaultStyle"/>.</summary>
    public static IReadOnlyList<string> DefaultContent(NetSpec spec) =>
        spec.Layers.Any(l => l.Name == VggContent) ? [VggContent] : [DefaultStyle(spec)[^1]];

    /// <summary>
    /// Throws naming <paramref name="option"/> when a layer is unknown or its output at <paramref name="input"/> is not a
    /// (N, C, H, W) feature map, and naming <paramref name="size"/> (what set the input's size) when the input is too small.
    /// </summary>
    public static void Check(NetSpec spec, IReadOnlyList<string> layers, string option, Shape input, string size)
    {
        if (layers.Count == 0) throw new RawConvException($"{option}: no layer given — name at least one feature-map layer");
        foreach (var n in layers)
        {
            if (n.Length == 0) throw new RawConvException($"{option}: an empty layer name — give names separated by commas");
            if (!spec.Layers.Any(l => l.Name == n))
                throw new RawConvException($"{option}: {spec.Name} has no layer '{n}' — layers are {string.Join(", ", spec.Layers.Select(l => l.Name))}");
        }
        string top = layers.OrderBy(spec.IndexOf).Last();
        var shapes = Shapes(spec, input, top, size, option);
        foreach (var n in layers)
        {
            var s = shapes[spec.IndexOf(n) + 1];
            if (s.Rank != 4)
                throw new RawConvException($"{option}: layer '{n}' of {spec.Name} outputs {s}, not a (N, C, H, W) feature map — pick a convolution, ReLU or pooling layer");
        }
    }

    /// <summary>Every layer's shapes up to <paramref name="top"/> at <paramref name="input"/>; throws naming <paramref name="size"/> and <paramref name="option"/> when the input is too small.</summary>
    public static Shape[] Shapes(NetSpec spec, Shape input, string top, string size, string option)
    {
        try
        {
            return spec.Shapes(input, top);
        }
        catch (RawConvException e)
        {
            throw new RawConvException($"{size}: {input.H}×{input.W} is too small for layer '{top}' of {option} — give a larger size or shallower layers ({e.Message})");
        }
    }

    /// <summary>
    /// <paramref name="spec"/> with every max-pooling layer replaced by average pooling over the same window, stride,
    /// padding and rounding (Gatys et al.: it improves the gradient flow and gives smoother pictures). Padded cells are
    /// left out of the average, as max pooling never picks them.
    /// </summary>
    public static NetSpec AveragePooling(NetSpec spec) => spec with
    {
        Layers = spec.Layers.Select(l => l is MaxPoolLayer m
            ? new AvgPoolLayer(m.Name, m.KernelH, m.KernelW, m.StrideH, m.StrideW, m.PadH, m.PadW, m.CeilMode, CountIncludePad: false)
            : l).ToList(),
    };

    /// <summary>A network of <paramref name="spec"/> on <paramref name="net"/>'s device holding a copy of its weights (the specs must have the same parameter layers).</summary>
    public static Net WithSpec(Net net, NetSpec spec)
    {
        var copy = new Net(spec, net.Backend);
        try
        {
            foreach (var (name, p) in net.Parameters) copy.SetParams(name, p.Weight.ToArray(), p.Bias?.ToArray());
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
