namespace RawConv.Graph;

/// <summary>Flattens (N, C, H, W) to (N, C·H·W).</summary>
[LayerKind("flatten")]
public sealed record FlattenLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => new(x[0], (int)(x.Count / x[0]));
    public override string Describe() => "flatten";
    public override Tensor Forward(ForwardContext c, Tensor x) => x.CopyAs(OutputShape(x.Shape));
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? dy.CopyAs(c.Input.Shape) : null;
    public override FieldRule Field() => FieldRule.Global;
}
