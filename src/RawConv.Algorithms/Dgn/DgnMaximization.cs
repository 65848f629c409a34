using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Dgn;

/// <summary>
/// Settings of DGN-AM: <see cref="Iterations"/> ascent steps on the code of <see cref="Seeds"/> seeded starts at once;
/// each step normalizes the code gradient by its mean magnitude per start (as Nguyen et al.'s code does), then takes an
/// SGD step of <see cref="LearningRate"/> (cosine-decayed to 0 over the run, momentum <see cref="Momentum"/>) with L2
/// decay <see cref="Decay"/> on the code, and clips the code to [0, <see cref="CodeMax"/>] (null: the largest code value
/// the generator's encoder gave on real images). Every <see cref="StripEvery"/> steps the first start's image is kept.
/// The defaults were chosen on the default model's generator, whose code values lie in 0–4.4 (Nguyen et al.'s step 1
/// suits CaffeNet's fc6, ten times larger).
/// </summary>
public sealed record DgnOptions(int Iterations = 200, float LearningRate = 0.07f, float Momentum = 0f, float Decay = 0f, float? CodeMax = null,
    int Seeds = 5, int Seed = 0, int StripEvery = 20)
{
    /// <summary>Checks ranges; errors name the verb's options.</summary>
    public DgnOptions Validate()
    {
        if (Iterations is < 1 or > 100_000) throw new RawConvException($"--iterations: {Iterations} must lie in 1–100000");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new RawConvException($"--lr: {LearningRate} must be a positive number");
        if (!(Momentum >= 0 && Momentum < 1)) throw new RawConvException($"--momentum: {Momentum} must lie in [0, 1)");
        if (!(Decay >= 0) || !float.IsFinite(Decay)) throw new RawConvException($"--decay: {Decay} must be a finite number ≥ 0");
        if (CodeMax is { } a && (!(a > 0) || !float.IsFinite(a))) throw new RawConvException($"--code-max: {a} must be a positive number");
        if (Seeds is < 1 or > 256) throw new RawConvException($"--seeds: {Seeds} must lie in 1–256");
        if (StripEvery < 1) throw new RawConvException($"--strip-every: {StripEvery} must be ≥ 1");
        return this;
    }
}

/// <summary>
/// The images G(h*) (owned; (S, C, H, W) in the encoder's input space), the codes, the objective of each start before
/// each step, the strip of the first start's image every few steps (owned), and the bound the code was clipped to.
/// </summary>
public sealed record DgnResult(Tensor Images, float[] Codes, double[][] History, IReadOnlyList<(int Step, Tensor Image)> Strip, float CodeMax) : IDisposable
{
    /// <summary>Releases the images.</summary>
    public void Dispose()
    {
        Images.Dispose();
        foreach (var (_, t) in Strip) t.Dispose();
    }
}

/// <summary>
/// Nguyen et al. 2016's DGN-AM: maximize a target of the encoder (a class score, a unit) over the code h of a trained
/// generator, x = map(G(h)), so the search stays on the generator's manifold of natural-looking images. The gradient
/// flows from the target through the encoder to x, through the pixel map and the generator to h.
/// </summary>
public static class DgnMaximization
{
    /// <summary>The seeded start codes: per unit mean + std·N(0, 1) of the code on real images, clipped to [0, a].</summary>
    public static float[] StartCodes(GeneratorInfo info, int seeds, int seed, float codeMax)
    {
        var rng = new Random(seed);
        var h = new float[seeds * info.CodeLength];
        for (int s = 0; s < seeds; s++)
            for (int k = 0; k < info.CodeLength; k++)
                h[s * info.CodeLength + k] = Math.Clamp((float)(info.CodeMean[k] + info.CodeStd[k] * Gaussian.Next(rng)), 0f, codeMax);
        return h;
    }

    /// <summary>Maximizes <paramref name="target"/> on <paramref name="encoder"/> over the code of <paramref name="generator"/>.</summary>
    public static DgnResult Run(Net encoder, Net generator, GeneratorInfo info, ObjectiveTerm target, DgnOptions options, Action<int, double>? progress = null)
    {
        var o = options.Validate();
        var b = encoder.Backend;
        float a = o.CodeMax ?? info.CodeMax;
        if (!(a > 0)) throw new RawConvException($"dgn: the code bound {a} must be positive (the generator's largest code value is {info.CodeMax}); give --code-max");
        int k = info.CodeLength, s = o.Seeds;
        if (generator.Spec.InputShape(1).Count != k) throw new RawConvException($"dgn: the generator takes {generator.Spec.InputShape(1)}, its description says a code of {k}");
        using var map = PixelMap.For(b, info);
        using var h = Tensor.FromArray(b, generator.Spec.InputShape(s), StartCodes(info, s, o.Seed, a));
        var goal = new InputObjective([target], [], maximize: true);
        var history = Enumerable.Range(0, s).Select(_ => new double[o.Iterations]).ToArray();
        var strip = new List<(int, Tensor)>();
        try
        {
            using (var sgd = new Sgd([ParameterGroup.For(h, "code", weightDecay: o.Decay)],
                new SgdOptions(o.LearningRate, o.Momentum, 0f, LrPolicy.Cosine, TotalSteps: o.Iterations, Maximize: true)))
                for (int it = 0; it < o.Iterations; it++)
                {
                    var perStart = new double[s];
                    sgd.Step(() =>
                    {
                        using var gen = generator.Forward(h);
                        using var x = map.Forward(gen.Output);
                        if (it % o.StripEvery == 0) strip.Add((it, First(x)));
                        var (value, dx) = goal.Evaluate(encoder, x);
                        using (dx)
                        {
                            PerStart(encoder, target, x, perStart);
                            using var dt = map.Backward(dx);
                            using var back = generator.Backward(gen, generator.Spec.Layers[^1].Name, dt);
                            var g = back.InputGradient!.ToArray();
                            Normalize(g, s, k);
                            return new Evaluation((float)value.Total, [Tensor.FromArray(b, h.Shape, g)]);
                        }
                    });
                    for (int i = 0; i < s; i++) history[i][it] = perStart[i];
                    var hv = h.ToArray();
                    for (int i = 0; i < hv.Length; i++) hv[i] = Math.Clamp(hv[i], 0f, a);
                    h.CopyFrom(hv);
                    progress?.Invoke(it, perStart.Average());
                }
            using var final = generator.Forward(h);
            var images = map.Forward(final.Output);
            strip.Add((o.Iterations, First(images)));
            return new DgnResult(images, h.ToArray(), history, strip, a);
        }
        catch
        {
            foreach (var (_, t) in strip) t.Dispose();
            throw;
        }
    }

    /// <summary>The target's value for each start separately (the objective sums over the batch).</summary>
    private static void PerStart(Net encoder, ObjectiveTerm target, Tensor x, double[] into)
    {
        using var pass = encoder.Forward(x, target.LayerOf(encoder.Spec));
        var all = pass.Output.ToArray();
        int per = all.Length / into.Length;
        for (int i = 0; i < into.Length; i++)
        {
            using var one = Tensor.FromArray(encoder.Backend, new Shape([1, .. pass.Output.Shape.Dims[1..]]), all.AsSpan(i * per, per));
            var (v, g) = target.Evaluate(one);
            g.Dispose();
            into[i] = v;
        }
    }

    /// <summary>Divides each start's code gradient by its mean magnitude (a start whose gradient vanished keeps it zero).</summary>
    private static void Normalize(float[] g, int starts, int k)
    {
        for (int i = 0; i < starts; i++)
        {
            var span = g.AsSpan(i * k, k);
            double mean = 0;
            foreach (var v in span) mean += Math.Abs(v);
            mean /= k;
            if (mean > 0)
                for (int j = 0; j < k; j++) span[j] = (float)(span[j] / mean);
        }
    }

    private static Tensor First(Tensor x)
    {
        var s = x.Shape;
        int per = (int)(s.Count / s.N);
        return Tensor.FromArray(x.Backend, new Shape(1, s.C, s.H, s.W), x.ToArray().AsSpan(0, per));
    }
}
