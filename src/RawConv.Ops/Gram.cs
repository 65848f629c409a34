using RawConv.Ops.Reference;
using Mat = RawConv.Ops.Gemm.Mat;

namespace RawConv.Ops;

/// <summary>
/// Gram matrices of feature maps, G = scale·X·Xᵀ per image (texture synthesis, style transfer), X the
/// (C, H·W) view of one image. The forward runs kernels/gram.cl (no transpose needed), the backward a
/// batched GEMM on kernels/gemm.cl.
/// </summary>
public static class Gram
{
    /// <summary>x (N, C, H, W) → G (N, C, C), G[c,d] = scale·Σ_hw x[c,hw]·x[d,hw].</summary>
    public static Tensor Forward(Tensor x, float scale = 1f)
    {
        const string op = "gram.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Nchw(op, "x", x);
        Guard.Finite(op, "x", x);
        var (n, c, hw) = Dims(op, x.Shape);
        var g = Tensor.Zeros(b, new Shape(n, c, c));
        Kernels.Int(op, g.Count);
        if (b.AsKernel() is { } k)
        {
            if (g.Count == 0 || hw == 0) return g;
            // 4 × 4 blocks of G per work-item, both operands read along hw (no transpose).
            k.Run("gram", "gram_xxt", LaunchGeometry.Grid3((c + 3) / 4, (c + 3) / 4, n, 1, 1, 1), g, x, c, hw, scale);
        }
        else GramRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(g.Buffer), n, c, hw, scale);
        return g;
    }

    /// <summary>dx[c,hw] = scale·Σ_d (dG[c,d] + dG[d,c])·x[d,hw].</summary>
    public static Tensor Backward(Tensor x, Tensor dG, float scale = 1f)
    {
        const string op = "gram.backward";
        var b = Guard.SameBackend(op, x, dG);
        Guard.Nchw(op, "x", x);
        Guard.Float(op, "dG", dG);
        var (n, c, hw) = Dims(op, x.Shape);
        Guard.That(dG.Shape == new Shape(n, c, c), op, $"dG {dG.Shape} must be (N, C, C) = ({n}, {c}, {c}) for x {x.Shape} on {b.Name}");
        Kernels.Int(op, dG.Count);
        Guard.Finite(op, "dG", dG);
        var dx = Tensor.Zeros(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            if (dx.Count == 0) return dx;
            // dx = scale · S · X, S = dG + dGᵀ.
            using var sym = Tensor.Zeros(b, dG.Shape);
            k.Run("gram", "gram_sym", LaunchGeometry.Grid3(c, c, n, 16, 1, 1), sym, dG, c);
            Gemm.Nn(k, new Mat(dx.Buffer, 0, hw, c * hw), new Mat(sym.Buffer, 0, c, c * c), new Mat(x.Buffer, 0, hw, c * hw),
                c, hw, c, batches: n, alpha: scale);
        }
        else GramRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dG.Buffer),
            ReferenceBackend.Floats(dx.Buffer), n, c, hw, scale);
        return dx;
    }

    private static (int N, int C, int HW) Dims(string op, Shape s)
    {
        Kernels.Int(op, s.Count);
        Guard.That(s.N <= 65535, op, $"batch of {s} exceeds 65535, the largest grid z of a CUDA launch");
        return (s.N, s.C, s.H * s.W);
    }
}
