using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>LRN parameters (Caffe defaults = AlexNet's): window size, alpha, beta, k.</summary>
public sealed record LrnParams(int Size = 5, float Alpha = 1e-4f, float Beta = 0.75f, float K = 1f);

/// <summary>
/// Local response normalization across channels (kernels/lrn.cl), Caffe ACROSS_CHANNELS = ONNX LRN:
/// scale = k + (alpha/size)·Σ_{c' in window} x², y = x·scale^(−beta), window c − floor((size−1)/2) …
/// c + ceil((size−1)/2) clipped to the channels. Input (N, C, ...) of rank ≥ 2.
/// </summary>
public static class Lrn
{
    /// <summary>Longest window whose backward needs no scratch tensor (LRN_RING in kernels/lrn.cl).</summary>
    private const int LrnRing = 16;

    /// <summary>y = x · scale^(−beta).</summary>
    public static Tensor Forward(Tensor x, LrnParams p)
    {
        const string op = "lrn.forward";
        var b = Guard.SameBackend(op, x);
        Check(op, x, p);
        Guard.Finite(op, "x", x);
        var y = Tensor.Uninitialized(b, x.Shape);
        if (x.Count == 0) return y;
        if (b.AsKernel() is { } k)
        {
            var (n, C, hw) = Dims(op, x.Shape);
            int lv = k.Tuning.LrnPixels;
            Planes.Run(k, "lrn", op, $"lrn_forward_{lv}", (hw + lv - 1) / lv, 1, n, [y, x, C, hw, p.Size, p.Alpha, p.Beta, p.K]);
        }
        else LrnRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer), x.Shape, p);
        return y;
    }

    /// <summary>dx = dy·scale^(−beta) − (2·alpha·beta/size)·x·Σ_{windows holding c} dy·y/scale, from the forward's x and y.</summary>
    public static Tensor Backward(Tensor x, Tensor y, Tensor dy, LrnParams p)
    {
        const string op = "lrn.backward";
        var b = Guard.SameBackend(op, x, y, dy);
        Check(op, x, p);
        Guard.Float(op, "y", y);
        Guard.Float(op, "dy", dy);
        Guard.SameShape(op, "x", x, "y", y);
        Guard.SameShape(op, "x", x, "dy", dy);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, x.Shape);
        if (x.Count == 0) return dx;
        if (b.AsKernel() is { } k)
        {
            var (n, C, hw) = Dims(op, x.Shape);
            // Windows up to LrnRing channels need no scratch (kernels/lrn.cl); dx stands in for the unused r.
            using var r = p.Size > LrnRing ? Tensor.Zeros(b, x.Shape) : null;
            int lv = k.Tuning.LrnPixels;
            Planes.Run(k, "lrn", op, $"lrn_backward_{lv}", (hw + lv - 1) / lv, 1, n, [dx, r ?? dx, x, y, dy, C, hw, p.Size, p.Alpha, p.Beta, p.K]);
        }
        else LrnRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer),
            ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(dx.Buffer), x.Shape, p);
        return dx;
    }

    /// <summary>Batch, channels and the product of the remaining dimensions (H·W for NCHW).</summary>
    private static (int N, int C, int Hw) Dims(string op, Shape s)
    {
        Kernels.Int(op, s.Count);
        return (s[0], s[1], (int)(s.Count / ((long)s[0] * s[1])));
    }

    private static void Check(string op, Tensor x, LrnParams p)
    {
        Guard.Float(op, "x", x);
        Guard.That(x.Shape.Rank >= 2, op, $"x must be (N, C, ...) of rank ≥ 2, got {x.Shape} on {x.Backend.Name}");
        Guard.That(p.Size >= 1, op, $"size {p.Size} must be ≥ 1");
        Guard.That(p.K > 0 && p.Alpha >= 0 && float.IsFinite(p.Beta), op,
            $"need k > 0, alpha ≥ 0 and a finite beta so the scale stays positive, got {p}");
    }
}
