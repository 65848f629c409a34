using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference inverted dropout with the counter-based mask of kernels/dropout.cl.</summary>
public static class DropoutRef
{
    /// <summary>PCG-RXS-M-XS 32-bit output permutation (same constants as the kernel).</summary>
    public static uint Pcg(uint v)
    {
        uint state = unchecked(v * 747796405u + 2891336453u);
        uint word = unchecked(((state >> (int)((state >> 28) + 4u)) ^ state) * 277803737u);
        return (word >> 22) ^ word;
    }

    /// <summary>The mask hash of element <paramref name="i"/> under <paramref name="seed"/>.</summary>
    public static uint Hash(ulong seed, uint i) =>
        unchecked(Pcg(Pcg(Pcg(i) ^ (uint)seed) + (uint)(seed >> 32)));

    /// <summary>Drop threshold on the hash's top 24 bits: drop iff (hash &gt;&gt; 8) &lt; threshold; drop probability threshold/2^24.</summary>
    public static uint Threshold(float p) => (uint)Math.Round(p * (double)(1 << 24));

    /// <summary>Scale applied to kept elements, computed in float as the kernels receive it.</summary>
    public static float Scale(float p) => 1f / (1f - p);

    /// <summary>mask[i] = keep ? 1 : 0; y = x·mask·scale.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, float p, ulong seed) where T : IFloatingPointIeee754<T>
    {
        uint thr = Threshold(p);
        T scale = T.CreateChecked(Scale(p));
        for (int i = 0; i < x.Length; i++)
        {
            mask[i] = (Hash(seed, (uint)i) >> 8) >= thr ? T.One : T.Zero;
            y[i] = x[i] * mask[i] * scale;
        }
    }

    /// <summary>dx = dy·mask·scale.</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> mask, Span<T> dx, float p) where T : IFloatingPointIeee754<T>
    {
        T scale = T.CreateChecked(Scale(p));
        for (int i = 0; i < dy.Length; i++) dx[i] = dy[i] * mask[i] * scale;
    }
}
