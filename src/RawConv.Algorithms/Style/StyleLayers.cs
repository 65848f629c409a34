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
    /// The default style layers: relu1_1…relu5_1 on VGG, else the texture verb's defaults
    /// (the first ReLU and every pooling layer before the classifier).
    /// </summary>
    public static IReadOnlyList<string> DefaultStyle(NetSpec spec) => IsVgg(spec) ? VggStyle : TextureSynthesis.DefaultLayers(spec);

    /// <summary>True when the network has Gatys et al.'s VGG layers by name (relu4_2 and relu1_1…relu5_1).</summary>
    public static bool IsVgg(NetSpec spec) => VggStyle.Append(VggContent).All(n => spec.Layers.Any(l => l.Name == n));

    /// <summary>
    /// The default content layer: relu4_2 on VGG, else the middle ReLU before the classifier (the ⌊n/2⌋-th, from 0, of
    /// n; the only one when there is one), else the last default style layer.
    /// </summary>
    public static IReadOnlyList<string> DefaultContent(NetSpec spec)
    {
        if (IsVgg(spec)) return [VggContent];
        var relus = spec.Layers.TakeWhile(l => l is not FlattenLayer and not FcLayer).OfType<ReluLayer>().ToList();
        return relus.Count > 0 ? [relus[relus.Count / 2].Name] : [DefaultStyle(spec)[^1]];
    }

    /// <summary>
    /// The default weights (α, β, γ): on VGG Gatys et al.'s α/β = 10⁻³ (α = 1, β = 10³) and neural-style's γ = 10⁻³;
    /// elsewhere α = 1, γ = 10⁻², and β = 10⁸ (tuned on the shipped default model, whose style losses start near 10⁻⁵ and
    /// content losses near 10³), or β = 10¹⁰ when the default content layer is also a default style layer (one-layer
    /// networks such as random-multiscale: the content term pins the very features the Gram matrices summarize; tuned there).
    /// </summary>
    public static (float Content, float Style, float Tv) DefaultWeights(NetSpec spec)
    {
        if (IsVgg(spec)) return (1f, 1e3f, 1e-3f);
        return DefaultStyle(spec).Contains(DefaultContent(spec)[0]) ? (1f, 1e10f, 1e-2f) : (1f, 1e8f, 1e-2f);
    }

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
