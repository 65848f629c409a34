using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Hyperbolic tangent, y = tanh(x) (a generator's output nonlinearity); backward dy · (1 − y²) under every ReLU rule:
/// the deconvnet and guided rules only say how rectifiers pass a signal back, and tanh is not one.
/// </summary>
[LayerKind("tanh")]
public sealed record TanhLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "tanh";
    public override Tensor Forward(ForwardContext c, Tensor x) => Tanh.Forward(x);
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? Tanh.Backward(c.Output, dy) : null;
    public override FieldRule Field() => FieldRule.Identity;
}
