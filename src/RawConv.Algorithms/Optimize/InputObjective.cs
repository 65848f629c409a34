using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>The objective's value at one input: the total and each term and penalty (unweighted), in declaration order.</summary>
public sealed record ObjectiveValue(double Total, double[] Terms, double[] Penalties);

/// <summary>
/// An objective over a network's input, for the optimizer core: weighted terms on layer outputs plus weighted
/// penalties on the input. When <see cref="Maximize"/>, the value is Σ wᵢ·Tᵢ − Σ λⱼ·Rⱼ and is ascended (class models,
/// unit visualization, DeepDream); otherwise Σ wᵢ·Tᵢ + Σ λⱼ·Rⱼ is descended (inversion, adversarial losses). One
/// forward pass to the highest layer a term reads, one backward sweep with a seed at each such layer.
/// </summary>
public sealed class InputObjective(IReadOnlyList<ObjectiveTerm> terms, IReadOnlyList<Penalty> penalties, bool maximize)
{
    /// <summary>Terms on layer outputs.</summary>
    public IReadOnlyList<ObjectiveTerm> Terms { get; } = terms;

    /// <summary>Penalties on the input.</summary>
    public IReadOnlyList<Penalty> Penalties { get; } = penalties;

    /// <summary>True: ascend (penalties subtract); false: descend (penalties add).</summary>
    public bool Maximize { get; } = maximize;

    /// <summary>The ReLU backward rule of the sweep (the standard gradient unless a method asks otherwise).</summary>
    public ReluRule Rule { get; init; } = ReluRule.Standard;

    /// <summary>The value at <paramref name="x"/> without a backward sweep (a loop's final report).</summary>
    public ObjectiveValue Value(Net net, Tensor x)
    {
        if (Terms.Count == 0) throw new RawConvException("objective: no term on the network");
        var spec = net.Spec;
        var layers = Terms.Select(t => t.LayerOf(spec)).ToArray();
        using var pass = net.Forward(x, layers.OrderBy(spec.IndexOf).Last());
        var termValues = new double[Terms.Count];
        double total = 0;
        for (int i = 0; i < Terms.Count; i++)
        {
            var (v, g) = Terms[i].Evaluate(pass[layers[i]]);
            g.Dispose();
            termValues[i] = v;
            total += Terms[i].Weight * v;
        }
        var penaltyValues = new double[Penalties.Count];
        for (int j = 0; j < Penalties.Count; j++)
        {
            var (v, g) = Penalties[j].Evaluate(x);
            g.Dispose();
            penaltyValues[j] = v;
            total += (Maximize ? -1 : 1) * Penalties[j].Weight * v;
        }
        return new ObjectiveValue(total, termValues, penaltyValues);
    }

    /// <summary>
    /// The value at <paramref name="x"/> and its gradient with respect to <paramref name="x"/>. With
    /// <paramref name="transform"/>, the network sees the transformed input (jitter, scale, rotation) and the
    /// gradient is carried back through the transform's adjoint; penalties always read <paramref name="x"/>.
    /// </summary>
    public (ObjectiveValue Value, Tensor Gradient) Evaluate(Net net, Tensor x, InputTransform? transform = null)
    {
        if (Terms.Count == 0) throw new RawConvException("objective: no term on the network");
        var spec = net.Spec;
        var layers = Terms.Select(t => t.LayerOf(spec)).ToArray();
        string top = layers.OrderBy(spec.IndexOf).Last();
        var seen = transform is null ? x : Transforms.Apply(x, transform, FillMode.Border);
        Tensor grad;
        var termValues = new double[Terms.Count];
        try
        {
            using var pass = net.Forward(seen, top);
            var seeds = new Dictionary<string, Tensor>();
            try
            {
                for (int i = 0; i < Terms.Count; i++)
                {
                    var (v, g) = Terms[i].Evaluate(pass[layers[i]]);
                    termValues[i] = v;
                    if (Terms[i].Weight != 1f) Elementwise.ScaleInPlace(g, Terms[i].Weight);
                    if (seeds.TryGetValue(layers[i], out var s))
                    {
                        Elementwise.Axpy(1f, g, s);
                        g.Dispose();
                    }
                    else seeds[layers[i]] = g;
                }
                using var back = net.Backward(pass, seeds, new BackwardOptions(Rule, KeepLayerGradients: false));
                grad = transform is null ? back.InputGradient.Clone() : Transforms.Backward(back.InputGradient, transform, FillMode.Border, x.Shape);
            }
            finally
            {
                foreach (var s in seeds.Values) s.Dispose();
            }
        }
        finally
        {
            if (!ReferenceEquals(seen, x)) seen.Dispose();
        }
        double total = 0;
        for (int i = 0; i < Terms.Count; i++) total += Terms[i].Weight * termValues[i];
        var penaltyValues = new double[Penalties.Count];
        float sign = Maximize ? -1f : 1f;
        for (int j = 0; j < Penalties.Count; j++)
        {
            var (v, g) = Penalties[j].Evaluate(x);
            using (g)
            {
                penaltyValues[j] = v;
                total += sign * Penalties[j].Weight * v;
                Elementwise.Axpy(sign * Penalties[j].Weight, g, grad);
            }
        }
        return (new ObjectiveValue(total, termValues, penaltyValues), grad);
    }
}
