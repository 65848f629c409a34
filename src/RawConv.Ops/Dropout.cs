using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Inverted dropout. The mask is a pure function of (seed, element index) — a counter-based 32-bit hash
/// (<see cref="DropoutRef.Hash"/>, identical in kernels/dropout.cl) — so OpenCL, CUDA and the reference give
/// the same mask for the same seed. The mask is Float32, 1 where kept and 0 where dropped.
/// </summary>
public static class Dropout
{
    /// <summary>
    /// Training: keep each element with probability 1 − p and scale kept ones by 1/(1 − p); inference: y is a
    /// copy of x and the mask is all ones (then call <see cref="Backward"/> with p = 0).
    /// </summary>
    public static (Tensor Y, Tensor Mask) Forward(Tensor x, float p, bool training, ulong seed)
    {
        const string op = "dropout.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        CheckP(op, p, x);
        int n = Kernels.Int(op, x.Count);
        var y = Tensor.Uninitialized(b, x.Shape);
        var mask = Tensor.Uninitialized(b, x.Shape);
        if (!training)
        {
            b.Copy(x.Buffer, 0, y.Buffer, 0, n);
            Elementwise.Fill(mask, 1f);
            return (y, mask);
        }
        if (b.AsKernel() is { } k)
            k.Run("dropout", "dropout_forward", LaunchGeometry.Linear(n), y, mask, x, n,
                unchecked((int)(uint)seed), unchecked((int)(uint)(seed >> 32)), (int)DropoutRef.Threshold(p), DropoutRef.Scale(p));
        else DropoutRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer),
            ReferenceBackend.Floats(mask.Buffer), p, seed);
        return (y, mask);
    }

    /// <summary>dx = dy·mask/(1 − p).</summary>
    public static Tensor Backward(Tensor dy, Tensor mask, float p)
    {
        const string op = "dropout.backward";
        var b = Guard.SameBackend(op, dy, mask);
        Guard.Float(op, "dy", dy);
        Guard.Float(op, "mask", mask);
        Guard.SameShape(op, "dy", dy, "mask", mask);
        CheckP(op, p, dy);
        int n = Kernels.Int(op, dy.Count);
        var dx = Tensor.Uninitialized(b, dy.Shape);
        if (b.AsKernel() is { } k)
            k.Run("dropout", "dropout_backward", LaunchGeometry.Linear(n), dx, dy, mask, n, DropoutRef.Scale(p));
        else DropoutRef.Backward<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(mask.Buffer),
            ReferenceBackend.Floats(dx.Buffer), p);
        return dx;
    }

    private static void CheckP(string op, float p, Tensor t) =>
        Guard.That(p >= 0f && p < 1f, op, $"drop probability p = {p} must lie in [0, 1) (input {t.Shape} on {t.Backend.Name})");
}
