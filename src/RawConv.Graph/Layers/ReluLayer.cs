using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Rectified linear unit; backward follows the pass's ReLU rule (gradient, deconvnet, guided).</summary>
[LayerKind("relu")]
public sealed record ReluLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "relu";
    public override Tensor Forward(ForwardContext c, Tensor x) => Relu.Forward(x);
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? Relu.Backward(c.Input, dy, c.Rule) : null;
    public override FieldRule Field() => FieldRule.Identity;
}
