namespace RawConv.Ops;

/// <summary>Stride, symmetric padding, output padding, dilation and groups of a transposed convolution.</summary>
public sealed record ConvTranspose2dParams(int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0,
    int OutputPadH = 0, int OutputPadW = 0, int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    /// <summary>The convolution whose backward-data pass this transposed convolution is.</summary>
    public Conv2dParams Conv => new(StrideH, StrideW, PadH, PadW, DilationH, DilationW, Groups);
}

/// <summary>
/// Transposed convolution ("deconvolution"), x (N, C_in, H, W), w (C_in, C_out/groups, R, S) as in
/// PyTorch and ONNX ConvTranspose. It is exactly Conv2d.BackwardData of the convolution
/// with the same weights and parameters, and runs on the same col2im/GEMM code.
/// </summary>
public static class ConvTranspose2d
{
    /// <summary>(N, C_out, OH, OW) with OH = (H − 1)·strideH − 2·padH + dilH·(R − 1) + outputPadH + 1 (likewise OW).</summary>
    public static Shape OutputShape(Shape x, Shape w, ConvTranspose2dParams p) => OutputShape("conv_transpose2d", x, w, p);

    private static Shape OutputShape(string op, Shape x, Shape w, ConvTranspose2dParams p)
    {
        Guard.That(x.Rank == 4 && w.Rank == 4, op, $"x {x} must be (N, C_in, H, W) and w {w} (C_in, C_out/groups, R, S)");
        Guard.That(p.StrideH > 0 && p.StrideW > 0 && p.DilationH > 0 && p.DilationW > 0 && p.PadH >= 0 && p.PadW >= 0 && p.Groups > 0
                   && p.OutputPadH >= 0 && p.OutputPadW >= 0 && p.OutputPadH < p.StrideH && p.OutputPadW < p.StrideW,
            op, $"invalid parameters {p} for x {x}, w {w} (output padding must be below the stride)");
        Guard.That(x[1] == w[0] && x[1] % p.Groups == 0, op,
            $"x {x} has {x[1]} channels but w {w} has {w[0]} input channels (groups {p.Groups} must divide them)");
        int oh = (x[2] - 1) * p.StrideH - 2 * p.PadH + p.DilationH * (w[2] - 1) + p.OutputPadH + 1;
        int ow = (x[3] - 1) * p.StrideW - 2 * p.PadW + p.DilationW * (w[3] - 1) + p.OutputPadW + 1;
        Guard.That(oh > 0 && ow > 0, op, $"padding {p.PadH}×{p.PadW} leaves no output for x {x} and w {w}");
        return new Shape(x[0], w[1] * p.Groups, oh, ow);
    }

    /// <summary>y = convᵀ(x, w) + bias; bias (C_out) optional.</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias, ConvTranspose2dParams p)
    {
        const string op = "conv_transpose2d.forward";
        Guard.Nchw(op, "x", x);
        Guard.Nchw(op, "w", w);
        var ys = OutputShape(op, x.Shape, w.Shape, p);
        Conv2d.CheckBias(op, bias, ys[1], w.Shape);
        return Conv2d.BackwardData(op, x, w, bias, ys, p.Conv);
    }

    /// <summary>dx = conv(dy, w): the forward convolution with the same weights.</summary>
    public static Tensor BackwardData(Tensor dy, Tensor w, Shape xShape, ConvTranspose2dParams p)
    {
        const string op = "conv_transpose2d.backward_data";
        Guard.Nchw(op, "dy", dy);
        var ys = OutputShape(op, xShape, w.Shape, p);
        Guard.That(ys == dy.Shape, op, $"dy {dy.Shape} does not match the output {ys} of x {xShape} with w {w.Shape} and {p}");
        return Conv2d.Forward(op, dy, w, null, p.Conv);
    }

    /// <summary>dw (C_in, C_out/groups, R, S) = Σ x ⊗ the dy patch it was spread onto.</summary>
    public static Tensor BackwardFilter(Tensor x, Tensor dy, Shape wShape, ConvTranspose2dParams p)
    {
        const string op = "conv_transpose2d.backward_filter";
        Guard.Nchw(op, "x", x);
        Guard.Nchw(op, "dy", dy);
        var ys = OutputShape(op, x.Shape, wShape, p);
        Guard.That(ys == dy.Shape, op, $"dy {dy.Shape} does not match the output {ys} of x {x.Shape} with w {wShape} and {p}");
        return Conv2d.BackwardFilter(op, dy, x, wShape, p.Conv);
    }

    /// <summary>db (C_out) = Σ_{n, h, w} dy.</summary>
    public static Tensor BackwardBias(Tensor dy) => Conv2d.BackwardBias("conv_transpose2d.backward_bias", dy);
}
