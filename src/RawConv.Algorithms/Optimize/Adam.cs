using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// Adam settings (PyTorch's torch.optim.Adam defaults). <see cref="WeightDecay"/> and
/// <see cref="BiasLrMultiplier"/> shape the groups built for a network; the update reads each group's
/// own multiplier and decay (L2, added to the gradient). The schedule fields are those of
/// <see cref="SgdOptions"/>. <see cref="Maximize"/> ascends. β1 and β2 are doubles as in PyTorch, where
/// 1 − β is formed in double before the kernel sees it in float32.
/// </summary>
public sealed record AdamOptions(float LearningRate = 1e-3f, double Beta1 = 0.9, double Beta2 = 0.999, float Eps = 1e-8f,
    float WeightDecay = 0f, LrPolicy Policy = LrPolicy.Fixed, int StepSize = 1000, float Gamma = 0.1f, int TotalSteps = 0,
    float MinFactor = 0f, float BiasLrMultiplier = 1f, bool Maximize = false)
{
    /// <summary>The learning-rate schedule these settings describe.</summary>
    public LrSchedule Schedule => new(LearningRate, Policy, StepSize, Gamma, TotalSteps, MinFactor);
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015) as torch.optim.Adam computes it, per group at rate lr = schedule·multiplier
/// and step t = <see cref="Optimizer.Iteration"/> + 1: g ← ±∇ + λ·w; m ← β1·m + (1 − β1)·g;
/// v ← β2·v + (1 − β2)·g²; w ← w − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps) — one fused kernel per
/// group (<see cref="OptimizerSteps.Adam"/>) on the group's device, with no host round trip.
/// </summary>
public sealed class Adam : Optimizer
{
    private const string MKey = "exp_avg", VKey = "exp_avg_sq";

    /// <summary>An optimizer over <paramref name="groups"/> with zero moments.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, AdamOptions options) : base(groups, options.Schedule, options.Maximize)
    {
        Options = options;
        if (!(options.Beta1 is >= 0 and < 1 && options.Beta2 is >= 0 and < 1))
            throw new RawConvException($"adam: β1 = {options.Beta1} and β2 = {options.Beta2} must lie in [0, 1) — the defaults are 0.9 and 0.999");
        if (!(options.Eps > 0)) throw new RawConvException($"adam: eps = {options.Eps} must be positive — the default is 1e-8");
        for (int i = 0; i < Groups.Count; i++)
        {
            StateOf(i, MKey);
            StateOf(i, VKey);
        }
    }

    /// <summary>An optimizer over every weight and bias of <paramref name="net"/> (weights decay by <see cref="AdamOptions.WeightDecay"/>).</summary>
    public Adam(Net net, AdamOptions options) : this(NetGroups.Of(net, options.WeightDecay, options.BiasLrMultiplier), options) { }

    /// <summary>The settings.</summary>
    public AdamOptions Options { get; }

    /// <summary>The first moment (running mean of gradients) of group <paramref name="group"/>.</summary>
    public Tensor FirstMoment(string group) => State(group)[MKey];

    /// <summary>The second moment (running mean of squared gradients) of group <paramref name="group"/>.</summary>
    public Tensor SecondMoment(string group) => State(group)[VKey];

    /// <inheritdoc/>
    protected override string Kind => "adam";

    /// <inheritdoc/>
    protected override void Update(int group, Tensor gradient, float lr)
    {
        var p = Groups[group];
        OptimizerSteps.Adam(p.Value, gradient, StateOf(group, MKey), StateOf(group, VKey),
            new AdamStepParams(lr, Iteration + 1, Options.Beta1, Options.Beta2, Options.Eps, p.WeightDecay, Maximize));
    }
}
