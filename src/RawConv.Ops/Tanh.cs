using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Hyperbolic tangent, forward and backward (kernels/tanh.cl): y = tanh(x), dx = dy · (1 − y²).</summary>
public static class Tanh
{
    /// <summary>y = tanh(x).</summary>
    public static Tensor Forward(Tensor x)
    {
        const string op = "tanh.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        Guard.Finite(op, "x", x);
        var y = Tensor.Uninitialized(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, x.Count);
            k.Run("tanh", "tanh_forward", LaunchGeometry.Linear(n), y, x, n);
        }
        else TanhRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer));
        return y;
    }

    /// <summary>dx = dy · (1 − y²), from the forward's output <paramref name="y"/>.</summary>
    public static Tensor Backward(Tensor y, Tensor dy)
    {
        const string op = "tanh.backward";
        var b = Guard.SameBackend(op, y, dy);
        Guard.Float(op, "y", y);
        Guard.Float(op, "dy", dy);
        Guard.SameShape(op, "y", y, "dy", dy);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, y.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, y.Count);
            k.Run("tanh", "tanh_backward", LaunchGeometry.Linear(n), dx, y, dy, n);
        }
        else TanhRef.Backward<float>(ReferenceBackend.Floats(y.Buffer), ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(dx.Buffer));
        return dx;
    }
}
