using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>How ReLU passes a gradient backwards.</summary>
public enum ReluRule
{
    /// <summary>dy · [x &gt; 0]: the true gradient.</summary>
    Standard = 0,
    /// <summary>max(dy, 0): Zeiler–Fergus deconvnet rectification, ignores x.</summary>
    Deconvnet = 1,
    /// <summary>dy · [x &gt; 0] · [dy &gt; 0]: guided backpropagation (Springenberg et al.).</summary>
    Guided = 2,
}

/// <summary>Rectified linear unit, forward and backward.</summary>
public static class Relu
{
    /// <summary>y = max(x, 0).</summary>
    public static Tensor Forward(Tensor x)
    {
        const string op = "relu.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        Guard.Finite(op, "x", x);
        var y = Tensor.Uninitialized(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, x.Count);
            k.Run("relu", "relu_forward", LaunchGeometry.Linear(n), y, x, n);
        }
        else ReluRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer));
        return y;
    }

    /// <summary>dx from dy under the chosen rule; <paramref name="x"/> is the forward input.</summary>
    public static Tensor Backward(Tensor x, Tensor dy, ReluRule rule = ReluRule.Standard)
    {
        const string op = "relu.backward";
        var b = Guard.SameBackend(op, x, dy);
        Guard.Float(op, "x", x);
        Guard.Float(op, "dy", dy);
        Guard.SameShape(op, "x", x, "dy", dy);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, x.Count);
            k.Run("relu", "relu_backward", LaunchGeometry.Linear(n), dx, x, dy, n, (int)rule);
        }
        else ReluRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dx.Buffer), rule);
        return dx;
    }
}
