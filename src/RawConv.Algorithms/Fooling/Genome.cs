namespace RawConv.Algorithms.Fooling;

/// <summary>An image encoding the evolutionary search mutates: it renders C planes of H×W pixels in 0–255.</summary>
public interface IGenome
{
    /// <summary>The picture, planar (C, H, W), pixel values 0–255.</summary>
    float[] Render(int channels, int height, int width);

    /// <summary>A mutated copy.</summary>
    IGenome Mutate(Random rng);

    /// <summary>A short description for sidecars ("direct", "cppn: 7 nodes, 15 connections").</summary>
    string Describe();
}

/// <summary>
/// Nguyen et al.'s direct encoding: the pixels themselves, drawn uniformly at random; a mutation changes each pixel
/// with probability <paramref name="Rate"/> by Gaussian noise of σ = <paramref name="Sigma"/> grey levels, each of the two
/// scaled by a factor drawn from 0.1, 0.3, 1 and 2.5 per mutation.
/// </summary>
public sealed record DirectGenome(float[] Pixels, float Rate = 0.02f, float Sigma = 60f) : IGenome
{
    private static readonly double[] Scales = [0.1, 0.3, 1, 2.5];

    /// <summary>A random genome of <paramref name="count"/> pixels, uniform in 0–255.</summary>
    public static DirectGenome Random(Random rng, int count, float rate = 0.02f, float sigma = 60f) =>
        new(Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 255)).ToArray(), rate, sigma);

    /// <inheritdoc/>
    public float[] Render(int channels, int height, int width)
    {
        if (Pixels.Length != channels * height * width)
            throw new RawConvException($"direct genome of {Pixels.Length} pixels cannot render ({channels}, {height}, {width})");
        return Pixels;
    }

    /// <inheritdoc/>
    public IGenome Mutate(Random rng)
    {
        var p = (float[])Pixels.Clone();
        // Mutations of several sizes, so the search can both explore and fine-tune a nearly fooled picture.
        double rate = Rate * Scales[rng.Next(Scales.Length)], sigma = Sigma * Scales[rng.Next(Scales.Length)];
        for (int i = 0; i < p.Length; i++)
        {
            if (rng.NextDouble() >= rate) continue;
            p[i] = Math.Clamp(p[i] + (float)(sigma * Gaussian.Next(rng)), 0f, 255f);
        }
        return this with { Pixels = p };
    }

    /// <inheritdoc/>
    public string Describe() => "direct";
}
