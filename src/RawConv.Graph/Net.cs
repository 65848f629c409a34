namespace RawConv.Graph;

/// <summary>A layer's learnable tensors.</summary>
public sealed record LayerParams(Tensor Weight, Tensor? Bias) : IDisposable
{
    public void Dispose()
    {
        Weight.Dispose();
        Bias?.Dispose();
    }
}

/// <summary>
/// A network on one backend: the spec plus weights. A loop over the layers, each of which carries its own
/// passes (<see cref="Layer"/>): forward to any layer with the activations asked for and every switch kept
/// (<see cref="ForwardPass"/>); backward from seeds at any layers with a chosen ReLU rule (Net.Backward.cs).
/// </summary>
public sealed partial class Net : IDisposable
{
    private readonly Dictionary<string, LayerParams> parameters = new();

    /// <summary>A network with zero weights; load or initialise them before use.</summary>
    public Net(NetSpec spec, IBackend backend)
    {
        Spec = spec.Validate();
        Backend = backend;
        var shapes = spec.Shapes();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            if (l.WeightShape(shapes[i]) is not { } ws) continue;
            parameters[l.Name] = new LayerParams(Tensor.Zeros(backend, ws),
                l.BiasLength > 0 ? Tensor.Zeros(backend, new Shape(l.BiasLength)) : null);
        }
    }

    /// <summary>The architecture.</summary>
    public NetSpec Spec { get; }
    /// <summary>Where the weights and activations live.</summary>
    public IBackend Backend { get; }
    /// <summary>Layers with parameters, by name.</summary>
    public IReadOnlyDictionary<string, LayerParams> Parameters => parameters;

    /// <summary>Replaces the weight (and bias) of <paramref name="layer"/> with host data, checking shapes.</summary>
    public void SetParams(string layer, float[] weight, float[]? bias)
    {
        if (!parameters.TryGetValue(layer, out var p))
            throw new RawConvException($"{Spec.Name}: layer '{layer}' has no parameters");
        if (weight.Length != p.Weight.Count)
            throw new RawConvException($"{Spec.Name}: layer '{layer}' weight needs {p.Weight.Shape} = {p.Weight.Count} values, got {weight.Length}");
        if ((bias?.Length ?? 0) != (p.Bias?.Count ?? 0))
            throw new RawConvException($"{Spec.Name}: layer '{layer}' bias needs {p.Bias?.Count ?? 0} values, got {bias?.Length ?? 0}");
        Backend.Upload<float>(p.Weight.Buffer, weight);
        if (bias != null && p.Bias != null) Backend.Upload<float>(p.Bias.Buffer, bias);
    }

    /// <summary>Gaussian weights (std = sqrt(2 / fan-in), He et al.) and zero biases, from <paramref name="seed"/>.</summary>
    public void InitializeRandom(int seed)
    {
        var rng = new Random(seed);
        foreach (var (name, p) in parameters)
        {
            var s = p.Weight.Shape;
            double std = Math.Sqrt(2.0 / (s.Count / s[0]));
            var w = new float[p.Weight.Count];
            for (long i = 0; i < w.LongLength; i++)
                w[i] = (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            SetParams(name, w, p.Bias != null ? new float[p.Bias.Count] : null);
        }
    }

    /// <summary>The file the weights came from, when they came from one: errors about the weights name it.</summary>
    public string? Source { get; set; }

    /// <summary>
    /// When set, <see cref="Forward"/> rejects an input holding NaN/Inf and checks every layer's output (one device
    /// reduction per layer), throwing <see cref="NonFiniteException"/> at the first layer that produced a non-finite
    /// value from a finite input. Off by default in the library; the command line turns it on.
    /// </summary>
    public bool CheckFinite { get; set; }

    /// <summary>
    /// Throws <see cref="NonFiniteException"/> naming <see cref="Source"/> and the first layer whose weight or bias holds
    /// NaN or Inf: one device reduction per tensor, so damaged weights are refused when loaded, before any forward pass
    /// (where a ReLU or a max pool could swallow a NaN and the damage would go unseen).
    /// </summary>
    public void RequireFiniteWeights()
    {
        foreach (var layer in Spec.Layers)
        {
            if (!parameters.TryGetValue(layer.Name, out var p)) continue;
            foreach (var (part, t) in new[] { ("weight", p.Weight), ("bias", p.Bias) })
                if (t != null && NonFiniteException.Count(t) is { Total: > 0 } bad)
                    throw new NonFiniteException(layer.Name, bad,
                        $"{Source ?? Spec.Name}: layer {layer.Name} {part} holds {bad} — the weights are damaged; re-export or re-import the model");
        }
    }

    /// <summary>When set, Forward and Backward synchronize after every layer and record its time here.</summary>
    public LayerProfile? Profile { get; set; }

    /// <summary>
    /// Runs the input through the layers up to and including <paramref name="until"/> (default: all). The input may
    /// have any (N, C, H, W) the layers up to <paramref name="until"/> accept (fully convolutional use); layers with
    /// weights must see the input shape they were declared for. Every layer's output is kept unless
    /// <paramref name="keep"/> names the ones to keep (the last is always kept; switches and masks always are).
    /// Dropout masks are drawn from <paramref name="seed"/> when <paramref name="training"/>.
    /// </summary>
    public ForwardPass Forward(Tensor x, string? until = null, bool training = false, ulong seed = 0, IReadOnlySet<string>? keep = null)
    {
        Profile?.Start(Backend);
        if (!ReferenceEquals(x.Backend, Backend))
            throw new RawConvException($"{Spec.Name}: input lives on {x.Backend.Name}, the network on {Backend.Name}");
        var shapes = Spec.Shapes(x.Shape, until);
        if (CheckFinite && NonFiniteException.Count(x) is { Total: > 0 } bad)
            throw new NonFiniteException(null, bad, $"{Spec.Name}: the input {x.Shape} holds {bad} — inputs must be finite");
        var pass = new ForwardPass(x);
        Tensor cur = x;
        for (int i = 0; i < shapes.Length - 1; i++)
        {
            var layer = Spec.Layers[i];
            parameters.TryGetValue(layer.Name, out var p);
            var y = layer.Forward(new ForwardContext(pass, p, i, training, seed), cur);
            Profile?.Record(layer.Name, forward: true, Backend);
            pass.Add(layer.Name, y);
            if (CheckFinite && NonFiniteException.Count(y) is { Total: > 0 } nf)
            {
                pass.Dispose();
                throw new NonFiniteException(layer.Name, nf,
                    $"{Source ?? Spec.Name}: layer {layer.Name} produced {nf} from a finite input — the weights are damaged or out of range");
            }
            if (keep != null && i > 0 && !keep.Contains(Spec.Layers[i - 1].Name)) pass.Drop(i - 1);
            cur = y;
        }
        return pass;
    }

    public void Dispose()
    {
        foreach (var p in parameters.Values) p.Dispose();
        parameters.Clear();
    }
}

/// <summary>The result of <see cref="Net.Forward"/>: the input, each layer's output (taps), switches and dropout masks.</summary>
public sealed class ForwardPass : IDisposable
{
    private readonly List<(string Name, Tensor? Output)> outputs = new();

    internal ForwardPass(Tensor input) => Input = input;

    /// <summary>The network input (not owned).</summary>
    public Tensor Input { get; }
    /// <summary>Pooling switches by layer name.</summary>
    public Dictionary<string, Tensor> Switches { get; } = new();
    /// <summary>Dropout masks by layer name (training only).</summary>
    public Dictionary<string, Tensor> Masks { get; } = new();
    /// <summary>Names of the layers run, in order.</summary>
    public IEnumerable<string> Layers => outputs.Select(o => o.Name);
    /// <summary>The last layer's output.</summary>
    public Tensor Output => outputs[^1].Output!;

    /// <summary>The output of layer <paramref name="name"/> ("input" for the input).</summary>
    public Tensor this[string name]
    {
        get
        {
            if (name == "input") return Input;
            int i = outputs.FindIndex(o => o.Name == name);
            if (i < 0) throw new RawConvException($"no activation for layer '{name}'; this pass ran {string.Join(", ", Layers)}");
            return outputs[i].Output ?? throw NotKept(name);
        }
    }

    /// <summary>The input of layer at position <paramref name="i"/> of the pass.</summary>
    internal Tensor InputOf(int i) => i == 0 ? Input : outputs[i - 1].Output ?? throw NotKept(outputs[i - 1].Name);

    internal void Add(string name, Tensor y) => outputs.Add((name, y));

    internal void Drop(int i)
    {
        outputs[i].Output?.Dispose();
        outputs[i] = (outputs[i].Name, null);
    }

    private static RawConvException NotKept(string name) =>
        new($"the activation of layer '{name}' was not kept by this forward pass; keep it (or keep all) to read it or backpropagate through it");

    public void Dispose()
    {
        foreach (var (_, t) in outputs) t?.Dispose();
        foreach (var t in Switches.Values) t.Dispose();
        foreach (var t in Masks.Values) t.Dispose();
        outputs.Clear();
    }
}
