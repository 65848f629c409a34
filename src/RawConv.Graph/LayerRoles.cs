namespace RawConv.Graph;

/// <summary>
/// The one answer to "which layer is …" for every algorithm: the logits, the final softmax, the last
/// convolution and its rectified output, the penultimate fully connected layer, the first pooling. Each role
/// comes from the spec's <see cref="NetSpec.RoleOverrides"/> when named there, else from the structure. A
/// role the network does not have (a generator has no logits) throws, naming the network and the role.
/// </summary>
public sealed class LayerRoles(NetSpec spec)
{
    /// <summary>Role names accepted in <see cref="NetSpec.RoleOverrides"/>.</summary>
    public static readonly string[] Names = ["logits", "lastConv", "penultimate", "firstPool"];

    private IReadOnlyList<Layer> L => spec.Layers;

    /// <summary>
    /// The class scores before any softmax: the layer before a final softmax, else the last layer — when its output is
    /// class-shaped, (N, K) or (N, K, 1, 1).
    /// </summary>
    public string Logits => Override("logits") ?? StructuralLogits();

    /// <summary>The final softmax layer, or null when the network ends without one.</summary>
    public string? Probabilities => L[^1] is SoftmaxLayer && L.Count > 1 ? L[^1].Name : null;

    /// <summary>Every convolution (multi-scale banks included), in order.</summary>
    public IReadOnlyList<string> Convolutions => L.Where(l => l is ConvLayer or MultiScaleConvLayer).Select(l => l.Name).ToList();

    /// <summary>The last convolution.</summary>
    public string LastConv => Override("lastConv") ?? (Convolutions.Count > 0 ? Convolutions[^1]
        : throw Missing("lastConv", "it has no convolution layer"));

    /// <summary>The last convolution's rectified output (relu5 in AlexNet): the layer feeding its last pooling.</summary>
    public string ConvFeatures => Rectified(LastConv);

    /// <summary>
    /// The fully connected layer before the logits (fc7 in AlexNet and VGG); without one, the last fully connected
    /// layer, else the last layer.
    /// </summary>
    public string Penultimate
    {
        get
        {
            if (Override("penultimate") is { } o) return o;
            var fcs = L.OfType<FcLayer>().ToList();
            return fcs.Count >= 2 ? fcs[^2].Name : fcs.Count == 1 ? fcs[0].Name : L[^1].Name;
        }
    }

    /// <summary>True when a fully connected layer precedes the classifier (the penultimate role is a hidden layer).</summary>
    public bool HasHiddenFc => Override("penultimate") is not null || L.OfType<FcLayer>().Count() >= 2;

    /// <summary>The first pooling layer, else the first convolution, else the first layer.</summary>
    public string FirstPool => Override("firstPool")
        ?? (L.FirstOrDefault(x => x is MaxPoolLayer or AvgPoolLayer) ?? L.FirstOrDefault(x => x is ConvLayer or MultiScaleConvLayer) ?? L[0]).Name;

    /// <summary><paramref name="layer"/>'s output after the ReLU layers that directly follow it.</summary>
    public string Rectified(string layer)
    {
        int i = spec.IndexOf(layer);
        while (i + 1 < L.Count && L[i + 1] is ReluLayer) i++;
        return L[i].Name;
    }

    private string StructuralLogits()
    {
        int i = L[^1] is SoftmaxLayer && L.Count > 1 ? L.Count - 2 : L.Count - 1;
        var y = spec.Shapes()[i + 1];
        bool classes = y.Rank == 2 || (y.Rank == 4 && y.H == 1 && y.W == 1);
        return classes ? L[i].Name
            : throw Missing("logits", $"its last layer '{L[i].Name}' outputs {y}, not class scores");
    }

    private string? Override(string role) =>
        spec.RoleOverrides is { } o && o.TryGetValue(role, out var layer) ? spec[layer].Name : null;

    private RawConvException Missing(string role, string why) =>
        new($"{spec.Name} has no {role} layer: {why}; name one in the network description's \"roles\"");
}
