using RawConv.Graph;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// The parameter groups a network exposes, in layer order, weight then bias: "layer.weight" with the
/// given weight decay, "layer.bias" with decay 0 and the bias learning-rate multiplier (bvlc_alexnet's
/// decay_mult 0, lr_mult 2). Freezing a layer leaves its groups out.
/// </summary>
public static class NetGroups
{
    /// <summary>The group name of <paramref name="layer"/>'s weight.</summary>
    public static string WeightName(string layer) => layer + ".weight";

    /// <summary>The group name of <paramref name="layer"/>'s bias.</summary>
    public static string BiasName(string layer) => layer + ".bias";

    /// <summary>The groups of <paramref name="net"/> with decay and bias multiplier from <paramref name="options"/>, less the layers in <paramref name="freeze"/>.</summary>
    public static IReadOnlyList<ParameterGroup> Of(Net net, SgdOptions options, IEnumerable<string>? freeze = null) =>
        Of(net, options.WeightDecay, options.BiasLrMultiplier, freeze);

    /// <summary>The groups of <paramref name="net"/>: weights decay by <paramref name="weightDecay"/>, biases learn at <paramref name="biasLrMultiplier"/>; layers in <paramref name="freeze"/> are left out.</summary>
    public static IReadOnlyList<ParameterGroup> Of(Net net, float weightDecay = 0f, float biasLrMultiplier = 1f, IEnumerable<string>? freeze = null)
    {
        var frozen = new HashSet<string>(freeze ?? []);
        foreach (var f in frozen)
            if (!net.Parameters.ContainsKey(f))
                throw new RawConvException($"net groups: cannot freeze '{f}': {net.Spec.Name} has no layer with parameters of that name " +
                    $"(it has {string.Join(", ", net.Parameters.Keys)})");
        var groups = new List<ParameterGroup>();
        foreach (var layer in net.Spec.Layers)
        {
            if (frozen.Contains(layer.Name) || !net.Parameters.TryGetValue(layer.Name, out var p)) continue;
            groups.Add(new ParameterGroup(WeightName(layer.Name), p.Weight, 1f, weightDecay));
            if (p.Bias is not null) groups.Add(new ParameterGroup(BiasName(layer.Name), p.Bias, biasLrMultiplier, 0f));
        }
        return groups;
    }

    /// <summary>Per-layer gradients (as Net.Backward returns them) keyed by group name, for <see cref="Optimizer.Step(IReadOnlyDictionary{string, Tensor})"/>.</summary>
    public static Dictionary<string, Tensor> Gradients(IReadOnlyDictionary<string, LayerParams> byLayer)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (layer, g) in byLayer)
        {
            d[WeightName(layer)] = g.Weight;
            if (g.Bias is not null) d[BiasName(layer)] = g.Bias;
        }
        return d;
    }
}
