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
/// </summary>
public sealed record GeneratorTrainOptions(string CodeLayer, string FeatureLayer, float PixelWeight = 1f, float FeatureWeight = 1f,
    int Epochs = 3, int BatchSize = 64, float LearningRate = 1e-3f, float LrDecay = 0.5f, int Seed = 1, int MaxSteps = 0, int ProgressEvery = 20)
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
        using var adam = new Adam(NetGroups.Of(generator), new AdamOptions(o.LearningRate, Policy: LrPolicy.Step, StepSize: steps, Gamma: o.LrDecay));
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
                var (l, lp, lf) = Step(encoder, generator, map, adam, x, o);
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

    /// <summary>One Adam step on a batch; returns the total, pixel and feature losses (means, unweighted parts).</summary>
    private static (double Loss, double Pixel, double Feature) Step(Net encoder, Net generator, PixelMap map, Adam adam, float[] xHost, GeneratorTrainOptions o)
    {
        using var x = Tensor.FromArray(encoder.Backend, encoder.Spec.InputShape(o.BatchSize), xHost);
        var (loss, pixel, feature, gradients) = Evaluate(encoder, generator, map, x, o);
        using (gradients) adam.Step(NetGroups.Gradients(gradients.ParameterGradients));
        return (loss, pixel, feature);
    }

    /// <summary>
    /// The training loss on a batch <paramref name="x"/> (the weighted total and its unweighted pixel and feature means)
    /// and the generator's parameter gradients (the returned pass owns them).
    /// </summary>
    public static (double Loss, double Pixel, double Feature, BackwardPass Gradients) Evaluate(Net encoder, Net generator, PixelMap map, Tensor x,
        GeneratorTrainOptions o)
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
            using var dt = map.Backward(dx);
            var gb = generator.Backward(gen, generator.Spec.Layers[^1].Name, dt, parameterGradients: true, inputGradient: false);
            return (o.PixelWeight * pixLoss + o.FeatureWeight * featLoss, pixLoss, featLoss, gb);
        }
    }

    /// <summary>x̂ = map(G(E_code(x))) for a batch <paramref name="x"/> in the encoder's input space (the caller owns it).</summary>
    public static Tensor Reconstruct(Net encoder, Net generator, PixelMap map, string codeLayer, Tensor x)
    {
        using var pass = encoder.Forward(x, codeLayer);
        using var gen = generator.Forward(pass.Output);
        return map.Forward(gen.Output);
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
        int per = (int)data.ItemShape.Count;
        for (int start = 0; start < n; start += batch)
        {
            int m = Math.Min(batch, n - start);
            var (xh, _) = data.GetHost(Enumerable.Range(start, m).ToArray());
            using var x = Tensor.FromArray(encoder.Backend, encoder.Spec.InputShape(m), xh);
            using var r = Reconstruct(encoder, generator, map, codeLayer, x);
            var rh = r.ToArray();
            for (int i = 0; i < m; i++)
            {
                double num = 0, den = 0;
                for (int j = i * per; j < (i + 1) * per; j++)
                {
                    double d = rh[j] - xh[j];
                    num += d * d;
                    den += (double)xh[j] * xh[j];
                }
                sum += den > 0 ? Math.Sqrt(num / den) : Math.Sqrt(num);
            }
        }
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
        var mean = sum.Select(s => (float)(s / n)).ToArray();
        var std = sq.Select((s, i) => (float)Math.Sqrt(Math.Max(0, s / n - (double)mean[i] * mean[i]))).ToArray();
        return (mean, std, Pct(0.95), Pct(0.99), sorted[^1]);
    }
}
