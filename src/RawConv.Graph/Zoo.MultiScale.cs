using System.Globalization;

namespace RawConv.Graph;

public static partial class Zoo
{
    /// <summary>The kernel sizes of Ustyuzhaninov et al.'s multi-scale model (ICLR 2017).</summary>
    public static readonly int[] PaperKernelSizes = [3, 5, 7, 11, 15, 23, 37, 55];

    /// <summary>Filters per size in Ustyuzhaninov et al.'s multi-scale model (8 × 128 = 1024 maps).</summary>
    public const int PaperFiltersPerBank = 128;

    /// <summary>The default kernel sizes of "random-multiscale": the paper's up to 23, so a 128×128 texture takes about a minute on two CPU cores.</summary>
    public static readonly int[] DefaultMultiScaleKernelSizes = [3, 5, 7, 11, 15, 23];

    /// <summary>The default filters per size of "random-multiscale".</summary>
    public const int DefaultMultiScaleFilters = 32;

    /// <summary>True for "random-multiscale[:SEED[:FILTERS[:SIZES]]]": a zoo entry whose weights are drawn from its seed, not read from a file.</summary>
    public static bool HasOwnWeights(string name) =>
        name.Equals("random-multiscale", StringComparison.OrdinalIgnoreCase) || name.StartsWith("random-multiscale:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The random multi-scale network of Ustyuzhaninov, Brendel, Gatys &amp; Bethge, "What does it take to generate natural
    /// textures?" (ICLR 2017): one <see cref="MultiScaleConvLayer"/> "conv" of <paramref name="filtersPerBank"/> random
    /// filters per kernel size, without bias, then ReLU "relu"; input 3×128×128 in torchvision's preprocessing (any size
    /// works: the net is fully convolutional). The paper's configuration is 128 filters of each of 3, 5, 7, 11, 15, 23, 37
    /// and 55 (≈ 2 M multiply-adds per pixel); the default entry keeps sizes up to 23 with 32 filters each (≈ 92 k).
    /// </summary>
    public static NetSpec RandomMultiScale(int filtersPerBank, int[] kernelSizes) => new NetSpec("random-multiscale", 3, 128, 128,
    [
        new MultiScaleConvLayer("conv", filtersPerBank, kernelSizes, Bias: false),
        new ReluLayer("relu"),
    ]).Validate();

    /// <summary>The architecture of "random-multiscale[:SEED[:FILTERS[:SIZES]]]" (the seed only draws the weights).</summary>
    public static NetSpec RandomMultiScale(string name)
    {
        var (_, filters, sizes) = ParseRandomMultiScale(name);
        return RandomMultiScale(filters, sizes);
    }

    /// <summary>
    /// "random-multiscale[:SEED[:FILTERS[:SIZES]]]" with its weights on <paramref name="backend"/>: SEED (default 0) draws
    /// the filters (<see cref="RandomMultiScaleWeights"/>), FILTERS is the filters per size (default 32), SIZES the odd
    /// kernel sizes separated by commas (default 3,5,7,11,15,23); "random-multiscale:SEED:paper" is the paper's 128 × 3…55.
    /// </summary>
    public static Net WithOwnWeights(string name, IBackend backend)
    {
        var (seed, filters, sizes) = ParseRandomMultiScale(name);
        var net = new Net(RandomMultiScale(filters, sizes), backend);
        try
        {
            net.SetParams("conv", RandomMultiScaleWeights(filters, 3, sizes, seed), null);
            net.Source = name;
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Seeded filters in the <see cref="MultiScaleConvLayer"/> layout (F·B, C, Kmax, Kmax): each C×k×k filter is drawn
    /// uniformly from [−1, 1] and scaled to unit L2 norm, so every size answers white noise alike (a zero-mean filter
    /// would leave the mean colour free, and a synthesized grass would come out grey).
    /// </summary>
    public static float[] RandomMultiScaleWeights(int filtersPerBank, int channels, int[] kernelSizes, int seed)
    {
        int kmax = kernelSizes.Max(), plane = kmax * kmax;
        var w = new float[(long)filtersPerBank * kernelSizes.Length * channels * plane];
        var rng = new Random(seed);
        for (int b = 0; b < kernelSizes.Length; b++)
        {
            int k = kernelSizes[b], off = (kmax - k) / 2;
            for (int f = 0; f < filtersPerBank; f++)
            {
                long at = ((long)b * filtersPerBank + f) * channels * plane;
                var v = new double[channels, k * k];
                double norm = 0;
                for (int c = 0; c < channels; c++)
                {
                    for (int i = 0; i < k * k; i++)
                    {
                        v[c, i] = 2 * rng.NextDouble() - 1;
                        norm += v[c, i] * v[c, i];
                    }
                }
                double scale = norm > 0 ? 1 / Math.Sqrt(norm) : 0;
                for (int c = 0; c < channels; c++)
                    for (int i = 0; i < k * k; i++)
                        w[at + (long)c * plane + (i / k + off) * kmax + i % k + off] = (float)(v[c, i] * scale);
            }
        }
        return w;
    }

    /// <summary>Parses "random-multiscale[:SEED[:FILTERS[:SIZES]]]" or "random-multiscale:SEED:paper".</summary>
    public static (int Seed, int Filters, int[] Sizes) ParseRandomMultiScale(string name)
    {
        var parts = name.Split(':');
        const string usage = "expected random-multiscale[:SEED[:FILTERS[:SIZES]]] with whole numbers and odd sizes in increasing order separated by commas, e.g. random-multiscale:0:32:3,5,7,11,15,23, or random-multiscale:SEED:paper";
        static int Whole(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;
        if (parts.Length > 4) throw new RawConvException($"model '{name}': {usage}");
        int seed = parts.Length > 1 ? Whole(parts[1]) : 0;
        if (parts.Length == 3 && parts[2].Equals("paper", StringComparison.OrdinalIgnoreCase))
            return seed >= 0 ? (seed, PaperFiltersPerBank, PaperKernelSizes) : throw new RawConvException($"model '{name}': {usage}");
        int filters = parts.Length > 2 ? Whole(parts[2]) : DefaultMultiScaleFilters;
        int[] sizes = parts.Length > 3 ? parts[3].Split(',').Select(Whole).ToArray() : DefaultMultiScaleKernelSizes;
        if (seed < 0 || filters < 1 || filters > 4096 || sizes.Any(k => k < 1 || k > 255))
            throw new RawConvException($"model '{name}': {usage}");
        return (seed, filters, sizes);
    }
}
