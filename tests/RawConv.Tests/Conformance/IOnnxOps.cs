namespace RawConv.Tests.Conformance;

/// <summary>Convolution parameters as the conformance runner derives them from ONNX attributes (symmetric pads).</summary>
public sealed record ConvSpec(int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW, int Groups);

/// <summary>Transposed-convolution parameters (symmetric pads, output padding at the end).</summary>
public sealed record ConvTransposeSpec(int StrideH, int StrideW, int PadH, int PadW, int OutputPadH, int OutputPadW,
    int DilationH, int DilationW, int Groups);

/// <summary>Pooling window parameters (symmetric pads).</summary>
public sealed record PoolSpec(int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, bool CeilMode,
    int DilationH, int DilationW);

/// <summary>
/// The RawConv ops the ONNX conformance runner calls, in RawConv's own conventions (NCHW float32, Int32
/// in-plane switches). The runner does every ONNX-specific conversion; an implementation only forwards, and
/// anything it throws fails the case.
/// </summary>
public interface IOnnxOps
{
    Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, ConvSpec p);
    Tensor ConvTranspose2d(Tensor x, Tensor w, Tensor? bias, ConvTransposeSpec p);
    /// <summary>Values and Int32 switches h·W + w inside each (n, c) input plane.</summary>
    (Tensor Values, Tensor Indices) MaxPool2d(Tensor x, PoolSpec p);
    /// <summary>Scatters x to the in-plane positions <paramref name="indices"/> of a zero tensor of <paramref name="outShape"/>.</summary>
    Tensor MaxUnpool2d(Tensor x, Tensor indices, Shape outShape);
    Tensor AvgPool2d(Tensor x, PoolSpec p, bool countIncludePad);
    Tensor Lrn(Tensor x, int size, float alpha, float beta, float k);
    Tensor Gemm(Tensor a, Tensor b, Tensor? c, bool transA, bool transB, float alpha, float beta);
    /// <summary>y = x·wᵀ + bias with w (out, in).</summary>
    Tensor Linear(Tensor x, Tensor w, Tensor? bias);
    Tensor Relu(Tensor x);
    Tensor Softmax(Tensor x, int axis);
    Tensor LogSoftmax(Tensor x, int axis);
    (Tensor Y, Tensor Mask) Dropout(Tensor x, float p, bool training, ulong seed);
    /// <summary>Bilinear sampling of x at (w + flow₀, h + flow₁) for every pixel of the flow's (N, 2, H, W) grid.</summary>
    Tensor Warp(Tensor x, Tensor flow, bool borderPadding);
}
