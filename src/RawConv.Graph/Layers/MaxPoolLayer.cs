using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>Max pooling that records switches (in the pass, under the layer's name); backward routes through them.</summary>
[LayerKind("maxpool")]
public sealed record MaxPoolLayer(string Name, int KernelH, int KernelW, int StrideH, int StrideW, int PadH = 0, int PadW = 0,
    bool CeilMode = false) : Layer(Name)
{
    [JsonIgnore] public Pool2dParams Params => new(KernelH, KernelW, StrideH, StrideW, PadH, PadW, CeilMode);
    public override Shape OutputShape(Shape x) => MaxPool2d.OutputShape(x, Params);
    public override string Describe() => $"maxpool {KernelH}×{KernelW} /{StrideH}" + (CeilMode ? " ceil" : "");

    public override void Validate() =>
        Require(KernelH >= 1 && KernelW >= 1 && StrideH >= 1 && StrideW >= 1 && PadH >= 0 && PadW >= 0 && PadH < KernelH && PadW < KernelW,
            $"window {KernelH}×{KernelW}, stride {StrideH}×{StrideW}, padding {PadH}×{PadW}: window and stride must be ≥ 1, padding ≥ 0 and below the window");

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        var (y, switches) = MaxPool2d.Forward(x, Params);
        c.Pass.Switches[Name] = switches;
        return y;
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy) =>
        c.InputGradient ? MaxPool2d.Backward(dy, c.Pass.Switches[Name], c.Input.Shape, Params) : null;

    public override FieldRule Field() => new FieldRule.Window(KernelH, KernelW, StrideH, StrideW, PadH, PadW);
}
