using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Fooling;

/// <summary>The image encoding the search evolves.</summary>
public enum FoolEncoding
{
    /// <summary>Pixels directly.</summary>
    Direct,
    /// <summary>A compositional pattern-producing network.</summary>
    Cppn,
}

/// <summary>
/// Settings of the fooling-image search: <see cref="Generations"/> rounds of <see cref="Offspring"/> mutants each (the
/// budget is their product, in network evaluations), stopping early once every target class has an image at
/// <see cref="Confidence"/> or more.
/// </summary>
public sealed record FoolOptions
{
    /// <summary>The encoding.</summary>
    public FoolEncoding Encoding { get; init; } = FoolEncoding.Direct;
    /// <summary>Rounds of mutation.</summary>
    public int Generations { get; init; } = 200;
    /// <summary>Mutants per round (one network batch).</summary>
    public int Offspring { get; init; } = 64;
    /// <summary>The probability at which a class counts as fooled.</summary>
    public float Confidence { get; init; } = 0.99f;
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; }

    /// <summary>Checks ranges; errors name the option as the verb spells it.</summary>
    public FoolOptions Validate()
    {
        if (Generations is < 1 or > 100_000) throw new RawConvException($"--generations: {Generations} must lie in 1–100000");
        if (Offspring is < 1 or > 4096) throw new RawConvException($"--offspring: {Offspring} must lie in 1–4096");
        if (!(Confidence > 0 && Confidence < 1)) throw new RawConvException($"--confidence: {Confidence} must lie in (0, 1)");
        return this;
    }
}

/// <summary>One archive cell: the best image found for a class and its probability.</summary>
public sealed record Elite(int Class, IGenome Genome, float[] Pixels, float Probability, int Generation);

/// <summary>The archive (one elite per class reached), the best probability per class after each generation, the evaluations spent.</summary>
public sealed record FoolResult(IReadOnlyList<Elite?> Elites, float[][] Progress, int Evaluations, int Generations);

/// <summary>
/// Fooling images (Nguyen, Yosinski and Clune 2015): MAP-Elites with one cell per class — every mutant is scored on every
/// class and replaces each cell's elite it beats, parents drawn mostly from the cells still below the confidence — over directly encoded or CPPN-encoded pictures, until each target class
/// has an image the network gives it with high confidence although it looks like nothing of the kind.
/// </summary>
public static class FoolingSearch
{
    /// <summary>
    /// Searches on <paramref name="net"/> (classes at its logits layer) for images of pixels 0–255 preprocessed by
    /// <paramref name="pre"/> (given for the network's channels). <paramref name="targets"/> lists the classes whose
    /// cells decide when to stop (null: all). <paramref name="progress"/> hears each generation and the mean best probability over the target classes.
    /// </summary>
    public static FoolResult Run(Net net, Preprocessing pre, FoolOptions options, IReadOnlyList<int>? targets = null, Action<int, double>? progress = null)
    {
        var o = options.Validate();
        var s = net.Spec.InputShape(1);
        int c = s.C, h = s.H, w = s.W, per = c * h * w;
        var rng = new Random(o.Seed);
        int classes = net.Spec.Shapes(s, net.Spec.Roles.Logits)[^1][1];
        var want = targets ?? Enumerable.Range(0, classes).ToList();
        if (want.Any(k => k < 0 || k >= classes)) throw new RawConvException($"--class: classes lie in 0–{classes - 1}");
        var elites = new Elite?[classes];
        var history = new List<float[]>();
        int evaluations = 0, gen;
        IGenome Fresh() => o.Encoding == FoolEncoding.Direct ? DirectGenome.Random(rng, per) : CppnGenome.Random(rng, c);
        for (gen = 0; gen < o.Generations; gen++)
        {
            var filled = elites.Where(e => e is not null).ToArray();
            var open = want.Where(k => elites[k] is { } e && e.Probability < o.Confidence).Select(k => elites[k]!).ToArray();
            var batch = new IGenome[o.Offspring];
            // Parents: mostly the elites of target classes still below the confidence, else any elite (MAP-Elites).
            for (int i = 0; i < batch.Length; i++)
                batch[i] = gen == 0 || filled.Length == 0 ? Fresh()
                    : (open.Length > 0 && rng.NextDouble() < 0.75 ? open[rng.Next(open.Length)] : filled[rng.Next(filled.Length)]!).Genome.Mutate(rng);
            var pixels = batch.Select(g => g.Render(c, h, w)).ToArray();
            var probs = Score(net, pre, pixels, c, h, w);
            evaluations += batch.Length;
            for (int i = 0; i < batch.Length; i++)
                for (int k = 0; k < classes; k++)
                    if (elites[k] is null || probs[i][k] > elites[k]!.Probability)
                        elites[k] = new Elite(k, batch[i], pixels[i], probs[i][k], gen);
            history.Add(elites.Select(e => e?.Probability ?? 0f).ToArray());
            progress?.Invoke(gen, want.Average(k => (double)(elites[k]?.Probability ?? 0f)));
            if (want.All(k => elites[k]!.Probability >= o.Confidence)) { gen++; break; }
        }
        return new FoolResult(elites, history.ToArray(), evaluations, gen);
    }

    /// <summary>Class probabilities (softmax of the logits, in double) of pictures of pixels 0–255, in one batch.</summary>
    public static float[][] Score(Net net, Preprocessing pre, IReadOnlyList<float[]> pixels, int c, int h, int w)
    {
        int per = c * h * w, plane = h * w;
        var data = new float[(long)pixels.Count * per];
        for (int i = 0; i < pixels.Count; i++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < plane; p++)
                    data[(long)i * per + ch * plane + p] = pre.Normalize(pixels[i][ch * plane + p], ch);
        using var x = Tensor.FromArray(net.Backend, new Shape(pixels.Count, c, h, w), data);
        string logits = net.Spec.Roles.Logits;
        using var pass = net.Forward(x, logits);
        var z = pass[logits].ToArray();
        int k = z.Length / pixels.Count;
        return Enumerable.Range(0, pixels.Count)
            .Select(i => ClassProbability.Softmax(z.AsSpan(i * k, k)).Select(v => (float)v).ToArray()).ToArray();
    }
}
