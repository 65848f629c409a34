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
    public override Tensor Forward(ForwardContext c, Tensor x) => AvgPool2d.Forward(x, Params, CountIncludePad);
    public override Tensor? Backward(BackwardContext c, Tensor dy) =>
        c.InputGradient ? AvgPool2d.Backward(dy, c.Input.Shape, Params, CountIncludePad) : null;
    public override FieldRule Field() => new FieldRule.Window(KernelH, KernelW, StrideH, StrideW, PadH, PadW);
}
