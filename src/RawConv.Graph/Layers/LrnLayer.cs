using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Local response normalization across channels (Caffe = ONNX).</summary>
[LayerKind("lrn")]
public sealed record LrnLayer(string Name, int Size = 5, float Alpha = 1e-4f, float Beta = 0.75f, float K = 1f) : Layer(Name)
{
    [JsonIgnore] public LrnParams Params => new(Size, Alpha, Beta, K);
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => $"lrn {Size} α={Alpha:g3} β={Beta:g3} k={K:g3}";
    public override void Validate() =>
        Require(Size >= 1 && float.IsFinite(Alpha) && float.IsFinite(Beta) && float.IsFinite(K) && K > 0 && Alpha >= 0,
            $"size {Size} must be ≥ 1 and α={Alpha}, β={Beta}, k={K} finite with k > 0 and α ≥ 0 (so the scale stays positive)");

    public override Tensor Forward(ForwardContext c, Tensor x) => Lrn.Forward(x, Params);
    public override Tensor? Backward(BackwardContext c, Tensor dy) => c.InputGradient ? Lrn.Backward(c.Input, c.Output, dy, Params) : null;
    public override FieldRule Field() => FieldRule.Identity;
}
