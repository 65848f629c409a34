using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// All groups seen as one flat vector, the view quasi-Newton methods (L-BFGS) and line searches take:
/// lists of tensors in group order (values, gradients, directions), each tensor staying on its device.
/// </summary>
public static class GroupVectors
{
    /// <summary>The groups' value tensors in group order.</summary>
    public static IReadOnlyList<Tensor> Values(this Optimizer optimizer) => optimizer.Groups.Select(g => g.Value).ToList();

    /// <summary>The flat length: Σ of the tensors' element counts.</summary>
    public static long Count(IReadOnlyList<Tensor> xs) => xs.Sum(t => t.Count);

    /// <summary>⟨a, b⟩ over all groups: per-group products summed on the device, totals in double.</summary>
    public static double Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        Same(a, b);
        double sum = 0;
        for (int i = 0; i < a.Count; i++)
        {
            using var p = Elementwise.Mul(a[i], b[i]);
            sum += Reduce.Sum(p);
        }
        return sum;
    }

    /// <summary>y ← y + alpha·x for every group.</summary>
    public static void Axpy(float alpha, IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
    {
        Same(x, y);
        for (int i = 0; i < x.Count; i++) Elementwise.Axpy(alpha, x[i], y[i]);
    }

    /// <summary>Device copies of every tensor (the caller disposes them).</summary>
    public static Tensor[] Clone(IReadOnlyList<Tensor> xs) => xs.Select(t => t.Clone()).ToArray();

    private static void Same(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        if (a.Count != b.Count) throw new RawConvException($"group vectors: {a.Count} tensors against {b.Count}");
    }
}
