using RawConv.Ops.Reference;
using Mat = RawConv.Ops.Gemm.Mat;

namespace RawConv.Ops;

/// <summary>
/// Fully connected layer, weights (out, in) as in Caffe, PyTorch and ONNX Gemm with transB = 1;
/// x (N, in) or (N, C, H, W) flattened to (N, C·H·W). Runs on gemm.cl.
/// </summary>
public static class Linear
{
    /// <summary>y (N, out) = x · wᵀ + bias; bias (out) optional.</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias)
    {
        const string op = "linear.forward";
        var b = Guard.SameBackend(op, x, w, bias);
        var (n, inF, outF) = Dims(op, x.Shape, w);
        Conv2d.CheckBias(op, bias, outF, w.Shape);
        Guard.Finite(op, "x", x);
        Guard.Finite(op, "w", w);
        var y = Tensor.Zeros(b, new Shape(n, outF));
        if (b.AsKernel() is { } k && k.Tuning.GemvMaxBatch > 0 && n <= k.Tuning.GemvMaxBatch)
        {
            // A matrix-vector product: stream each weight row once (kernels/gemm.cl gemv_nt). One thread
            // per row suits CPU cores, not warps (uncoalesced on a GPU), so the GPU tuning keeps the GEMM.
            if (n > 0 && outF > 0)
                k.Run("gemm", "gemv_nt", LaunchGeometry.Linear(outF, 16), y, x, w, bias ?? w, bias is null ? 0 : 1, n, outF, inF);
        }
        else if (b.AsKernel() is { } kb)
        {
            // yᵀ (out × N) = w · xᵀ, stored transposed (ldc 1, column stride out) straight into y.
            using var xt = Gemm.Transpose(kb, x.Buffer, n, inF);
            Gemm.Nn(kb, new Mat(y.Buffer, 0, 1), new Mat(w.Buffer, 0, inF), new Mat(xt, 0, n), outF, n, inF,
                bias: bias?.Buffer, cSplit: 1, cSplitStride: outF);
        }
        else GemmRef.LinearForward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(w.Buffer),
            bias is null ? default : ReferenceBackend.Floats(bias.Buffer), ReferenceBackend.Floats(y.Buffer), n, inF, outF);
        return y;
    }

    /// <summary>dx = dy · w, shaped like the forward input <paramref name="xShape"/>.</summary>
    public static Tensor BackwardData(Tensor dy, Tensor w, Shape xShape)
    {
        const string op = "linear.backward_data";
        var b = Guard.SameBackend(op, dy, w);
        var (n, inF, outF) = Dims(op, xShape, w);
        CheckDy(op, dy, n, outF);
        var dx = Tensor.Zeros(b, xShape);
        if (b.AsKernel() is { } k)
            Gemm.Nn(k, new Mat(dx.Buffer, 0, inF), new Mat(dy.Buffer, 0, outF), new Mat(w.Buffer, 0, inF), n, inF, outF);
        else GemmRef.LinearBackwardData<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(w.Buffer),
            ReferenceBackend.Floats(dx.Buffer), n, inF, outF);
        return dx;
    }

    /// <summary>dw (out, in) = dyᵀ · x.</summary>
    public static Tensor BackwardWeight(Tensor x, Tensor dy)
    {
        const string op = "linear.backward_weight";
        var b = Guard.SameBackend(op, x, dy);
        Guard.Float(op, "x", x);
        Guard.Float(op, "dy", dy);
        Guard.That(x.Shape.Rank is 2 or 4 && dy.Shape.Rank == 2 && dy.Shape[0] == x.Shape[0], op,
            $"dy {dy.Shape} must be (N, out) for x {x.Shape} with the same N");
        int n = x.Shape[0], inF = (int)(x.Count / Math.Max(n, 1)), outF = dy.Shape[1];
        var dw = Tensor.Zeros(b, new Shape(outF, inF));
        if (b.AsKernel() is { } k)
        {
            using var dyt = Gemm.Transpose(k, dy.Buffer, n, outF);
            Gemm.Nn(k, new Mat(dw.Buffer, 0, inF), new Mat(dyt, 0, n), new Mat(x.Buffer, 0, inF), outF, inF, n);
        }
        else GemmRef.LinearBackwardWeight<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dw.Buffer), n, inF, outF);
        return dw;
    }

    /// <summary>db (out) = Σ over the batch of dy.</summary>
    public static Tensor BackwardBias(Tensor dy)
    {
        const string op = "linear.backward_bias";
        var b = Guard.SameBackend(op, dy);
        Guard.Float(op, "dy", dy);
        Guard.That(dy.Shape.Rank == 2, op, $"dy {dy.Shape} must be (N, out)");
        int n = dy.Shape[0], outF = dy.Shape[1];
        var db = Tensor.Zeros(b, new Shape(outF));
        if (b.AsKernel() is { } k)
            k.Run("conv2d", "channel_sum", LaunchGeometry.Linear(outF, 16), db, dy, n, outF, 1, 0f);
        else GemmRef.LinearBackwardBias<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(db.Buffer), n, outF);
        return db;
    }

    private static (int N, int In, int Out) Dims(string op, Shape xs, Tensor w)
    {
        Guard.Float(op, "w", w);
        Guard.That(xs.Rank is 2 or 4 && w.Shape.Rank == 2, op, $"x {xs} must be (N, in) or (N, C, H, W) and w {w.Shape} (out, in)");
        int n = xs[0], inF = (int)(xs.Count / Math.Max(n, 1));
        Guard.That(w.Shape[1] == inF, op, $"x {xs} has {inF} features per sample but w {w.Shape} expects {w.Shape[1]}");
        Kernels.Int(op, Math.Max(xs.Count, w.Count));
        return (n, inF, w.Shape[0]);
    }

    private static void CheckDy(string op, Tensor dy, int n, int outF)
    {
        Guard.Float(op, "dy", dy);
        Guard.That(dy.Shape == new Shape(n, outF), op, $"dy {dy.Shape} must be ({n}, {outF})");
    }
}
