using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Total variation of images or feature maps (N, C, H, W), Mahendran–Vedaldi form:
/// TV_β = Σ ((x[h,w+1] − x[h,w])² + (x[h+1,w] − x[h,w])²)^(β/2), differences past the last column / row
/// taken as 0 (replicate padding, as in their code). β = 2 is the squared form.
/// </summary>
public static class TotalVariation
{
    /// <summary>TV_β(x).</summary>
    public static double Forward(Tensor x, float beta = 2f)
    {
        const string op = "total_variation.forward";
        var b = Check(op, x, beta);
        var s = x.Shape;
        if (x.Count == 0) return 0;
        if (b.AsKernel() is not { } k)
            return TotalVariationRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), s.N * s.C, s.H, s.W, beta);
        int n = (int)x.Count;
        using var terms = Tensor.Zeros(b, s);
        k.Run("totalvariation", "tv_terms", LaunchGeometry.Linear(n), terms, x, s.H, s.W, beta, n);
        return Reduce.Sum(terms);
    }

    /// <summary>∂TV_β/∂x; terms whose two differences are both 0 contribute 0 (the kink of β ≤ 1 there).</summary>
    public static Tensor Backward(Tensor x, float beta = 2f)
    {
        const string op = "total_variation.backward";
        var b = Check(op, x, beta);
        var s = x.Shape;
        var dx = Tensor.Zeros(b, s);
        if (x.Count == 0) return dx;
        if (b.AsKernel() is { } k)
            k.Run("totalvariation", "tv_backward", LaunchGeometry.Linear(x.Count), dx, x, s.H, s.W, beta, (int)x.Count);
        else TotalVariationRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dx.Buffer), s.N * s.C, s.H, s.W, beta);
        return dx;
    }

    private static IBackend Check(string op, Tensor x, float beta)
    {
        var b = Guard.SameBackend(op, x);
        Guard.Nchw(op, "x", x);
        Guard.That(beta > 0 && float.IsFinite(beta), op, $"β = {beta} must be positive (x {x.Shape} on {b.Name})");
        Kernels.Int(op, x.Count);
        Guard.Finite(op, "x", x);
        return b;
    }
}
