using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;

namespace RawConv.Algorithms.Maximize;

/// <summary>What the optimizer steps: the pixels themselves, or Lucid's decorrelated spectrum (<see cref="FourierImage"/>).</summary>
public enum InputParameterization
{
    /// <summary>The input tensor itself.</summary>
    Pixels,
    /// <summary>A 1/f-scaled spectrum, colour-decorrelated, through a sigmoid into the pixel range.</summary>
    Fourier,
}

/// <summary>
/// Settings of activation maximization. Penalties: <see cref="L2"/>·Σ|x|^<see cref="Alpha"/> and
/// <see cref="Tv"/>·TV_<see cref="TvBeta"/>; per step a random translation of up to <see cref="Jitter"/> pixels, scale
/// in [1 − <see cref="ScaleJitter"/>, 1 + <see cref="ScaleJitter"/>] and rotation of up to <see cref="Rotate"/>
/// degrees (Lucid's transform set); after each step Gaussian blur every <see cref="BlurEvery"/> steps, clipping and
/// Yosinski et al.'s small-pixel clipping. <see cref="Seed"/> draws the start image and the transforms. The defaults
/// make class models of the default model that it classifies as their class with P ≥ 0.99 (a test checks all ten).
/// </summary>
public sealed record MaximizeOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Iterations { get; init; } = 400;
    /// <summary>The optimizer and its learning rate.</summary>
    public OptimizerSettings Optimizer { get; init; } = new(OptimizerKind.Sgd, 0.5f, 0.9f);
    /// <summary>Weight of the α-norm penalty (0: none).</summary>
    public float L2 { get; init; } = 0.05f;
    /// <summary>The exponent α of the norm penalty (2: L2).</summary>
    public float Alpha { get; init; } = 2f;
    /// <summary>Weight of the total-variation penalty (0: none).</summary>
    public float Tv { get; init; } = 0.05f;
    /// <summary>The exponent β of the total variation.</summary>
    public float TvBeta { get; init; } = 2f;
    /// <summary>Blur every this many steps (0: never).</summary>
    public int BlurEvery { get; init; } = 4;
    /// <summary>σ of that blur, in pixels.</summary>
    public float BlurSigma { get; init; } = 1f;
    /// <summary>Largest random translation per step, in pixels (0: none).</summary>
    public int Jitter { get; init; } = 4;
    /// <summary>Largest relative random scale change per step (0: none).</summary>
    public float ScaleJitter { get; init; }
    /// <summary>Largest random rotation per step, in degrees (0: none).</summary>
    public float Rotate { get; init; }
    /// <summary>Clipping after each step.</summary>
    public PixelClip Clip { get; init; } = PixelClip.Pixels;
    /// <summary>Yosinski et al.'s small-norm pixel clipping percentile (0: none).</summary>
    public float NormPercentile { get; init; }
    /// <summary>Yosinski et al.'s small-contribution pixel clipping percentile (0: none).</summary>
    public float ContributionPercentile { get; init; }
    /// <summary>Seed of the start image and the random transforms.</summary>
    public int Seed { get; init; }
    /// <summary>What the optimizer steps.</summary>
    public InputParameterization Parameterization { get; init; }
    /// <summary>Fourier: apply Lucid's colour decorrelation (three-channel inputs).</summary>
    public bool Decorrelate { get; init; } = true;
    /// <summary>Fourier: the exponent of the 1/f scaling of the spectrum.</summary>
    public float FourierDecay { get; init; } = 1f;

    /// <summary>Checks ranges; errors name the option as the verb spells it.</summary>
    public MaximizeOptions Validate()
    {
        if (Iterations is < 1 or > 100_000) throw new RawConvException($"--iterations: {Iterations} must lie in 1–100000");
        if (!(L2 >= 0) || !float.IsFinite(L2)) throw new RawConvException($"--l2: {L2} must be a finite number ≥ 0");
        if (!(Alpha >= 1) || !float.IsFinite(Alpha)) throw new RawConvException($"--alpha: {Alpha} must be a finite number ≥ 1");
        if (!(Tv >= 0) || !float.IsFinite(Tv)) throw new RawConvException($"--tv: {Tv} must be a finite number ≥ 0");
        if (!(TvBeta >= 1) || !float.IsFinite(TvBeta)) throw new RawConvException($"--tv-beta: {TvBeta} must be a finite number ≥ 1");
        if (BlurEvery < 0) throw new RawConvException($"--blur-every: {BlurEvery} must be ≥ 0");
        if (!(BlurSigma > 0) || BlurSigma > 50) throw new RawConvException($"--blur-sigma: {BlurSigma} must lie in (0, 50]");
        if (Jitter is < 0 or > 1000) throw new RawConvException($"--jitter: {Jitter} must lie in 0–1000 pixels");
        if (!(ScaleJitter >= 0 && ScaleJitter < 1)) throw new RawConvException($"--scale: {ScaleJitter} must lie in [0, 1)");
        if (!(Rotate >= 0 && Rotate <= 180)) throw new RawConvException($"--rotate: {Rotate} must lie in 0–180 degrees");
        if (!(NormPercentile is >= 0 and < 100) || !(ContributionPercentile is >= 0 and < 100))
            throw new RawConvException($"--clip-norm/--clip-contribution: percentiles must lie in [0, 100)");
        if (Parameterization == InputParameterization.Fourier)
        {
            if (BlurEvery != 0) throw new RawConvException($"--blur-every: {BlurEvery}: blurring works on pixels; with --param fourier give 0 (the spectrum's 1/f scaling already smooths)");
            if (NormPercentile != 0 || ContributionPercentile != 0)
                throw new RawConvException("--clip-norm/--clip-contribution: pixel clipping works on pixels; with --param fourier give 0");
        }
        if (!(FourierDecay >= 0 && FourierDecay <= 4)) throw new RawConvException($"--fourier-decay: {FourierDecay} must lie in 0–4");
        return this;
    }
}

/// <summary>The optimized input (owned), the objective before each step, and its value at the end.</summary>
public sealed record MaximizeResult(Tensor Input, double[] History, ObjectiveValue Final) : IDisposable
{
    /// <summary>Releases the input.</summary>
    public void Dispose() => Input.Dispose();
}

/// <summary>
/// Activation maximization: gradient ascent on an input to raise a class score, a unit, a channel or a direction
/// (Erhan et al. 2009; Simonyan et al. 2013's class models; Yosinski et al. 2015's regularized version; Szegedy et
/// al. 2014's random directions), on the optimizer core.
/// </summary>
public static class ActivationMaximization
{
    /// <summary>
    /// A seeded start image near the input's zero (the mean colour of mean-subtracted inputs, black for the default
    /// model): Gaussian noise of σ = 8 grey levels in input units, clipped to the pixel range of <paramref name="pre"/>.
    /// </summary>
    public static Tensor RandomStart(Net net, Preprocessing pre, int seed)
    {
        var s = net.Spec.InputShape(1);
        var p = pre.For(s.C);
        var rng = new Random(seed);
        var v = new float[s.Count];
        int plane = (int)(s.Count / s.C);
        for (int c = 0; c < s.C; c++)
        {
            float sigma = 8 * p.Scale / (p.Std.Length == 0 ? 1 : p.Std[Math.Min(c, p.Std.Length - 1)]);
            var (lo, hi) = InputSteps.PixelRange(p, c);
            for (int i = 0; i < plane; i++) v[c * plane + i] = Math.Clamp((float)(sigma * Gaussian.Next(rng)), lo, hi);
        }
        return Tensor.FromArray(net.Backend, s, v);
    }

    /// <summary>
    /// Maximizes <paramref name="objective"/> over a copy of <paramref name="start"/> (1, C, H, W) on
    /// <paramref name="net"/>; <paramref name="pre"/> (for C channels) gives the pixel range. <paramref name="progress"/>
    /// hears each step and the objective before it. With the Fourier parameterization there is no start image
    /// (<paramref name="start"/> is null): the spectrum is seeded noise.
    /// </summary>
    public static MaximizeResult Run(Net net, Preprocessing pre, ObjectiveTerm objective, Tensor? start, MaximizeOptions options,
        Action<int, double>? progress = null)
    {
        var o = options.Validate();
        var goal = Goal(objective, o);
        if (o.Parameterization == InputParameterization.Fourier)
        {
            if (start is not null) throw new RawConvException("--param fourier: the spectrum starts from seeded noise; drop --input/--image or use --param pixels");
            return RunFourier(net, pre, goal, o, progress);
        }
        if (start is null) throw new RawConvException("maximize: pixel parameterization needs a start image");
        if (start.Shape.N != 1) throw new RawConvException($"maximize: start input {start.Shape} must hold one image");
        var x = start.Clone();
        try
        {
            var history = new double[o.Iterations];
            var rng = new Random(o.Seed + 1);
            using var opt = o.Optimizer.Create([ParameterGroup.For(x)], maximize: true);
            for (int it = 0; it < o.Iterations; it++)
            {
                var t = RandomTransform(rng, o);
                Tensor? lastGrad = null;
                opt.Step(() =>
                {
                    var (v, g) = goal.Evaluate(net, x, t);
                    history[it] = v.Total;
                    if (o.ContributionPercentile > 0) lastGrad = g.Clone();
                    return new Evaluation((float)v.Total, [g]);
                });
                if (o.BlurEvery > 0 && (it + 1) % o.BlurEvery == 0) InputSteps.Blur(x, o.BlurSigma);
                if (o.NormPercentile > 0 || o.ContributionPercentile > 0)
                    using (lastGrad) InputSteps.ClipSmallPixels(x, lastGrad, o.NormPercentile, o.ContributionPercentile);
                if (o.Clip == PixelClip.Pixels) InputSteps.ClipToPixels(x, pre);
                progress?.Invoke(it, history[it]);
            }
            return new MaximizeResult(x, history, goal.Value(net, x));
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    private static InputObjective Goal(ObjectiveTerm objective, MaximizeOptions o)
    {
        var penalties = new List<Penalty>();
        if (o.L2 > 0) penalties.Add(new AlphaNorm(o.L2, o.Alpha));
        if (o.Tv > 0) penalties.Add(new TotalVariationPenalty(o.Tv, o.TvBeta));
        return new InputObjective([objective], penalties, maximize: true);
    }

    /// <summary>The loop on Lucid's decorrelated spectrum: each step renders the image, evaluates it, and carries the gradient back through the parameterization's adjoint.</summary>
    private static MaximizeResult RunFourier(Net net, Preprocessing pre, InputObjective goal, MaximizeOptions o, Action<int, double>? progress)
    {
        var s = net.Spec.InputShape(1);
        using var image = new FourierImage(net.Backend, pre, s.C, s.H, s.W, o.Seed, decayPower: o.FourierDecay, decorrelate: o.Decorrelate);
        var history = new double[o.Iterations];
        var rng = new Random(o.Seed + 1);
        using (var opt = o.Optimizer.Create([ParameterGroup.For(image.Parameters, "spectrum")], maximize: true))
            for (int it = 0; it < o.Iterations; it++)
            {
                var t = RandomTransform(rng, o);
                opt.Step(() =>
                {
                    using var x = image.Image();
                    var (v, g) = goal.Evaluate(net, x, t);
                    history[it] = v.Total;
                    using (g) return new Evaluation((float)v.Total, [image.Backward(g)]);
                });
                progress?.Invoke(it, history[it]);
            }
        var result = image.Image();
        try
        {
            return new MaximizeResult(result, history, goal.Value(net, result));
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static InputTransform? RandomTransform(Random rng, MaximizeOptions o)
    {
        if (o.Jitter == 0 && o.ScaleJitter == 0 && o.Rotate == 0) return null;
        int dx = o.Jitter > 0 ? rng.Next(-o.Jitter, o.Jitter + 1) : 0, dy = o.Jitter > 0 ? rng.Next(-o.Jitter, o.Jitter + 1) : 0;
        double scale = o.ScaleJitter > 0 ? 1 + o.ScaleJitter * (2 * rng.NextDouble() - 1) : 1;
        double deg = o.Rotate > 0 ? o.Rotate * (2 * rng.NextDouble() - 1) : 0;
        return new InputTransform(dx, dy, scale, deg);
    }
}
