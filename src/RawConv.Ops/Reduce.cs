using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Reductions. Whole-tensor ones run a fixed-geometry tree reduction per work-group on the device (the
/// geometry depends on the element count only, so results are deterministic) and finish the per-group
/// partials on the host in double.
/// </summary>
public static class Reduce
{
    /// <summary>Work-items per group of these kernels: RD_LOCAL in kernels/reduce.cl, which sizes their local memory (a test checks the two agree).</summary>
    public const int GroupSize = 256;
    private const int MaxGroups = 256;

    /// <summary>Σ x.</summary>
    public static double Sum(Tensor x) => Whole("reduce.sum", x, 0);

    /// <summary>Σ x / count (0 for an empty tensor).</summary>
    public static double Mean(Tensor x) => x.Count == 0 ? 0 : Sum(x) / x.Count;

    /// <summary>sqrt(Σ x²).</summary>
    public static double L2Norm(Tensor x) => Math.Sqrt(Whole("reduce.l2norm", x, 1));

    /// <summary>Σ |x| (the L1 norm).</summary>
    public static double SumAbs(Tensor x) => Whole("reduce.sum_abs", x, 3);

    /// <summary>max |x| (0 for an empty tensor).</summary>
    public static double MaxAbs(Tensor x) => Whole("reduce.max_abs", x, 2);

    /// <summary>d‖x‖/dx · dNorm = x·dNorm/‖x‖ (0 where ‖x‖ = 0).</summary>
    public static Tensor L2NormBackward(Tensor x, float dNorm)
    {
        const string op = "reduce.l2norm_backward";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        if (b.AsKernel() is null)
        {
            var dx = Tensor.Zeros(b, x.Shape);
            ReduceRef.L2NormBackward<float>(ReferenceBackend.Floats(x.Buffer), dNorm, ReferenceBackend.Floats(dx.Buffer));
            return dx;
        }
        double norm = L2Norm(x);
        return Elementwise.Scale(x, norm == 0 ? 0f : (float)(dNorm / norm));
    }

    /// <summary>
    /// Sums over <paramref name="axes"/> (negative count from the end); the result has x's shape with those
    /// axes removed, or (1) when all are: SumAxes(dy, 0, 2, 3) on (N, C, H, W) gives the bias gradient (C).
    /// </summary>
    public static Tensor SumAxes(Tensor x, params int[] axes)
    {
        const string op = "reduce.sum_axes";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        Kernels.Int(op, x.Count);
        var dims = x.Shape.Dims;
        var reduced = new bool[dims.Length];
        foreach (var a in axes)
        {
            Guard.That(a >= -dims.Length && a < dims.Length, op, $"axis {a} out of range for shape {x.Shape}");
            int i = a < 0 ? a + dims.Length : a;
            Guard.That(!reduced[i], op, $"axis {a} listed twice for shape {x.Shape}");
            reduced[i] = true;
        }
        var kept = dims.Where((_, i) => !reduced[i]).ToArray();
        var y = Tensor.Zeros(b, kept.Length == 0 ? new Shape(1) : new Shape(kept));
        if (y.Count == 0) return y;
        if (b.AsKernel() is { } k) SumAxesKernel(k, x, dims, reduced, y);
        else ReduceRef.SumAxes<float>(ReferenceBackend.Floats(x.Buffer), dims, reduced, ReferenceBackend.Floats(y.Buffer));
        return y;
    }

    private static double Whole(string op, Tensor x, int kind)
    {
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        int n = Kernels.Int(op, x.Count);
        if (b.AsKernel() is not { } k)
        {
            var xs = ReferenceBackend.Floats(x.Buffer)[..n];
            return kind switch { 0 => ReduceRef.Sum<float>(xs), 1 => ReduceRef.SumSquares<float>(xs), 3 => ReduceRef.SumAbs<float>(xs), _ => ReduceRef.MaxAbs<float>(xs) };
        }
        if (n == 0) return 0;
        int groups = (int)Math.Min(MaxGroups, (n + GroupSize * 4L - 1) / (GroupSize * 4L));
        using var partials = Tensor.Zeros(b, new Shape(groups));
        k.Run("reduce", "reduce_partial", new LaunchGeometry((long)groups * GroupSize, 1, 1, GroupSize, 1, 1), partials, x, n, kind);
        double r = 0;
        foreach (var p in partials.ToArray()) r = kind == 2 ? Math.Max(r, p) : r + p;
        return r;
    }

    /// <summary>Merges runs of adjacent reduced / kept dims; the result alternates kinds.</summary>
    private static List<(long Size, bool Reduced)> Merge(int[] dims, bool[] reduced)
    {
        var m = new List<(long Size, bool Reduced)>();
        for (int i = 0; i < dims.Length; i++)
        {
            if (m.Count > 0 && m[^1].Reduced == reduced[i]) m[^1] = (m[^1].Size * dims[i], reduced[i]);
            else m.Add((dims[i], reduced[i]));
        }
        return m;
    }

    private static void SumAxesKernel(IKernelBackend k, Tensor x, int[] dims, bool[] reduced, Tensor y)
    {
        var m = Merge(dims, reduced);
        if (m.Count > 4)
        {
            // Five or more alternating runs: sum the last reduced run first, then the rest.
            int end = Array.LastIndexOf(reduced, true) + 1, start = end;
            while (start > 0 && reduced[start - 1]) start--;
            var midDims = dims.Where((_, i) => i < start || i >= end).ToArray();
            var midReduced = reduced.Where((_, i) => i < start || i >= end).ToArray();
            using var mid = Tensor.Zeros(x.Backend, new Shape(midDims));
            SumAxesKernel(k, x, dims, dims.Select((_, i) => i >= start && i < end).ToArray(), mid);
            SumAxesKernel(k, mid, midDims, midReduced, y);
            return;
        }
        while (m.Count < 4) m.Insert(0, (1, !m[0].Reduced));
        long count = m[0].Reduced ? m[0].Size * m[2].Size : m[1].Size * m[3].Size;
        int local = count >= 4 * GroupSize ? GroupSize : count >= 64 ? 32 : 1;
        k.Run("reduce", "reduce_axes", new LaunchGeometry(y.Count * local, 1, 1, local, 1, 1), y, x,
            (int)m[0].Size, (int)m[1].Size, (int)m[2].Size, (int)m[3].Size, m[0].Reduced ? 1 : 0);
    }
}
