using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Invert;

/// <summary>
/// Settings of Mahendran–Vedaldi inversion. The loss is ‖Φ(x) − Φ₀‖²/‖Φ₀‖² + <see cref="LambdaAlpha"/>·N_α(x) +
/// <see cref="LambdaTv"/>·N_TV(x) with their normalized penalties N_α = Σ|x|^α / (H·W·B^α) and N_TV = TV_β(x) / (H·W·V^β),
/// B the Euclidean norm of a pixel vector whose channels each span half their pixel range (Mahendran–Vedaldi's typical pixel
/// norm, here from the preprocessing rather than a training set) and V = B/6.5. Each of <see cref="Restarts"/> runs starts
/// from seeded noise; the one with the lowest reconstruction error is kept.
/// </summary>
public sealed record InvertOptions
{
    /// <summary>Optimizer steps per restart.</summary>
    public int Iterations { get; init; } = 300;
    /// <summary>The optimizer; its learning rate in input units (null: Adam at 3 % of the pixel range, set by <see cref="Inversion.Run"/>).</summary>
    public OptimizerSettings? Optimizer { get; init; }
    /// <summary>Exponent α of the norm penalty (Mahendran–Vedaldi: 6).</summary>
    public float Alpha { get; init; } = 6f;
    /// <summary>Weight of the normalized α-norm penalty.</summary>
    public float LambdaAlpha { get; init; } = 1e-4f;
    /// <summary>Exponent β of the total variation (Mahendran–Vedaldi: 2).</summary>
    public float Beta { get; init; } = 2f;
    /// <summary>Weight of the normalized total variation.</summary>
    public float LambdaTv { get; init; } = 3e-3f;
    /// <summary>Independent runs from different seeded starts.</summary>
    public int Restarts { get; init; } = 1;
    /// <summary>Clipping after each step.</summary>
    public PixelClip Clip { get; init; } = PixelClip.Pixels;
    /// <summary>Seed of the first restart (restart r uses Seed + r).</summary>
    public int Seed { get; init; }

    /// <summary>Checks ranges; errors name the option as the verb spells it.</summary>
    public InvertOptions Validate()
    {
        if (Iterations is < 1 or > 100_000) throw new RawConvException($"--iterations: {Iterations} must lie in 1–100000");
        if (!(Alpha >= 1) || !float.IsFinite(Alpha)) throw new RawConvException($"--alpha: {Alpha} must be a finite number ≥ 1");
        if (!(Beta >= 1) || !float.IsFinite(Beta)) throw new RawConvException($"--tv-beta: {Beta} must be a finite number ≥ 1");
        if (!(LambdaAlpha >= 0) || !float.IsFinite(LambdaAlpha)) throw new RawConvException($"--lambda-alpha: {LambdaAlpha} must be a finite number ≥ 0");
        if (!(LambdaTv >= 0) || !float.IsFinite(LambdaTv)) throw new RawConvException($"--lambda-tv: {LambdaTv} must be a finite number ≥ 0");
        if (Restarts is < 1 or > 100) throw new RawConvException($"--restarts: {Restarts} must lie in 1–100");
        return this;
    }
}

/// <summary>One restart: its seed, the loss before each step, and the normalized error ‖Φ(x*) − Φ₀‖/‖Φ₀‖ of its result.</summary>
public sealed record InvertRestart(int Seed, double[] History, double NormalizedError);

/// <summary>The best restart's image (owned), every restart, and the index of the best.</summary>
public sealed record InvertResult(Tensor Input, IReadOnlyList<InvertRestart> Restarts, int Best) : IDisposable
{
    /// <summary>The best restart's normalized reconstruction error.</summary>
    public double NormalizedError => Restarts[Best].NormalizedError;

    /// <summary>Releases the image.</summary>
    public void Dispose() => Input.Dispose();
}

/// <summary>
/// Understanding deep image representations by inverting them (Mahendran and Vedaldi 2015): the image whose code at a
/// layer matches the code of a given image, under natural-image priors (α-norm and total variation), found by gradient
/// descent on the optimizer core.
/// </summary>
public static class Inversion
{
    /// <summary>Inverts the code of <paramref name="x0"/> (1, C, H, W) at <paramref name="layer"/>; <paramref name="pre"/> (for C channels) gives the pixel range.</summary>
    public static InvertResult Run(Net net, Preprocessing pre, string layer, Tensor x0, InvertOptions options, Action<int, int, double>? progress = null)
    {
        var o = options.Validate();
        var s = x0.Shape;
        if (s.N != 1) throw new RawConvException($"invert: the image {s} must hold one picture");
        net.Spec.IndexOf(layer);
        using var code = net.Forward(x0, layer);
        double b = TypicalPixelNorm(pre, s.C), v = b / 6.5, hw = (double)s.H * s.W;
        var penalties = new List<Penalty>();
        if (o.LambdaAlpha > 0) penalties.Add(new AlphaNorm((float)(o.LambdaAlpha / (hw * Math.Pow(b, o.Alpha))), o.Alpha));
        if (o.LambdaTv > 0) penalties.Add(new TotalVariationPenalty((float)(o.LambdaTv / (hw * Math.Pow(v, o.Beta))), o.Beta));
        var (lo, hi) = InputSteps.PixelRange(pre, 0);
        var opt = o.Optimizer ?? new OptimizerSettings(OptimizerKind.Adam, 0.03f * (hi - lo));
        var restarts = new List<InvertRestart>();
        Tensor? best = null;
        try
        {
            for (int r = 0; r < o.Restarts; r++)
            {
                using var term = new FeatureReconstruction(layer, code[layer].Clone());
                var goal = new InputObjective([term], penalties, maximize: false);
                var x = ActivationMaximization.RandomStart(net, pre, o.Seed + r);
                try
                {
                    var history = new double[o.Iterations];
                    using (var optimizer = opt.Create([ParameterGroup.For(x)], maximize: false))
                        for (int it = 0; it < o.Iterations; it++)
                        {
                            int step = it;
                            optimizer.Step(() =>
                            {
                                var (val, g) = goal.Evaluate(net, x);
                                history[step] = val.Total;
                                return new Evaluation((float)val.Total, [g]);
                            });
                            if (o.Clip == PixelClip.Pixels) InputSteps.ClipToPixels(x, pre);
                            progress?.Invoke(r, it, history[it]);
                        }
                    var (final, grad) = new InputObjective([term], [], maximize: false).Evaluate(net, x);
                    grad.Dispose();
                    restarts.Add(new InvertRestart(o.Seed + r, history, Math.Sqrt(final.Terms[0])));
                    if (best is null || restarts[^1].NormalizedError < restarts.Where((_, i) => i < restarts.Count - 1).Min(q => q.NormalizedError))
                    {
                        best?.Dispose();
                        best = x;
                        x = null!;
                    }
                }
                finally
                {
                    x?.Dispose();
                }
            }
            int bi = restarts.Select((q, i) => (q.NormalizedError, i)).Min().i;
            return new InvertResult(best!, restarts, bi);
        }
        catch
        {
            best?.Dispose();
            throw;
        }
    }

    /// <summary>B: the norm of a pixel vector whose channels each span half their range under <paramref name="pre"/>.</summary>
    public static double TypicalPixelNorm(Preprocessing pre, int channels)
    {
        double q = 0;
        for (int c = 0; c < channels; c++)
        {
            var (lo, hi) = InputSteps.PixelRange(pre, c);
            q += (hi - lo) * (hi - lo) / 4.0;
        }
        return Math.Sqrt(q);
    }
}
