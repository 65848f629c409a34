using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Softmax over classes (axis 1).</summary>
[LayerKind("softmax")]
public sealed record SoftmaxLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "softmax";
    public override Tensor Forward(ForwardContext c, Tensor x) => Softmax.Forward(x, 1);
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? Softmax.Backward(c.Output, dy, 1) : null;
    public override FieldRule Field() => FieldRule.Identity;
}
