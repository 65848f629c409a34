using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>2-D convolution; filters (Out, C/Groups, KernelH, KernelW).</summary>
[LayerKind("conv")]
public sealed record ConvLayer(string Name, int Out, int KernelH, int KernelW, int StrideH = 1, int StrideW = 1,
    int PadH = 0, int PadW = 0, int Groups = 1, int DilationH = 1, int DilationW = 1, bool Bias = true) : Layer(Name)
{
    [JsonIgnore] public Conv2dParams Params => new(StrideH, StrideW, PadH, PadW, DilationH, DilationW, Groups);
    public override Shape WeightShape(Shape x) => new(Out, x.C / Groups, KernelH, KernelW);
    public override Shape OutputShape(Shape x) => Conv2d.OutputShape(x, WeightShape(x), Params);
    public override int BiasLength => Bias ? Out : 0;
    public override long MultiplyAdds(Shape x)
    {
        var y = OutputShape(x);
        return (long)y.N * Out * y.H * y.W * (x.C / Groups) * KernelH * KernelW;
    }
    public override string Describe() =>
        $"conv {Out}×{KernelH}×{KernelW}" + (StrideH != 1 ? $" /{StrideH}" : "") + (PadH != 0 ? $" pad {PadH}" : "") + (Groups != 1 ? $" groups {Groups}" : "");

    public override void Validate()
    {
        Require(Out >= 1 && KernelH >= 1 && KernelW >= 1, $"{Out} filters of {KernelH}×{KernelW} (each must be ≥ 1)");
        Require(StrideH >= 1 && StrideW >= 1 && DilationH >= 1 && DilationW >= 1, $"stride {StrideH}×{StrideW} and dilation {DilationH}×{DilationW} must be ≥ 1");
        Require(PadH >= 0 && PadW >= 0, $"padding {PadH}×{PadW} must be ≥ 0");
        Require(Groups >= 1 && Out % Groups == 0, $"{Out} filters do not split into {Groups} groups");
    }

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        var p = c.Params(this);
        return Conv2d.Forward(x, p.Weight, p.Bias, Params);
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy)
    {
        var p = c.Params(this);
        if (c.WantsParameterGradients)
            c.ParameterGradients = new LayerParams(Conv2d.BackwardFilter(c.Input, dy, p.Weight.Shape, Params),
                p.Bias != null ? Conv2d.BackwardBias(dy) : null);
        return c.InputGradient ? Conv2d.BackwardData(dy, p.Weight, c.Input.Shape, Params) : null;
    }

    public override FieldRule Field() => new FieldRule.Window(KernelH, KernelW, StrideH, StrideW, PadH, PadW, DilationH, DilationW);
}
