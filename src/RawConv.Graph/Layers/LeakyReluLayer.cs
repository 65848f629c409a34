using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Leaky ReLU, y = x &gt; 0 ? x : Slope·x (0 ≤ Slope &lt; 1), as in generator networks. Backward by the pass's rule:
/// gradient dy·(x &gt; 0 ? 1 : Slope); deconvnet dy &gt; 0 ? dy : Slope·dy (the unit's own leaky nonlinearity applied
/// to the signal flowing down, as Zeiler–Fergus rectify it for ReLU); guided the gradient's value where dy &gt; 0, else 0.
/// </summary>
[LayerKind("leaky_relu")]
public sealed record LeakyReluLayer(string Name, float Slope = LeakyRelu.DefaultSlope) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "leaky_relu " + Slope.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public override void Validate() =>
        Require(float.IsFinite(Slope) && Slope >= 0f && Slope < 1f, $"slope {Slope} must be finite with 0 ≤ slope < 1");

    public override Tensor Forward(ForwardContext c, Tensor x) => LeakyRelu.Forward(x, Slope);
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? LeakyRelu.Backward(c.Input, dy, c.Rule, Slope) : null;
    public override FieldRule Field() => FieldRule.Identity;
}
