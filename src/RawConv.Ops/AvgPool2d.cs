using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// 2-D average pooling (kernels/avgpool2d.cl) with PyTorch's avg_pool2d semantics, dilation 1 only.
/// The divisor of a window: with count_include_pad, the window clipped to the padded input
/// [−pad, in + pad) — padded zeros count, positions past the padded input (ceil mode) do not; without
/// it, the number of input pixels in the window. Sums run in row-major window order.
/// </summary>
public static class AvgPool2d
{
    /// <summary>Output shape (N, C, OH, OW) of input <paramref name="x"/>; throws on invalid parameters.</summary>
    public static Shape OutputShape(Shape x, Pool2dParams p) => Output("avgpool2d", x, p);

    /// <summary>y = window sum / divisor (see the class summary).</summary>
    public static Tensor Forward(Tensor x, Pool2dParams p, bool countIncludePad = true)
    {
        const string op = "avgpool2d.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Nchw(op, "x", x);
        Guard.Finite(op, "x", x);
        var ys = Output(op, x.Shape, p);
        var y = Tensor.Zeros(b, ys);
        if (ys.Count == 0) return y;
        if (b.AsKernel() is { } k)
        {
            Planes.Run(k, "avgpool2d", op, "avgpool2d_forward", ys.W, ys.H, (long)ys.N * ys.C, [y, x, .. p.Args(x.Shape, ys), countIncludePad ? 1 : 0]);
        }
        else Pool2dRef.AvgForward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer), x.Shape, ys, p, countIncludePad);
        return y;
    }

    /// <summary>dx: each input pixel gathers dy / divisor from every window containing it.</summary>
    public static Tensor Backward(Tensor dy, Shape xShape, Pool2dParams p, bool countIncludePad = true)
    {
        const string op = "avgpool2d.backward";
        var b = Guard.SameBackend(op, dy);
        Guard.Nchw(op, "dy", dy);
        var ys = Output(op, xShape, p);
        Guard.That(dy.Shape == ys, op, $"dy {dy.Shape} must have the pooled shape {ys} of x {xShape} on {b.Name}");
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Zeros(b, xShape);
        if (xShape.Count == 0) return dx;
        if (b.AsKernel() is { } k)
        {
            Planes.Run(k, "avgpool2d", op, "avgpool2d_backward", xShape.W, xShape.H, (long)xShape.N * xShape.C,
                [dx, dy, .. p.Args(xShape, ys), countIncludePad ? 1 : 0]);
        }
        else Pool2dRef.AvgBackward<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(dx.Buffer), xShape, ys, p, countIncludePad);
        return dx;
    }

    private static Shape Output(string op, Shape x, Pool2dParams p)
    {
        Guard.That(p.DilationH == 1 && p.DilationW == 1, op, $"dilation {p.DilationH}×{p.DilationW} is not supported (PyTorch's avg_pool2d has none)");
        return MaxPool2d.Output(op, x, p);
    }
}
