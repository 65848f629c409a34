using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Dgn;

/// <summary>
/// Settings of generator training: the encoder's <see cref="CodeLayer"/> the generator inverts and the
/// <see cref="FeatureLayer"/> its feature loss compares; the loss weights (both losses are means over their elements);
/// Adam with <see cref="LearningRate"/> decayed by <see cref="LrDecay"/> per epoch; epochs of a seeded permutation in
/// batches of <see cref="BatchSize"/> (the last partial batch dropped); <see cref="MaxSteps"/> &gt; 0 stops early.
/// <see cref="AdversarialWeight"/> &gt; 0 adds Dosovitskiy and Brox's adversarial term: a small discriminator
/// (<see cref="GeneratorTraining.Discriminator"/>) learns to tell real images from reconstructions, and the generator
/// also minimizes the cross-entropy of its reconstructions being called real.
/// </summary>
public sealed record GeneratorTrainOptions(string CodeLayer, string FeatureLayer, float PixelWeight = 1f, float FeatureWeight = 1f,
    int Epochs = 3, int BatchSize = 64, float LearningRate = 1e-3f, float LrDecay = 0.5f, int Seed = 1, int MaxSteps = 0, int ProgressEvery = 20,
    float AdversarialWeight = 0f)
{
    /// <summary>Checks ranges; errors name the verb's options.</summary>
    public GeneratorTrainOptions Validate()
    {
        if (Epochs is < 1 or > 1000) throw new RawConvException($"--epochs: {Epochs} must lie in 1–1000");
        if (BatchSize is < 1 or > 4096) throw new RawConvException($"--batch: {BatchSize} must lie in 1–4096");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new RawConvException($"--lr: {LearningRate} must be a positive number");
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new RawConvException($"--lr-decay: {LrDecay} must lie in (0, 1]");
        if (!(PixelWeight >= 0) || !(FeatureWeight >= 0) || !float.IsFinite(PixelWeight) || !float.IsFinite(FeatureWeight) || PixelWeight + FeatureWeight == 0)
            throw new RawConvException($"--pixel-weight/--feature-weight: {PixelWeight} and {FeatureWeight} must be finite, ≥ 0 and not both 0");
        if (MaxSteps < 0) throw new RawConvException($"--max-steps: {MaxSteps} must be ≥ 0");
        if (!(AdversarialWeight >= 0) || !float.IsFinite(AdversarialWeight)) throw new RawConvException($"--adversarial-weight: {AdversarialWeight} must be a finite number ≥ 0");
        return this;
    }
}

/// <summary>One progress report: epoch, step, the batch's total, pixel and feature losses, and throughput.</summary>
public sealed record GeneratorProgress(int Epoch, int Step, int StepsPerEpoch, double Loss, double PixelLoss, double FeatureLoss, double ImagesPerSecond);

/// <summary>Every step's loss and the time the training took.</summary>
public sealed record GeneratorTrainResult(double[] Losses, double[] PixelLosses, double[] FeatureLosses, double Seconds, double ImagesPerSecond);

/// <summary>
/// Dosovitskiy and Brox's inversion network, trained for the network under study (Nguyen et al. 2016's deep generator
/// prior): the generator G maps the encoder's code h = E_code(x) back to an image, x̂ = map(G(h)), and learns with Adam to
/// minimize w_pix·mean((x̂ − x)²) + w_feat·mean((E_feat(x̂) − E_feat(x))²), the feature loss back-propagated through the
/// frozen encoder. Deterministic for a seed on one backend: the initialization and the permutations derive from it.
/// </summary>
public static class GeneratorTraining
{
    /// <summary>
    /// Trains <paramref name="generator"/> (initialized by the caller) to invert <paramref name="encoder"/> on
    /// <paramref name="data"/> (items in the encoder's input space), the output mapped by <paramref name="map"/>.
    /// <paramref name="checkpoint"/> hears each finished epoch.
    /// </summary>
    public static GeneratorTrainResult Run(Net encoder, Net generator, PixelMap map, IDataset data, GeneratorTrainOptions options,
        Action<GeneratorProgress>? progress = null, Action<int>? checkpoint = null)
    {
        var o = options.Validate();
        Check(encoder, generator, map, data, o);
        int steps = data.Count / o.BatchSize;
        if (steps == 0) throw new RawConvException($"dgn train: {data.Count} images are fewer than one batch of {o.BatchSize}");
        var adamOptions = new AdamOptions(o.LearningRate, Policy: LrPolicy.Step, StepSize: steps, Gamma: o.LrDecay);
        using var adam = new Adam(NetGroups.Of(generator), adamOptions);
        using var critic = o.AdversarialWeight > 0 ? new Net(Discriminator(encoder.Spec.InputShape(1)), encoder.Backend) : null;
        critic?.InitializeRandom(o.Seed + 1);
        using var criticAdam = critic is null ? null : new Adam(NetGroups.Of(critic), adamOptions with { Beta1 = 0.5 });
        var rng = new Random(o.Seed);
        var order = Enumerable.Range(0, data.Count).ToArray();
        var (losses, pix, feat) = (new List<double>(), new List<double>(), new List<double>());
        var total = Stopwatch.StartNew();
        long images = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            rng.Shuffle(order);
            var clock = Stopwatch.StartNew();
            int seen = 0;
            for (int s = 0; s < steps; s++)
            {
                if (o.MaxSteps > 0 && losses.Count >= o.MaxSteps) break;
                var (x, _) = data.GetHost(order.AsSpan(s * o.BatchSize, o.BatchSize));
                var (l, lp, lf) = Step(encoder, generator, map, adam, x, o, critic, criticAdam);
                if (!double.IsFinite(l)) throw new RawConvException($"dgn train: the loss became {l} at step {losses.Count + 1}; lower --lr");
                losses.Add(l);
                pix.Add(lp);
                feat.Add(lf);
                seen += o.BatchSize;
                images += o.BatchSize;
                bool last = s == steps - 1 || (o.MaxSteps > 0 && losses.Count >= o.MaxSteps);
                if (progress is not null && (last || (o.ProgressEvery > 0 && (s + 1) % o.ProgressEvery == 0)))
                    progress(new GeneratorProgress(epoch, s + 1, steps, l, lp, lf, seen / clock.Elapsed.TotalSeconds));
            }
            if (seen > 0) checkpoint?.Invoke(epoch);
            if (o.MaxSteps > 0 && losses.Count >= o.MaxSteps) break;
        }
        double secs = total.Elapsed.TotalSeconds;
        return new GeneratorTrainResult([.. losses], [.. pix], [.. feat], secs, images / Math.Max(secs, 1e-9));
    }

    private static void Check(Net encoder, Net generator, PixelMap map, IDataset data, GeneratorTrainOptions o)
    {
        var es = encoder.Spec;
        var codeShape = es.Shapes(es.InputShape(1), o.CodeLayer)[^1];
        es.IndexOf(o.FeatureLayer);
        if (generator.Spec.InputShape(1) != codeShape)
            throw new RawConvException($"dgn: the generator takes {generator.Spec.InputShape(1)}, but {es.Name}'s code layer '{o.CodeLayer}' gives {codeShape}");
        var outShape = generator.Spec.Shapes(generator.Spec.InputShape(1))[^1];
        if (outShape != es.InputShape(1))
            throw new RawConvException($"dgn: the generator makes {outShape}, but {es.Name} takes {es.InputShape(1)}");
        if (map.Channels != es.InputShape(1).C) throw new RawConvException($"dgn: the pixel map has {map.Channels} channels for an input of {es.InputShape(1).C}");
        if (data.ItemShape != es.InputShape(1))
            throw new RawConvException($"dgn train: dataset items {data.ItemShape} do not match the input of {es.Name} {es.InputShape(1)}");
    }

    /// <summary>
    /// The discriminator of the adversarial term for inputs of <paramref name="input"/> (1, C, H, W): two 4×4 stride-2
    /// convolutions (32 and 64 maps) with leaky ReLU 0.2, then a fully connected layer to two logits (fake, real).
    /// </summary>
    public static NetSpec Discriminator(Shape input) => new("discriminator", input.C, input.H, input.W,
        [new ConvLayer("d1", 32, 4, 4, 2, 2, 1, 1), new LeakyReluLayer("d1_lrelu", 0.2f), new ConvLayer("d2", 64, 4, 4, 2, 2, 1, 1),
         new LeakyReluLayer("d2_lrelu", 0.2f), new FlattenLayer("d_flat"), new FcLayer("d_out", 2)]);

    /// <summary>One Adam step of the generator on a batch (and, with a critic, one of the critic); returns the total, pixel and feature losses.</summary>
    private static (double Loss, double Pixel, double Feature) Step(Net encoder, Net generator, PixelMap map, Adam adam, float[] xHost, GeneratorTrainOptions o,
        Net? critic, Adam? criticAdam)
    {
        using var x = Tensor.FromArray(encoder.Backend, encoder.Spec.InputShape(o.BatchSize), xHost);
        var (loss, pixel, feature, gradients) = Evaluate(encoder, generator, map, x, o, critic);
        using (gradients) adam.Step(NetGroups.Gradients(gradients.ParameterGradients));
        if (critic is not null) CriticStep(encoder, generator, map, critic, criticAdam!, x, xHost, o);
        return (loss, pixel, feature);
    }

    /// <summary>The critic's step: cross-entropy of calling the batch real and its reconstructions (by the updated generator) fake, in one pass.</summary>
    private static void CriticStep(Net encoder, Net generator, PixelMap map, Net critic, Adam criticAdam, Tensor x, float[] xHost, GeneratorTrainOptions o)
    {
        var b = encoder.Backend;
        int n = o.BatchSize;
        using var fake = Reconstruct(encoder, generator, map, o.CodeLayer, x);
        using var both = Tensor.FromArray(b, encoder.Spec.InputShape(2 * n), [.. xHost, .. fake.ToArray()]);
        using var labels = Tensor.FromInts(b, new Shape(2 * n), [.. Enumerable.Repeat(1, n), .. Enumerable.Repeat(0, n)]);
        using var pass = critic.Forward(both);
        using var dLogits = CrossEntropy.Backward(pass.Output, labels);
        using var back = critic.Backward(pass, critic.Spec.Layers[^1].Name, dLogits, parameterGradients: true, inputGradient: false);
        criticAdam.Step(NetGroups.Gradients(back.ParameterGradients));
    }

    /// <summary>
    /// The training loss on a batch <paramref name="x"/> (the weighted total and its unweighted pixel and feature means;
    /// with <paramref name="critic"/>, the total includes the weighted adversarial cross-entropy) and the generator's
    /// parameter gradients (the returned pass owns them).
    /// </summary>
    public static (double Loss, double Pixel, double Feature, BackwardPass Gradients) Evaluate(Net encoder, Net generator, PixelMap map, Tensor x,
        GeneratorTrainOptions o, Net? critic = null)
    {
        var top = encoder.Spec.IndexOf(o.CodeLayer) >= encoder.Spec.IndexOf(o.FeatureLayer) ? o.CodeLayer : o.FeatureLayer;
        Tensor code, realFeatures;
        using (var real = encoder.Forward(x, top, keep: new HashSet<string> { o.CodeLayer, o.FeatureLayer }))
        {
            code = real[o.CodeLayer].Clone();
            realFeatures = real[o.FeatureLayer].Clone();
        }
        using (code)
        using (realFeatures)
        {
            using var gen = generator.Forward(code, training: true);
            using var xHat = map.Forward(gen.Output);
            using var fake = encoder.Forward(xHat, o.FeatureLayer);
            // Feature loss: mean squared difference of the encoder's features, its seed 2·w/count·(φ(x̂) − φ(x)).
            using var dFeat = fake.Output.Clone();
            Elementwise.Axpy(-1f, realFeatures, dFeat);
            double fd = Reduce.L2Norm(dFeat), featLoss = fd * fd / dFeat.Count;
            Elementwise.ScaleInPlace(dFeat, (float)(2.0 * o.FeatureWeight / dFeat.Count));
            using var back = encoder.Backward(fake, new Dictionary<string, Tensor> { [o.FeatureLayer] = dFeat },
                new BackwardOptions(KeepLayerGradients: false));
            using var dx = back.InputGradient!.Clone();
            using var diff = xHat.Clone();
            Elementwise.Axpy(-1f, x, diff);
            double pd = Reduce.L2Norm(diff), pixLoss = pd * pd / diff.Count;
            Elementwise.Axpy((float)(2.0 * o.PixelWeight / diff.Count), diff, dx);
            double adversarial = 0;
            if (critic is not null && o.AdversarialWeight > 0)
            {
                // The generator's adversarial loss: mean cross-entropy of the critic calling x̂ real, back to x̂ through the critic.
                using var labels = Tensor.FromInts(x.Backend, new Shape(x.Shape.N), Enumerable.Repeat(1, x.Shape.N).ToArray());
                using var judged = critic.Forward(xHat);
                adversarial = CrossEntropy.Forward(judged.Output, labels);
                using var dLogits = CrossEntropy.Backward(judged.Output, labels);
                Elementwise.ScaleInPlace(dLogits, o.AdversarialWeight);
                using var cb = critic.Backward(judged, critic.Spec.Layers[^1].Name, dLogits);
                Elementwise.Axpy(1f, cb.InputGradient!, dx);
            }
            using var dt = map.Backward(dx);
            var gb = generator.Backward(gen, generator.Spec.Layers[^1].Name, dt, parameterGradients: true, inputGradient: false);
            return (o.PixelWeight * pixLoss + o.FeatureWeight * featLoss + o.AdversarialWeight * adversarial, pixLoss, featLoss, gb);
        }
    }

    /// <summary>x̂ = map(G(E_code(x))) for a batch <paramref name="x"/> in the encoder's input space (the caller owns it).</summary>
    public static Tensor Reconstruct(Net encoder, Net generator, PixelMap map, string codeLayer, Tensor x)
    {
        using var pass = encoder.Forward(x, codeLayer);
        using var gen = generator.Forward(pass.Output);
        return map.Forward(gen.Output);
    }

    /// <summary>‖r_i − x_i‖/‖x_i‖ for each of the <paramref name="n"/> items of the batches <paramref name="x"/> and <paramref name="r"/> (‖r_i‖ where x_i is zero).</summary>
    public static double[] RelativeErrors(float[] x, float[] r, int n)
    {
        int per = x.Length / n;
        var e = new double[n];
        for (int i = 0; i < n; i++)
        {
            double num = 0, den = 0;
            for (int j = i * per; j < (i + 1) * per; j++)
            {
                double d = r[j] - x[j];
                num += d * d;
                den += (double)x[j] * x[j];
            }
            e[i] = den > 0 ? Math.Sqrt(num / den) : Math.Sqrt(num);
        }
        return e;
    }

    /// <summary>
    /// The mean over the first <paramref name="limit"/> items of <paramref name="data"/> of ‖x̂ − x‖/‖x‖, the relative
    /// reconstruction error, in batches of <paramref name="batch"/>.
    /// </summary>
    public static double ReconstructionError(Net encoder, Net generator, PixelMap map, string codeLayer, IDataset data, int limit, int batch = 100)
    {
        int n = Math.Min(limit, data.Count);
        if (n == 0) throw new RawConvException("dgn: no images to measure the reconstruction error on");
        double sum = 0;
        for (int start = 0; start < n; start += batch)
        {
            int m = Math.Min(batch, n - start);
            var (xh, _) = data.GetHost(Enumerable.Range(start, m).ToArray());
            using var x = Tensor.FromArray(encoder.Backend, encoder.Spec.InputShape(m), xh);
            using var r = Reconstruct(encoder, generator, map, codeLayer, x);
            sum += RelativeErrors(xh, r.ToArray(), m).Sum();
        }
        if (!double.IsFinite(sum)) throw new RawConvException($"dgn: the reconstructions of {encoder.Source ?? encoder.Spec.Name}'s code are not finite — the generator diverged; lower --lr");
        return sum / n;
    }

    /// <summary>
    /// The code's statistics over the first <paramref name="limit"/> items of <paramref name="data"/>: per-unit mean and
    /// standard deviation, and the 95th and 99th percentiles and the maximum of all its values pooled.
    /// </summary>
    public static (float[] Mean, float[] Std, float P95, float P99, float Max) CodeStatistics(Net encoder, string codeLayer, IDataset data, int limit, int batch = 100)
    {
        int n = Math.Min(limit, data.Count);
        if (n == 0) throw new RawConvException("dgn: no images to measure the code on");
        var values = new List<float>();
        int k = 0;
        double[] sum = [], sq = [];
        for (int start = 0; start < n; start += batch)
        {
            int m = Math.Min(batch, n - start);
            var (xh, _) = data.GetHost(Enumerable.Range(start, m).ToArray());
            using var x = Tensor.FromArray(encoder.Backend, encoder.Spec.InputShape(m), xh);
            using var pass = encoder.Forward(x, codeLayer);
            var c = pass.Output.ToArray();
            if (k == 0)
            {
                k = c.Length / m;
                sum = new double[k];
                sq = new double[k];
            }
            for (int i = 0; i < c.Length; i++)
            {
                sum[i % k] += c[i];
                sq[i % k] += (double)c[i] * c[i];
            }
            values.AddRange(c);
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        float Pct(double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
        if (!float.IsFinite(sorted[0]) || !float.IsFinite(sorted[^1]))
            throw new RawConvException($"dgn: {encoder.Source ?? encoder.Spec.Name}: the code at {codeLayer} holds non-finite values on real images — the weights are damaged or out of range");
        var mean = sum.Select(s => (float)(s / n)).ToArray();
        var std = sq.Select((s, i) => (float)Math.Sqrt(Math.Max(0, s / n - (double)mean[i] * mean[i]))).ToArray();
        return (mean, std, Pct(0.95), Pct(0.99), sorted[^1]);
    }
}
