using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Softmax and log-softmax along one axis (ONNX-13 semantics: the tensor viewed as (outer, dim, inner)).</summary>
public static class Softmax
{
    /// <summary>Work-items per group of these kernels: SM_LOCAL in kernels/softmax.h, which sizes their local memory (a test checks the two agree).</summary>
    public const int GroupSize = 128;

    /// <summary>y = exp(x − max) / Σ exp(x − max) along <paramref name="axis"/> (negative counts from the end).</summary>
    public static Tensor Forward(Tensor x, int axis = 1) => Run("softmax.forward", x, axis, log: false);

    /// <summary>Stable log-softmax: y = x − max − log Σ exp(x − max) along <paramref name="axis"/>.</summary>
    public static Tensor LogForward(Tensor x, int axis = 1) => Run("log_softmax.forward", x, axis, log: true);

    /// <summary>dx = y·(dy − Σ dy·y), with <paramref name="y"/> the softmax output.</summary>
    public static Tensor Backward(Tensor y, Tensor dy, int axis = 1) => RunBackward("softmax.backward", y, dy, axis, log: false);

    /// <summary>dx = dy − exp(y)·Σ dy, with <paramref name="y"/> the log-softmax output.</summary>
    public static Tensor LogBackward(Tensor y, Tensor dy, int axis = 1) => RunBackward("log_softmax.backward", y, dy, axis, log: true);

    /// <summary>(outer, dim, inner) of <paramref name="s"/> around <paramref name="axis"/>; throws naming the op when out of range.</summary>
    public static (int Outer, int Dim, int Inner) View(string op, Shape s, int axis)
    {
        Guard.That(s.Rank >= 1 && axis >= -s.Rank && axis < s.Rank, op, $"axis {axis} out of range for shape {s}");
        int a = axis < 0 ? axis + s.Rank : axis;
        long outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= s[i];
        for (int i = a + 1; i < s.Rank; i++) inner *= s[i];
        return (Kernels.Int(op, outer), s[a], Kernels.Int(op, inner));
    }

    private static Tensor Run(string op, Tensor x, int axis, bool log)
    {
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        var (outer, dim, inner) = View(op, x.Shape, axis);
        Kernels.Int(op, x.Count);
        Guard.Finite(op, "x", x);
        var y = Tensor.Zeros(b, x.Shape);
        if (x.Count == 0) return y;
        if (b.AsKernel() is { } k)
            k.Run("softmax", "softmax_forward", new LaunchGeometry((long)outer * inner * GroupSize, 1, 1, GroupSize, 1, 1),
                y, x, dim, inner, log ? 1 : 0);
        else SoftmaxRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer), outer, dim, inner, log);
        return y;
    }

    private static Tensor RunBackward(string op, Tensor y, Tensor dy, int axis, bool log)
    {
        var b = Guard.SameBackend(op, y, dy);
        Guard.Float(op, "y", y);
        Guard.Float(op, "dy", dy);
        Guard.SameShape(op, "y", y, "dy", dy);
        var (outer, dim, inner) = View(op, y.Shape, axis);
        Kernels.Int(op, y.Count);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Zeros(b, y.Shape);
        if (y.Count == 0) return dx;
        if (b.AsKernel() is { } k)
            k.Run("softmax", "softmax_backward", new LaunchGeometry((long)outer * inner * GroupSize, 1, 1, GroupSize, 1, 1),
                dx, y, dy, dim, inner, log ? 1 : 0);
        else SoftmaxRef.Backward<float>(ReferenceBackend.Floats(y.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dx.Buffer), outer, dim, inner, log);
        return dx;
    }
}
