using RawConv.Ops;

namespace RawConv.Tests.Conformance;

/// <summary><see cref="IOnnxOps"/> on RawConv.Ops: every call forwards to the op; whatever an op throws fails the case.</summary>
public sealed class RawConvOps : IOnnxOps
{
    public Tensor Relu(Tensor x) => global::RawConv.Ops.Relu.Forward(x);

    public Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, ConvSpec p) =>
        global::RawConv.Ops.Conv2d.Forward(x, w, bias,
            new Conv2dParams(p.StrideH, p.StrideW, p.PadH, p.PadW, p.DilationH, p.DilationW, p.Groups));

    public Tensor ConvTranspose2d(Tensor x, Tensor w, Tensor? bias, ConvTransposeSpec p) =>
        global::RawConv.Ops.ConvTranspose2d.Forward(x, w, bias,
            new ConvTranspose2dParams(p.StrideH, p.StrideW, p.PadH, p.PadW, p.OutputPadH, p.OutputPadW,
                p.DilationH, p.DilationW, p.Groups));

    public (Tensor Values, Tensor Indices) MaxPool2d(Tensor x, PoolSpec p) =>
        global::RawConv.Ops.MaxPool2d.Forward(x, Pool(p));

    public Tensor MaxUnpool2d(Tensor x, Tensor indices, Shape outShape) =>
        global::RawConv.Ops.MaxUnpool2d.Forward(x, indices, outShape);

    public Tensor AvgPool2d(Tensor x, PoolSpec p, bool countIncludePad) =>
        global::RawConv.Ops.AvgPool2d.Forward(x, Pool(p), countIncludePad);

    public Tensor Lrn(Tensor x, int size, float alpha, float beta, float k) =>
        global::RawConv.Ops.Lrn.Forward(x, new LrnParams(size, alpha, beta, k));

    public Tensor Gemm(Tensor a, Tensor b, Tensor? c, bool transA, bool transB, float alpha, float beta) =>
        global::RawConv.Ops.Gemm.Forward(a, b, c, transA, transB, alpha, beta);

    public Tensor Linear(Tensor x, Tensor w, Tensor? bias) => global::RawConv.Ops.Linear.Forward(x, w, bias);

    public Tensor Softmax(Tensor x, int axis) => global::RawConv.Ops.Softmax.Forward(x, axis);

    public Tensor LogSoftmax(Tensor x, int axis) => global::RawConv.Ops.Softmax.LogForward(x, axis);

    public (Tensor Y, Tensor Mask) Dropout(Tensor x, float p, bool training, ulong seed) =>
        global::RawConv.Ops.Dropout.Forward(x, p, training, seed);

    public Tensor Warp(Tensor x, Tensor flow, bool borderPadding) =>
        global::RawConv.Ops.Warp.Forward(x, flow, borderPadding ? WarpPadding.Border : WarpPadding.Zeros);

    private static Pool2dParams Pool(PoolSpec p) =>
        new(p.KernelH, p.KernelW, p.StrideH, p.StrideW, p.PadH, p.PadW, p.CeilMode, p.DilationH, p.DilationW);
}
