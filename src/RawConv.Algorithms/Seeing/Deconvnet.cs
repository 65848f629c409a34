using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>How <see cref="UnitChoice"/> picks the activations kept when projecting a layer down.</summary>
public enum UnitMode
{
    /// <summary>The single largest activation of the whole layer (any channel, any position).</summary>
    Strongest,
    /// <summary>The largest activation of feature map <see cref="UnitChoice.Channel"/>.</summary>
    Unit,
    /// <summary>All of feature map <see cref="UnitChoice.Channel"/> (the DeepVis variant).</summary>
    WholeMap,
    /// <summary>The activation at (<see cref="UnitChoice.Channel"/>, <see cref="UnitChoice.Y"/>, <see cref="UnitChoice.X"/>).</summary>
    At,
    /// <summary>The direction <see cref="UnitChoice.Weights"/> across all channels at (<see cref="UnitChoice.Y"/>, <see cref="UnitChoice.X"/>) (Szegedy et al.).</summary>
    DirectionAt,
}

/// <summary>Which activations of <see cref="Layer"/> to keep (every other activation of the layer is zeroed).</summary>
public sealed record UnitChoice(string Layer, UnitMode Mode = UnitMode.Strongest, int Channel = -1, int Y = 0, int X = 0)
{
    /// <summary>The largest activation of the layer.</summary>
    public static UnitChoice Strongest(string layer) => new(layer);
    /// <summary>The largest activation in feature map <paramref name="channel"/>.</summary>
    public static UnitChoice Unit(string layer, int channel) => new(layer, UnitMode.Unit, channel);
    /// <summary>All of feature map <paramref name="channel"/>.</summary>
    public static UnitChoice WholeMap(string layer, int channel) => new(layer, UnitMode.WholeMap, channel);
    /// <summary>The one activation (channel, y, x).</summary>
    public static UnitChoice At(string layer, int channel, int y, int x) => new(layer, UnitMode.At, channel, y, x);
    /// <summary>The direction <paramref name="weights"/> (one weight per channel) at position (y, x); its seed is the weights themselves.</summary>
    public static UnitChoice DirectionAt(string layer, IReadOnlyList<float> weights, int y, int x) => new(layer, UnitMode.DirectionAt, -1, y, x) { Weights = weights };

    /// <summary>For <see cref="UnitMode.DirectionAt"/>: the direction's weight per channel; null otherwise.</summary>
    public IReadOnlyList<float>? Weights { get; init; }
}

/// <summary>
/// The activation a projection started from: channel, position (0, 0 for fully connected layers) and value; for a whole map,
/// its strongest position; for a direction, channel −1 and the value Σ_t v_t·a_t at the position.
/// </summary>
public readonly record struct PickedUnit(int Channel, int Y, int X, float Value);

/// <summary>Projections of one batch to input space: (N, C, H, W) like the input, the unit picked per image and the ReLU rule used.</summary>
public sealed class Projection(Tensor input, PickedUnit[] units, ReluRule rule, UnitChoice choice) : IDisposable
{
    /// <summary>The projection (or gradient) in input space, shaped like the network input.</summary>
    public Tensor Input { get; } = input;
    /// <summary>The activation kept, per image.</summary>
    public PickedUnit[] Units { get; } = units;
    /// <summary>The rule at ReLUs: Deconvnet (Zeiler–Fergus), Standard (gradient), Guided.</summary>
    public ReluRule Rule { get; } = rule;
    /// <summary>What was asked for.</summary>
    public UnitChoice Choice { get; } = choice;

    public void Dispose() => Input.Dispose();
}

/// <summary>
/// Zeiler–Fergus deconvnet projections and their gradient / guided-backprop siblings: keep chosen
/// activations of a layer, zero the rest, and send them down the network — unpooling by the recorded
/// switches, the ReLU rule at rectifications, transposed filters at convolutions — to pixel space.
/// Works on any net the graph runs; sees only the graph API.
/// </summary>
public static class Deconvnet
{
    /// <summary>Picks the kept unit from one image's activations <paramref name="a"/> (C·H·W values).</summary>
    public static PickedUnit Pick(ReadOnlySpan<float> a, (int C, int H, int W) dims, UnitChoice choice)
    {
        var (c, h, w) = dims;
        if (a.Length != c * h * w) throw new RawConvException($"deconvnet: {a.Length} activations for ({c}, {h}, {w})");
        if (choice.Mode is not (UnitMode.Strongest or UnitMode.DirectionAt) && (choice.Channel < 0 || choice.Channel >= c))
            throw new RawConvException($"deconvnet: unit {choice.Channel} is outside layer '{choice.Layer}' with {c} feature maps — give 0 to {c - 1}");
        if (choice.Mode is UnitMode.At or UnitMode.DirectionAt && (choice.Y < 0 || choice.Y >= h || choice.X < 0 || choice.X >= w))
            throw new RawConvException($"deconvnet: position ({choice.Y}, {choice.X}) is outside layer '{choice.Layer}' maps of {h}×{w}");
        if (choice.Mode == UnitMode.At)
            return new PickedUnit(choice.Channel, choice.Y, choice.X, a[(choice.Channel * h + choice.Y) * w + choice.X]);
        if (choice.Mode == UnitMode.DirectionAt)
        {
            var v = Weights(choice, c);
            double dot = 0;
            for (int t = 0; t < c; t++) dot += (double)v[t] * a[(t * h + choice.Y) * w + choice.X];
            return new PickedUnit(-1, choice.Y, choice.X, (float)dot);
        }
        int from = choice.Mode == UnitMode.Strongest ? 0 : choice.Channel * h * w;
        int to = choice.Mode == UnitMode.Strongest ? a.Length : from + h * w;
        int best = from;
        for (int i = from + 1; i < to; i++)
            if (a[i] > a[best]) best = i; // first maximum wins, as in the pooling switches
        return new PickedUnit(best / (h * w), best / w % h, best % w, a[best]);
    }

    /// <summary>
    /// The seed for Net.Backward: zeros shaped like the layer output, with the picked activation (or, for
    /// <see cref="UnitMode.WholeMap"/>, the whole picked feature map) of each image kept at its value; for
    /// <see cref="UnitMode.DirectionAt"/>, the direction's weights across the channels at the position.
    /// </summary>
    public static float[] Seed(ReadOnlySpan<float> activations, Shape layerOutput, IReadOnlyList<PickedUnit> picks, IReadOnlyList<UnitChoice> choices)
    {
        var (c, h, w) = NetQueries.Dims(layerOutput);
        int n = layerOutput[0], per = c * h * w;
        var seed = new float[activations.Length];
        for (int i = 0; i < n; i++)
        {
            var p = picks[i];
            if (choices[i].Mode == UnitMode.WholeMap)
                activations.Slice(i * per + p.Channel * h * w, h * w).CopyTo(seed.AsSpan(i * per + p.Channel * h * w, h * w));
            else if (choices[i].Mode == UnitMode.DirectionAt)
            {
                var v = Weights(choices[i], c);
                for (int t = 0; t < c; t++) seed[i * per + (t * h + p.Y) * w + p.X] = v[t];
            }
            else
            {
                int at = i * per + (p.Channel * h + p.Y) * w + p.X;
                seed[at] = activations[at];
            }
        }
        return seed;
    }

    /// <summary>Projects <paramref name="choice"/> for every image of <paramref name="x"/> with <paramref name="rule"/> (one forward, one backward).</summary>
    public static Projection Project(Net net, Tensor x, UnitChoice choice, ReluRule rule = ReluRule.Deconvnet)
    {
        using var pass = net.Forward(x, choice.Layer);
        return Project(net, pass, Enumerable.Repeat(choice, x.Shape.N).ToArray(), rule);
    }

    /// <summary>
    /// Projects through an existing forward pass (which reached the layer), image i from <paramref name="choices"/>[i]
    /// — so one forward serves the three rules, and a batch can project a different unit per image.
    /// </summary>
    public static Projection Project(Net net, ForwardPass pass, IReadOnlyList<UnitChoice> choices, ReluRule rule = ReluRule.Deconvnet)
    {
        if (choices.Count == 0) throw new RawConvException("deconvnet: no unit chosen");
        string layer = choices[0].Layer;
        if (choices.Any(c => c.Layer != layer)) throw new RawConvException("deconvnet: one projection batch must start from one layer");
        var a = pass[layer];
        int n = a.Shape[0];
        if (choices.Count != n) throw new RawConvException($"deconvnet: {choices.Count} unit choices for a batch of {n}");
        var dims = NetQueries.Dims(a.Shape);
        int per = dims.C * dims.H * dims.W;
        var host = a.ToArray();
        var picks = new PickedUnit[n];
        for (int i = 0; i < n; i++) picks[i] = Pick(host.AsSpan(i * per, per), dims, choices[i]);
        using var seed = Tensor.FromArray(net.Backend, a.Shape, Seed(host, a.Shape, picks, choices));
        using var back = net.Backward(pass, layer, seed, rule);
        var input = back.InputGradient;
        return new Projection(input.Clone(), picks, rule, choices[0]);
    }

    private static IReadOnlyList<float> Weights(UnitChoice choice, int channels) =>
        choice.Weights is { } v && v.Count == channels ? v
            : throw new RawConvException($"deconvnet: a direction of {choice.Weights?.Count ?? 0} weights for layer '{choice.Layer}' with {channels} feature maps — give one weight per feature map");
}
