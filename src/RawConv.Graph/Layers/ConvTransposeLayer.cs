using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Transposed convolution ("up-convolution", as in generator networks); weights (C_in, Out/Groups, KernelH,
/// KernelW) as in PyTorch and ONNX ConvTranspose. Output side (H − 1)·stride − 2·pad + kernel + outputPad.
/// It spreads each input unit over a window, so it has no receptive-field rule.
/// </summary>
[LayerKind("convtranspose")]
public sealed record ConvTransposeLayer(string Name, int Out, int KernelH, int KernelW, int StrideH = 1, int StrideW = 1,
    int PadH = 0, int PadW = 0, int OutputPadH = 0, int OutputPadW = 0, int Groups = 1, bool Bias = true) : Layer(Name)
{
    [JsonIgnore] public ConvTranspose2dParams Params => new(StrideH, StrideW, PadH, PadW, OutputPadH, OutputPadW, 1, 1, Groups);
    public override Shape WeightShape(Shape x) => new(x.C, Out / Groups, KernelH, KernelW);
    public override Shape OutputShape(Shape x) => ConvTranspose2d.OutputShape(x, WeightShape(x), Params);
    public override int BiasLength => Bias ? Out : 0;
    public override long MultiplyAdds(Shape x) => x.Count * (Out / Groups) * KernelH * KernelW;
    public override string Describe() =>
        $"convtranspose {Out}×{KernelH}×{KernelW}" + (StrideH != 1 ? $" ×{StrideH}" : "") + (PadH != 0 ? $" pad {PadH}" : "") + (Groups != 1 ? $" groups {Groups}" : "");

    public override void Validate()
    {
        Require(Out >= 1 && KernelH >= 1 && KernelW >= 1, $"{Out} outputs of {KernelH}×{KernelW} (each must be ≥ 1)");
        Require(StrideH >= 1 && StrideW >= 1, $"stride {StrideH}×{StrideW} must be ≥ 1");
        Require(PadH >= 0 && PadW >= 0 && OutputPadH >= 0 && OutputPadW >= 0 && OutputPadH < StrideH && OutputPadW < StrideW,
            $"padding {PadH}×{PadW} must be ≥ 0 and output padding {OutputPadH}×{OutputPadW} below the stride");
        Require(Groups >= 1 && Out % Groups == 0, $"{Out} outputs do not split into {Groups} groups");
    }

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        var p = c.Params(this);
        return ConvTranspose2d.Forward(x, p.Weight, p.Bias, Params);
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy)
    {
        var p = c.Params(this);
        if (c.WantsParameterGradients)
            c.ParameterGradients = new LayerParams(ConvTranspose2d.BackwardFilter(c.Input, dy, p.Weight.Shape, Params),
                p.Bias != null ? ConvTranspose2d.BackwardBias(dy) : null);
        return c.InputGradient ? ConvTranspose2d.BackwardData(dy, p.Weight, c.Input.Shape, Params) : null;
    }
}
