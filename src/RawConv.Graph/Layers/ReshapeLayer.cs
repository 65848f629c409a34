namespace RawConv.Graph;

/// <summary>
/// Reshapes each item — a code (N, K) or a map (N, C, H, W) — to a (N, Channels, Height, Width) map holding the same
/// values in the same order, as a generator does after its fully connected layers; backward reshapes the gradient back.
/// Each output unit may come from anywhere in the input, so its receptive-field rule is Global.
/// </summary>
[LayerKind("reshape")]
public sealed record ReshapeLayer(string Name, int Channels, int Height, int Width) : Layer(Name)
{
    public override Shape OutputShape(Shape x)
    {
        Require(x.Rank >= 2, $"input {x} has no batch and item dimensions");
        long item = x.Count / Math.Max(x[0], 1);
        Require(item == (long)Channels * Height * Width,
            $"input {x} holds {item:N0} values per item, the shape ({Channels}, {Height}, {Width}) holds {(long)Channels * Height * Width:N0} — make the layer before it produce C·H·W values");
        return new Shape(x[0], Channels, Height, Width);
    }

    public override string Describe() => $"reshape {Channels}×{Height}×{Width}";

    public override void Validate() =>
        Require(Channels >= 1 && Height >= 1 && Width >= 1, $"shape ({Channels}, {Height}, {Width}) (each side must be ≥ 1)");

    public override Tensor Forward(ForwardContext c, Tensor x) => x.CopyAs(OutputShape(x.Shape));
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? dy.CopyAs(c.Input.Shape) : null;
    public override FieldRule Field() => FieldRule.Global;
}
