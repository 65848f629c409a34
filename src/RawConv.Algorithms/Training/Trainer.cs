using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Training;

/// <summary>
/// Training settings. Each epoch visits a fresh seeded permutation of the training set in minibatches
/// of <see cref="BatchSize"/> (the last partial batch is dropped); <see cref="MaxSteps"/> &gt; 0 stops
/// early. Augmentation (on the host, per image): a random shift of up to <see cref="MaxShift"/> pixels
/// in x and y filled with the image's top-left (background) value, and a horizontal flip with
/// probability ½ when <see cref="Flip"/>. Layers named in <see cref="Freeze"/> keep their weights
/// (their groups are left out of the optimizer).
/// </summary>
public sealed record TrainOptions(int Epochs = 10, int BatchSize = 64, int Seed = 1, int MaxShift = 4, bool Flip = true,
    int MaxSteps = 0, SgdOptions? Sgd = null, IReadOnlyList<int>? CheckpointEpochs = null, int ProgressEvery = 20,
    IReadOnlyList<string>? Freeze = null);

/// <summary>Running statistics reported during training.</summary>
public sealed record TrainProgress(int Epoch, int Step, int StepsPerEpoch, float Loss, float MeanLoss, float Accuracy,
    float LearningRate, double ImagesPerSecond, TimeSpan Elapsed);

/// <summary>Statistics of one finished epoch (test accuracy when a test set was given, else NaN).</summary>
public sealed record EpochSummary(int Epoch, float MeanLoss, float TrainAccuracy, double Seconds, double ImagesPerSecond, double TestTop1);

/// <summary>What a training run produced: every step's loss and each epoch's summary.</summary>
public sealed record TrainResult(float[] StepLosses, IReadOnlyList<EpochSummary> Epochs, TimeSpan Elapsed);

/// <summary>
/// Minibatch SGD on a classification net: forward with dropout to the logits (the layer before a final
/// SoftmaxLayer, or the last layer), softmax cross-entropy, backward with parameter gradients, an SGD
/// step over the net's parameter groups (<see cref="NetGroups"/>).
/// Deterministic given <see cref="TrainOptions.Seed"/> on one backend: shuffling, augmentation and
/// dropout masks all derive from it.
/// </summary>
public sealed class Trainer
{
    /// <summary>A trainer for <paramref name="net"/> (initialise or load its weights first).</summary>
    public Trainer(Net net, TrainOptions options)
    {
        Net = net;
        Options = options;
        if (options.BatchSize <= 0) throw new RawConvException($"train: batch size {options.BatchSize} must be positive");
        LogitsLayer = net.Spec.Roles.Logits;
    }

    /// <summary>The network trained.</summary>
    public Net Net { get; }
    /// <summary>The settings.</summary>
    public TrainOptions Options { get; }
    /// <summary>The layer whose output the loss reads.</summary>
    public string LogitsLayer { get; }
    /// <summary>Called every <see cref="TrainOptions.ProgressEvery"/> steps and at each epoch's end.</summary>
    public Action<TrainProgress>? Progress { get; init; }
    /// <summary>Called after each epoch.</summary>
    public Action<EpochSummary>? EpochEnd { get; init; }
    /// <summary>Called after the epochs in <see cref="TrainOptions.CheckpointEpochs"/> (all when null) with the 1-based epoch.</summary>
    public Action<int, Net>? Checkpoint { get; init; }

    /// <summary>Trains on <paramref name="train"/>; evaluates top-1 on <paramref name="test"/> after each epoch when given.</summary>
    public TrainResult Run(IDataset train, IDataset? test = null)
    {
        var o = Options;
        var expected = Net.Spec.InputShape(1);
        if (train.ItemShape != expected)
            throw new RawConvException($"train: dataset items {train.ItemShape} do not match the input of {Net.Spec.Name} {expected}");
        int steps = train.Count / o.BatchSize;
        if (steps == 0) throw new RawConvException($"train: {train.Count} items are fewer than one batch of {o.BatchSize}");
        var sgdOptions = o.Sgd ?? new SgdOptions();
        using var sgd = new Sgd(NetGroups.Of(Net, sgdOptions, o.Freeze), sgdOptions);
        var rng = new Random(o.Seed);
        var losses = new List<float>();
        var epochs = new List<EpochSummary>();
        var total = Stopwatch.StartNew();
        var order = Enumerable.Range(0, train.Count).ToArray();
        int item = (int)expected.Count;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            rng.Shuffle(order);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int s = 0; s < steps; s++)
            {
                if (o.MaxSteps > 0 && losses.Count >= o.MaxSteps) break;
                var (x, labels) = train.GetHost(order.AsSpan(s * o.BatchSize, o.BatchSize));
                for (int i = 0; i < labels.Length; i++) Augment(x.AsSpan(i * item, item), expected, rng);
                ulong dropoutSeed = (ulong)o.Seed * 0x100000001B3UL + (ulong)losses.Count;
                var (loss, hits, lr) = Step(sgd, x, labels, dropoutSeed);
                losses.Add(loss);
                lossSum += loss;
                correct += hits;
                seen += labels.Length;
                bool last = s == steps - 1 || (o.MaxSteps > 0 && losses.Count >= o.MaxSteps);
                if (Progress is not null && (last || (o.ProgressEvery > 0 && (s + 1) % o.ProgressEvery == 0)))
                    Progress(new TrainProgress(epoch, s + 1, steps, loss, (float)(lossSum / (s + 1)), (float)correct / seen, lr,
                        seen / clock.Elapsed.TotalSeconds, total.Elapsed));
            }
            if (seen == 0) break;
            double secs = clock.Elapsed.TotalSeconds;
            double top1 = test is null ? double.NaN : Evaluator.Evaluate(Net, test, o.BatchSize).Top1;
            var summary = new EpochSummary(epoch, (float)(lossSum / (seen / o.BatchSize)), (float)correct / seen, secs, seen / secs, top1);
            epochs.Add(summary);
            EpochEnd?.Invoke(summary);
            if (Checkpoint is not null && (o.CheckpointEpochs is null || o.CheckpointEpochs.Contains(epoch))) Checkpoint(epoch, Net);
            if (o.MaxSteps > 0 && losses.Count >= o.MaxSteps) break;
        }
        return new TrainResult(losses.ToArray(), epochs, total.Elapsed);
    }

    private (float Loss, int Hits, float Lr) Step(Sgd sgd, float[] x, int[] labels, ulong dropoutSeed)
    {
        var b = Net.Backend;
        using var input = Tensor.FromArray(b, Net.Spec.InputShape(labels.Length), x);
        using var target = Tensor.FromInts(b, new Shape(labels.Length), labels);
        using var pass = Net.Forward(input, LogitsLayer, training: true, seed: dropoutSeed);
        var logits = pass.Output;
        float loss = CrossEntropy.Forward(logits, target);
        if (!float.IsFinite(loss)) throw new RawConvException($"train: loss became {loss} at step {sgd.Iteration}; lower the learning rate");
        int hits = Evaluator.CountTop1(logits.ToArray(), labels, logits.Shape[1]);
        using var dlogits = CrossEntropy.Backward(logits, target);
        using var back = Net.Backward(pass, LogitsLayer, dlogits, parameterGradients: true, inputGradient: false);
        float lr = sgd.Step(NetGroups.Gradients(back.ParameterGradients));
        return (loss, hits, lr);
    }

    /// <summary>Shifts one (C, H, W) image by up to MaxShift pixels and flips it, in place, from <paramref name="rng"/>.</summary>
    private void Augment(Span<float> img, Shape shape, Random rng)
    {
        int c = shape.C, h = shape.H, w = shape.W, m = Options.MaxShift;
        int dx = m > 0 ? rng.Next(-m, m + 1) : 0, dy = m > 0 ? rng.Next(-m, m + 1) : 0;
        bool flip = Options.Flip && rng.Next(2) == 1;
        if (dx == 0 && dy == 0 && !flip) return;
        var src = img.ToArray();
        for (int ch = 0; ch < c; ch++)
        {
            float bg = src[ch * h * w];
            for (int y = 0; y < h; y++)
                for (int xo = 0; xo < w; xo++)
                {
                    int sy = y - dy, sx = (flip ? w - 1 - xo : xo) - dx;
                    img[(ch * h + y) * w + xo] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[(ch * h + sy) * w + sx] : bg;
                }
        }
    }
}
