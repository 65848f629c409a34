using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>How ReLU passes a gradient backwards.</summary>
public enum ReluRule
{
    /// <summary>dy · [x &gt; 0] (dy · (x &gt; 0 ? 1 : slope) for a leaky unit): the true gradient.</summary>
    Standard = 0,
    /// <summary>max(dy, 0): Zeiler–Fergus deconvnet rectification, ignores x (and <see cref="Relu"/>'s slope; <see cref="LeakyRelu"/> leaks: dy &gt; 0 ? dy : slope·dy).</summary>
    Deconvnet = 1,
    /// <summary>dy · [x &gt; 0] · [dy &gt; 0] (the true gradient's factor times [dy &gt; 0] for a leaky unit): guided backpropagation (Springenberg et al.).</summary>
    Guided = 2,
}

/// <summary>
/// Rectified linear unit, forward and backward (kernels/relu.cl); with a slope, the leaky ReLU
/// y = x &gt; 0 ? x : slope·x. Slope 0 (the default) is plain ReLU, bit for bit.
/// </summary>
public static class Relu
{
    /// <summary>y = x &gt; 0 ? x : slope·x (max(x, 0) for the default slope 0).</summary>
    public static Tensor Forward(Tensor x, float slope = 0f)
    {
        const string op = "relu.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        CheckSlope(op, slope);
        Guard.Finite(op, "x", x);
        var y = Tensor.Uninitialized(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, x.Count);
            k.Run("relu", "relu_forward", LaunchGeometry.Linear(n), y, x, n, slope);
        }
        else ReluRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer), slope);
        return y;
    }

    /// <summary>dx from dy under the chosen rule; <paramref name="x"/> is the forward input, <paramref name="slope"/> the forward's leak.</summary>
    public static Tensor Backward(Tensor x, Tensor dy, ReluRule rule = ReluRule.Standard, float slope = 0f)
    {
        const string op = "relu.backward";
        var b = Guard.SameBackend(op, x, dy);
        Guard.Float(op, "x", x);
        Guard.Float(op, "dy", dy);
        CheckSlope(op, slope);
        Guard.SameShape(op, "x", x, "dy", dy);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, x.Shape);
        if (b.AsKernel() is { } k)
        {
            int n = Kernels.Int(op, x.Count);
            k.Run("relu", "relu_backward", LaunchGeometry.Linear(n), dx, x, dy, n, (int)rule, slope);
        }
        else ReluRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dx.Buffer), rule, slope);
        return dx;
    }

    private static void CheckSlope(string op, float slope) =>
        Guard.That(float.IsFinite(slope), op, $"slope {slope} must be finite");
}
