using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Settings of a backward sweep. <see cref="StopAt"/>: the sweep ends once it has the gradient with respect to that
/// layer's output (frozen layers below are not visited, and no input gradient is computed).
/// <see cref="KeepLayerGradients"/>: keep every layer's output gradient in the result (else only the one at
/// <see cref="StopAt"/>, freeing the others as the sweep passes, for loops run thousands of times).
/// </summary>
public sealed record BackwardOptions(ReluRule Rule = ReluRule.Standard, bool ParameterGradients = false,
    bool InputGradient = true, string? StopAt = null, bool KeepLayerGradients = true);

public sealed partial class Net
{
    /// <summary>
    /// Backpropagates <paramref name="seed"/> (shaped like the output of layer <paramref name="from"/>)
    /// down to the input through a forward pass that reached that layer. ReLU layers use
    /// <paramref name="rule"/> (standard gradient, Zeiler–Fergus deconvnet, guided backprop); max
    /// pooling routes through the recorded switches; convolutions use their transposed filters.
    /// With <paramref name="parameterGradients"/>, weight and bias gradients are returned too. Without
    /// <paramref name="inputGradient"/> (training), the first layer's data gradient is not computed and
    /// <see cref="BackwardPass.InputGradient"/> stays null.
    /// </summary>
    public BackwardPass Backward(ForwardPass forward, string from, Tensor seed, ReluRule rule = ReluRule.Standard,
        bool parameterGradients = false, bool inputGradient = true) =>
        Backward(forward, new Dictionary<string, Tensor> { [from] = seed }, new BackwardOptions(rule, parameterGradients, inputGradient));

    /// <summary>
    /// One backward sweep from seeds at any set of layers (each shaped like its layer's output in
    /// <paramref name="forward"/>), added into the gradient as the sweep reaches their layer: the gradient of
    /// Σ_l ⟨seed_l, output_l⟩. Runs down to the input, or to <see cref="BackwardOptions.StopAt"/>.
    /// </summary>
    public BackwardPass Backward(ForwardPass forward, IReadOnlyDictionary<string, Tensor> seeds, BackwardOptions? options = null)
    {
        var o = options ?? new BackwardOptions();
        if (seeds.Count == 0) throw new RawConvException($"{Spec.Name}: backward needs at least one seed");
        var at = new Dictionary<int, Tensor>();
        foreach (var (layer, s) in seeds)
        {
            var y = forward[layer];
            if (s.Shape != y.Shape)
                throw new RawConvException($"{Spec.Name}: seed {s.Shape} does not match the output of '{layer}' {y.Shape}");
            at[Spec.IndexOf(layer)] = s;
        }
        int top = at.Keys.Max();
        int stop = o.StopAt is null ? -1 : Spec.IndexOf(o.StopAt);
        if (stop > top)
            throw new RawConvException($"{Spec.Name}: backward stops at '{o.StopAt}', above its highest seed at '{Spec.Layers[top].Name}'");
        if (at.Keys.Min() < stop)
            throw new RawConvException($"{Spec.Name}: a seed at '{Spec.Layers[at.Keys.Min()].Name}' lies below the stop layer '{o.StopAt}'");
        Profile?.Start(Backend);
        var result = new BackwardPass();
        Tensor? grad = null;
        for (int i = top; i >= 0; i--)
        {
            var layer = Spec.Layers[i];
            if (at.TryGetValue(i, out var s))
            {
                if (grad is null) grad = s.Clone();
                else Elementwise.Axpy(1f, s, grad);
            }
            if (grad is null) continue;
            result.Add(layer.Name, grad);
            if (i == stop) return result;
            parameters.TryGetValue(layer.Name, out var p);
            int index = i;
            var ctx = new BackwardContext(forward, p, forward.InputOf(i), () => forward[Spec.Layers[index].Name], o.Rule,
                o.ParameterGradients && p != null, i > 0 || o.InputGradient);
            var dx = layer.Backward(ctx, grad);
            if (ctx.ParameterGradients is { } pg) result.ParameterGradients[layer.Name] = pg;
            Profile?.Record(layer.Name, forward: false, Backend);
            if (!o.KeepLayerGradients) result.Release(layer.Name);
            if (dx is null) return result;
            grad = dx;
        }
        result.InputGradient = grad!;
        return result;
    }
}

/// <summary>The result of <c>Net.Backward</c>: the input gradient, each layer's output gradient, parameter gradients.</summary>
public sealed class BackwardPass : IDisposable
{
    private readonly Dictionary<string, Tensor> grads = new();

    private Tensor? inputGradient;

    /// <summary>Gradient with respect to the network input (not computed when Backward was told inputGradient: false).</summary>
    public Tensor InputGradient
    {
        get => inputGradient ?? throw new RawConvException("the input gradient was not computed (Backward with inputGradient: false)");
        internal set => inputGradient = value;
    }

    /// <summary>Weight and bias gradients by layer (when asked for).</summary>
    public Dictionary<string, LayerParams> ParameterGradients { get; } = new();

    /// <summary>Gradient with respect to the output of layer <paramref name="name"/>.</summary>
    public Tensor this[string name] => grads.TryGetValue(name, out var g) ? g
        : throw new RawConvException($"no gradient for layer '{name}'; this pass covered {string.Join(", ", grads.Keys)}");

    internal void Add(string name, Tensor g) => grads[name] = g;

    internal void Release(string name)
    {
        if (grads.Remove(name, out var g)) g.Dispose();
    }

    public void Dispose()
    {
        foreach (var g in grads.Values) g.Dispose();
        inputGradient?.Dispose();
        foreach (var p in ParameterGradients.Values) p.Dispose();
    }
}
