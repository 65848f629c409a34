namespace RawConv.Algorithms;

/// <summary>Standard normal draws from a seeded <see cref="Random"/> (Box–Muller, one value per pair of uniforms).</summary>
public static class Gaussian
{
    /// <summary>One N(0, 1) value: √(−2 ln u₁)·cos 2πu₂ with u₁ = 1 − U[0, 1) ∈ (0, 1] and u₂ = U[0, 1), drawn in that order.</summary>
    public static double Next(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
