using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Fully connected layer; weights (Out, In), input flattened to (N, C·H·W).</summary>
[LayerKind("fc")]
public sealed record FcLayer(string Name, int Out, bool Bias = true) : Layer(Name)
{
    public override Shape WeightShape(Shape x) => new(Out, (int)(x.Count / x[0]));
    public override Shape OutputShape(Shape x) => new(x[0], Out);
    public override int BiasLength => Bias ? Out : 0;
    public override long MultiplyAdds(Shape x) => x.Count * Out;
    public override string Describe() => $"fc {Out}";

    public override void Validate() => Require(Out >= 1, $"{Out} outputs (must be ≥ 1)");

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        var p = c.Params(this);
        return Linear.Forward(x, p.Weight, p.Bias);
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy)
    {
        var p = c.Params(this);
        if (c.WantsParameterGradients)
            c.ParameterGradients = new LayerParams(Linear.BackwardWeight(c.Input, dy), p.Bias != null ? Linear.BackwardBias(dy) : null);
        return c.InputGradient ? Linear.BackwardData(dy, p.Weight, c.Input.Shape) : null;
    }

    public override FieldRule Field() => FieldRule.Global;
}
