using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Dropout: identity at inference, a seeded mask in training (recorded in the pass under the layer's name).</summary>
[LayerKind("dropout")]
public sealed record DropoutLayer(string Name, float P = 0.5f) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => $"dropout {P:g3}";

    public override void Validate() => Require(P >= 0 && P < 1, $"probability {P} is not in [0, 1)");

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        if (!c.Training) return x.Clone();
        var (y, mask) = Dropout.Forward(x, P, true, c.Seed + (ulong)c.Index * 0x9E3779B97F4A7C15UL);
        c.Pass.Masks[Name] = mask;
        return y;
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy) => !c.InputGradient ? null
        : c.Pass.Masks.TryGetValue(Name, out var mask) ? Dropout.Backward(dy, mask, P) : dy.Clone();

    public override FieldRule Field() => FieldRule.Identity;
}
