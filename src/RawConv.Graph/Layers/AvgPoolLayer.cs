using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Average pooling.</summary>
[LayerKind("avgpool")]
public sealed record AvgPoolLayer(string Name, int KernelH, int KernelW, int StrideH, int StrideW, int PadH = 0, int PadW = 0,
    bool CeilMode = false, bool CountIncludePad = true) : Layer(Name)
{
    [JsonIgnore] public Pool2dParams Params => new(KernelH, KernelW, StrideH, StrideW, PadH, PadW, CeilMode);
    public override Shape OutputShape(Shape x) => AvgPool2d.OutputShape(x, Params);
    public override string Describe() => $"avgpool {KernelH}×{KernelW} /{StrideH}";
    public override void Validate() =>
        Require(KernelH >= 1 && KernelW >= 1 && StrideH >= 1 && StrideW >= 1 && PadH >= 0 && PadW >= 0 && PadH < KernelH && PadW < KernelW,
            $"window {KernelH}×{KernelW}, stride {StrideH}×{StrideW}, padding {PadH}×{PadW}: window and stride must be ≥ 1, padding ≥ 0 and below the window");

    public override Tensor Forward(ForwardContext c, Tensor x) => AvgPool2d.Forward(x, Params, CountIncludePad);
    public override Tensor? Backward(BackwardContext c, Tensor dy) =>
        c.InputGradient ? AvgPool2d.Backward(dy, c.Input.Shape, Params, CountIncludePad) : null;
    public override FieldRule Field() => new FieldRule.Window(KernelH, KernelW, StrideH, StrideW, PadH, PadW);
}
