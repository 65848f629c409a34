using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum LrPolicy
{
    /// <summary>Constant <see cref="SgdOptions.LearningRate"/>.</summary>
    Fixed,
    /// <summary>Caffe "step": lr · Gamma^floor(step / StepSize).</summary>
    Step,
    /// <summary>Cosine from lr down to lr·MinFactor over TotalSteps: lr·(m + (1 − m)·(1 + cos(π·t/T))/2).</summary>
    Cosine,
}

/// <summary>
/// SGD settings, Caffe style. Weight decay applies to weights only (biases get decay 0, as in
/// bvlc_alexnet's decay_mult); biases may take a larger learning rate (bvlc_alexnet: lr_mult 2).
/// </summary>
public sealed record SgdOptions(float LearningRate = 0.01f, float Momentum = 0.9f, float WeightDecay = 5e-4f,
    LrPolicy Policy = LrPolicy.Fixed, int StepSize = 1000, float Gamma = 0.1f, int TotalSteps = 0, float MinFactor = 0f,
    float BiasLrMultiplier = 1f)
{
    /// <summary>The learning rate at (0-based) iteration <paramref name="step"/>.</summary>
    public float LearningRateAt(int step) => Policy switch
    {
        LrPolicy.Fixed => LearningRate,
        LrPolicy.Step => LearningRate * MathF.Pow(Gamma, step / Math.Max(StepSize, 1)),
        LrPolicy.Cosine => LearningRate * (MinFactor + (1 - MinFactor) *
            (float)(1 + Math.Cos(Math.PI * Math.Min(step, Math.Max(TotalSteps, 1)) / Math.Max(TotalSteps, 1))) / 2),
        _ => throw new RawConvException($"sgd: unknown learning-rate policy {Policy}"),
    };
}

/// <summary>
/// Stochastic gradient descent with momentum and weight decay, Caffe's update:
/// v ← μ·v − lr·(∇ + λ·w); w ← w + v. Velocities live on the net's device next to the weights; a step
/// launches four elementwise kernels per tensor and moves no weights to the host.
/// </summary>
public sealed class Sgd : IDisposable
{
    private readonly Dictionary<string, (Tensor W, Tensor? B)> velocity = new();

    /// <summary>An optimizer for <paramref name="net"/> with zero velocities.</summary>
    public Sgd(Net net, SgdOptions options)
    {
        Net = net;
        Options = options;
        foreach (var (name, p) in net.Parameters)
            velocity[name] = (Tensor.Zeros(net.Backend, p.Weight.Shape), p.Bias is null ? null : Tensor.Zeros(net.Backend, p.Bias.Shape));
    }

    /// <summary>The network updated.</summary>
    public Net Net { get; }
    /// <summary>The settings.</summary>
    public SgdOptions Options { get; }
    /// <summary>Steps taken so far.</summary>
    public int Iteration { get; private set; }

    /// <summary>The velocity of a layer's weight (and bias), for inspection.</summary>
    public (Tensor Weight, Tensor? Bias) Velocity(string layer) => velocity.TryGetValue(layer, out var v) ? v
        : throw new RawConvException($"sgd: layer '{layer}' has no parameters");

    /// <summary>One update from <paramref name="gradients"/> (by layer, as from Net.Backward with parameter gradients); returns the lr used.</summary>
    public float Step(IReadOnlyDictionary<string, LayerParams> gradients)
    {
        float lr = Options.LearningRateAt(Iteration);
        foreach (var (name, p) in Net.Parameters)
        {
            if (!gradients.TryGetValue(name, out var g))
                throw new RawConvException($"sgd: no gradient for layer '{name}' of {Net.Spec.Name}");
            var v = velocity[name];
            Update(name, p.Weight, g.Weight, v.W, lr, Options.WeightDecay);
            if (p.Bias is not null)
            {
                if (g.Bias is null) throw new RawConvException($"sgd: layer '{name}' has a bias but no bias gradient");
                Update(name, p.Bias, g.Bias, v.B!, lr * Options.BiasLrMultiplier, 0f);
            }
        }
        Iteration++;
        return lr;
    }

    private void Update(string name, Tensor w, Tensor g, Tensor v, float lr, float decay)
    {
        if (g.Shape != w.Shape)
            throw new RawConvException($"sgd: gradient {g.Shape} of layer '{name}' does not match its parameter {w.Shape}");
        Elementwise.ScaleInPlace(v, Options.Momentum);
        Elementwise.Axpy(-lr, g, v);
        if (decay != 0) Elementwise.Axpy(-lr * decay, w, v);
        Elementwise.Axpy(1f, v, w);
    }

    public void Dispose()
    {
        foreach (var (w, b) in velocity.Values)
        {
            w.Dispose();
            b?.Dispose();
        }
        velocity.Clear();
    }
}
