using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Leaky ReLU, y = x &gt; 0 ? x : slope·x with 0 ≤ slope &lt; 1, forward (relu.cl's kernel) and backward under the three
/// rules (kernels/leakyrelu.cl): Standard dy·(x &gt; 0 ? 1 : slope); Deconvnet dy &gt; 0 ? dy : slope·dy (the unit's
/// nonlinearity applied to the signal); Guided the Standard value where dy &gt; 0, else 0.
/// </summary>
public static class LeakyRelu
{
    /// <summary>The default negative-side slope, 0.2 (the generators of Dosovitskiy &amp; Brox and Nguyen et al. set 0.3).</summary>
    public const float DefaultSlope = 0.2f;

    /// <summary>y = x &gt; 0 ? x : slope·x.</summary>
    public static Tensor Forward(Tensor x, float slope = DefaultSlope)
    {
        CheckSlope("leaky_relu.forward", slope);
        return Relu.Forward(x, slope);
    }

    /// <summary>dx from dy under <paramref name="rule"/>; <paramref name="x"/> is the forward input.</summary>
    public static Tensor Backward(Tensor x, Tensor dy, ReluRule rule = ReluRule.Standard, float slope = DefaultSlope)
    {
        const string op = "leaky_relu.backward";
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
            k.Run("leakyrelu", "leaky_relu_backward", LaunchGeometry.Linear(n), dx, x, dy, n, (int)rule, slope);
        }
        else LeakyReluRef.Backward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dx.Buffer), rule, slope);
        return dx;
    }

    /// <summary>Throws unless 0 ≤ <paramref name="slope"/> &lt; 1 (NaN and infinities fail).</summary>
    public static void CheckSlope(string op, float slope) =>
        Guard.That(slope >= 0f && slope < 1f, op, $"slope {slope} must be finite with 0 ≤ slope < 1");
}
