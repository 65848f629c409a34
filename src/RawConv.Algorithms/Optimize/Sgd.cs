using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// SGD settings, Caffe style. <see cref="WeightDecay"/> and <see cref="BiasLrMultiplier"/> shape the
/// groups <see cref="NetGroups.Of(Net, SgdOptions, IEnumerable{string}?)"/> builds (weights decay,
/// biases get decay 0 and may take a larger rate, as bvlc_alexnet's decay_mult 0 and lr_mult 2); the
/// update itself reads each group's own multiplier and decay. <see cref="Maximize"/> ascends.
/// </summary>
public sealed record SgdOptions(float LearningRate = 0.01f, float Momentum = 0.9f, float WeightDecay = 5e-4f,
    LrPolicy Policy = LrPolicy.Fixed, int StepSize = 1000, float Gamma = 0.1f, int TotalSteps = 0, float MinFactor = 0f,
    float BiasLrMultiplier = 1f, bool Maximize = false)
{
    /// <summary>The learning-rate schedule these settings describe.</summary>
    public LrSchedule Schedule => new(LearningRate, Policy, StepSize, Gamma, TotalSteps, MinFactor);

    /// <summary>The learning rate at (0-based) iteration <paramref name="step"/>.</summary>
    public float LearningRateAt(int step) => Schedule.At(step);
}

/// <summary>
/// Stochastic gradient descent with momentum and weight decay, Caffe's update, per group at rate
/// lr = schedule·multiplier: v ← μ·v; v ← v − lr·∇; v ← v − lr·λ·w (when λ ≠ 0); w ← w + v — four
/// elementwise kernels per group in that order, on the group's device, with no host round trip.
/// Maximizing adds +lr·∇ instead.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string VelocityKey = "velocity";

    /// <summary>An optimizer over <paramref name="groups"/> with zero velocities.</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, SgdOptions options) : base(groups, options.Schedule, options.Maximize)
    {
        Options = options;
        for (int i = 0; i < Groups.Count; i++) StateOf(i, VelocityKey);
    }

    /// <summary>An optimizer over every weight and bias of <paramref name="net"/> (<see cref="NetGroups.Of(Net, SgdOptions, IEnumerable{string}?)"/>).</summary>
    public Sgd(Net net, SgdOptions options) : this(NetGroups.Of(net, options), options) { }

    /// <summary>The settings.</summary>
    public SgdOptions Options { get; }

    /// <summary>The velocity of group <paramref name="group"/>, for inspection.</summary>
    public Tensor Velocity(string group) => State(group)[VelocityKey];

    /// <inheritdoc/>
    protected override string Kind => "sgd";

    /// <inheritdoc/>
    protected override void Update(int group, Tensor gradient, float lr)
    {
        var p = Groups[group];
        var v = StateOf(group, VelocityKey);
        Elementwise.ScaleInPlace(v, Options.Momentum);
        Elementwise.Axpy(Maximize ? lr : -lr, gradient, v);
        if (p.WeightDecay != 0) Elementwise.Axpy(-lr * p.WeightDecay, p.Value, v);
        Elementwise.Axpy(1f, v, p.Value);
    }
}
