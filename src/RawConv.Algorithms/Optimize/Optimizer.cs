namespace RawConv.Algorithms.Optimize;

/// <summary>
/// The loss and one gradient per group (in group order) at the groups' current values, as a closure
/// returns them. Disposing it disposes <paramref name="Owner"/> when given (e.g. the backward pass
/// holding the gradients), else the gradients themselves.
/// </summary>
public sealed record Evaluation(float Loss, IReadOnlyList<Tensor> Gradients, IDisposable? Owner = null) : IDisposable
{
    /// <summary>Releases the gradients.</summary>
    public void Dispose()
    {
        if (Owner is not null) Owner.Dispose();
        else foreach (var g in Gradients) g.Dispose();
    }
}

/// <summary>
/// The optimizer core every optimizing algorithm shares: a list of <see cref="ParameterGroup"/>s
/// updated in place, a learning-rate schedule, per-group state tensors on each group's device (zeros
/// until written), and a step from gradients given in group order, by group name, or from a closure
/// that re-evaluates loss and gradients (line searches call it several times). Minimizes, or
/// maximizes (gradient ascent) when <see cref="Maximize"/>; weight decay always shrinks toward zero.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Dictionary<string, Tensor>[] state;
    private readonly Dictionary<string, int> index = new();

    /// <summary>An optimizer over <paramref name="groups"/> (names must be unique, values float32).</summary>
    protected Optimizer(IEnumerable<ParameterGroup> groups, LrSchedule schedule, bool maximize)
    {
        Groups = groups.ToList();
        for (int i = 0; i < Groups.Count; i++)
        {
            var g = Groups[i];
            if (!index.TryAdd(g.Name, i)) throw new RawConvException($"{Kind}: two groups are named '{g.Name}'");
            if (g.Value.DType != DType.Float32) throw new RawConvException($"{Kind}: group '{g.Name}' is {g.Value.DType}, not Float32");
        }
        state = Groups.Select(_ => new Dictionary<string, Tensor>()).ToArray();
        Schedule = schedule;
        Maximize = maximize;
    }

    /// <summary>The groups, in the order gradients are given and updates run.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }
    /// <summary>The learning-rate schedule.</summary>
    public LrSchedule Schedule { get; }
    /// <summary>True: ascend the objective (the gradient's sign flips; decay still shrinks).</summary>
    public bool Maximize { get; }
    /// <summary>Steps taken so far.</summary>
    public int Iteration { get; protected set; }
    /// <summary>The learning rate the next step uses (before each group's multiplier).</summary>
    public float LearningRate => Schedule.At(Iteration);

    /// <summary>Short name used in error messages ("sgd").</summary>
    protected abstract string Kind { get; }

    /// <summary>The group named <paramref name="name"/>.</summary>
    public ParameterGroup Group(string name) => Groups[IndexOf(name)];

    /// <summary>The state tensors of group <paramref name="name"/> by key (e.g. "velocity"), for inspection.</summary>
    public IReadOnlyDictionary<string, Tensor> State(string name) => state[IndexOf(name)];

    /// <summary>One update from gradients by group name (extra names, e.g. of frozen layers, are ignored); returns the base lr used.</summary>
    public float Step(IReadOnlyDictionary<string, Tensor> gradients)
    {
        var ordered = new Tensor[Groups.Count];
        for (int i = 0; i < ordered.Length; i++)
            ordered[i] = gradients.TryGetValue(Groups[i].Name, out var g) ? g
                : throw new RawConvException($"{Kind}: no gradient for group '{Groups[i].Name}'");
        return Step(ordered);
    }

    /// <summary>One update from one gradient per group, in group order; returns the base lr used.</summary>
    public float Step(IReadOnlyList<Tensor> gradients)
    {
        if (gradients.Count != Groups.Count)
            throw new RawConvException($"{Kind}: {gradients.Count} gradients for {Groups.Count} groups");
        for (int i = 0; i < Groups.Count; i++)
            if (gradients[i].Shape != Groups[i].Value.Shape)
                throw new RawConvException($"{Kind}: gradient {gradients[i].Shape} of group '{Groups[i].Name}' does not match its value {Groups[i].Value.Shape}");
        float lr = LearningRate;
        for (int i = 0; i < Groups.Count; i++) Update(i, gradients[i], lr * Groups[i].LrMultiplier);
        Iteration++;
        return lr;
    }

    /// <summary>
    /// One update from <paramref name="closure"/>, which evaluates the objective and its gradients at
    /// the current values; returns the loss it reported before the update. Optimizers that search along
    /// a direction (L-BFGS) override this and call the closure again.
    /// </summary>
    public virtual float Step(Func<Evaluation> closure)
    {
        using var e = closure();
        Step(e.Gradients);
        return e.Loss;
    }

    /// <summary>Updates group <paramref name="group"/> in place from <paramref name="gradient"/> at learning rate <paramref name="lr"/> (multiplier applied).</summary>
    protected abstract void Update(int group, Tensor gradient, float lr);

    /// <summary>The state tensor <paramref name="key"/> of group <paramref name="group"/>, created as zeros shaped like the value on its device.</summary>
    protected Tensor StateOf(int group, string key)
    {
        var s = state[group];
        if (!s.TryGetValue(key, out var t))
        {
            var v = Groups[group].Value;
            s[key] = t = Tensor.Zeros(v.Backend, v.Shape);
        }
        return t;
    }

    private int IndexOf(string name) => index.TryGetValue(name, out int i) ? i
        : throw new RawConvException($"{Kind}: no group '{name}' (groups: {string.Join(", ", index.Keys)})");

    /// <summary>Releases the state tensors (the groups' values belong to their owners).</summary>
    public void Dispose()
    {
        foreach (var s in state)
        {
            foreach (var t in s.Values) t.Dispose();
            s.Clear();
        }
    }
}
