using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>One named layer of a sequential network, as data. The JSON form carries a "type" field.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ConvLayer), "conv")]
[JsonDerivedType(typeof(ReluLayer), "relu")]
[JsonDerivedType(typeof(LrnLayer), "lrn")]
[JsonDerivedType(typeof(MaxPoolLayer), "maxpool")]
[JsonDerivedType(typeof(AvgPoolLayer), "avgpool")]
[JsonDerivedType(typeof(FcLayer), "fc")]
[JsonDerivedType(typeof(DropoutLayer), "dropout")]
[JsonDerivedType(typeof(FlattenLayer), "flatten")]
[JsonDerivedType(typeof(SoftmaxLayer), "softmax")]
public abstract record Layer(string Name)
{
    /// <summary>Output shape for input shape <paramref name="x"/>; throws naming the layer when they do not fit.</summary>
    public abstract Shape OutputShape(Shape x);

    /// <summary>Weight shape for input <paramref name="x"/>, or null for layers without parameters.</summary>
    public virtual Shape? WeightShape(Shape x) => null;

    /// <summary>Bias length, or 0 for none.</summary>
    public virtual int BiasLength => 0;

    /// <summary>Multiply-adds for one forward pass at input shape <paramref name="x"/>.</summary>
    public virtual long MultiplyAdds(Shape x) => 0;

    /// <summary>Short human description ("conv 96×3×11×11 /4").</summary>
    public abstract string Describe();
}

/// <summary>2-D convolution; filters (Out, C/Groups, KernelH, KernelW).</summary>
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
}

/// <summary>Rectified linear unit.</summary>
public sealed record ReluLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "relu";
}

/// <summary>Local response normalization across channels (Caffe = ONNX).</summary>
public sealed record LrnLayer(string Name, int Size = 5, float Alpha = 1e-4f, float Beta = 0.75f, float K = 1f) : Layer(Name)
{
    [JsonIgnore] public LrnParams Params => new(Size, Alpha, Beta, K);
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => $"lrn {Size} α={Alpha:g3} β={Beta:g3} k={K:g3}";
}

/// <summary>Max pooling that records switches.</summary>
public sealed record MaxPoolLayer(string Name, int KernelH, int KernelW, int StrideH, int StrideW, int PadH = 0, int PadW = 0,
    bool CeilMode = false) : Layer(Name)
{
    [JsonIgnore] public Pool2dParams Params => new(KernelH, KernelW, StrideH, StrideW, PadH, PadW, CeilMode);
    public override Shape OutputShape(Shape x) => MaxPool2d.OutputShape(x, Params);
    public override string Describe() => $"maxpool {KernelH}×{KernelW} /{StrideH}" + (CeilMode ? " ceil" : "");
}

/// <summary>Average pooling.</summary>
public sealed record AvgPoolLayer(string Name, int KernelH, int KernelW, int StrideH, int StrideW, int PadH = 0, int PadW = 0,
    bool CeilMode = false, bool CountIncludePad = true) : Layer(Name)
{
    [JsonIgnore] public Pool2dParams Params => new(KernelH, KernelW, StrideH, StrideW, PadH, PadW, CeilMode);
    public override Shape OutputShape(Shape x) => AvgPool2d.OutputShape(x, Params);
    public override string Describe() => $"avgpool {KernelH}×{KernelW} /{StrideH}";
}

/// <summary>Fully connected layer; weights (Out, In), input flattened to (N, C·H·W).</summary>
public sealed record FcLayer(string Name, int Out, bool Bias = true) : Layer(Name)
{
    public override Shape WeightShape(Shape x) => new(Out, (int)(x.Count / x[0]));
    public override Shape OutputShape(Shape x) => new(x[0], Out);
    public override int BiasLength => Bias ? Out : 0;
    public override long MultiplyAdds(Shape x) => x.Count * Out;
    public override string Describe() => $"fc {Out}";
}

/// <summary>Dropout: identity at inference, a seeded mask in training.</summary>
public sealed record DropoutLayer(string Name, float P = 0.5f) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => $"dropout {P:g3}";
}

/// <summary>Flattens (N, C, H, W) to (N, C·H·W).</summary>
public sealed record FlattenLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => new(x[0], (int)(x.Count / x[0]));
    public override string Describe() => "flatten";
}

/// <summary>Softmax over classes (axis 1).</summary>
public sealed record SoftmaxLayer(string Name) : Layer(Name)
{
    public override Shape OutputShape(Shape x) => x;
    public override string Describe() => "softmax";
}
