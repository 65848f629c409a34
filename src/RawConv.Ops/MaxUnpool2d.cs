using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Max unpooling (Zeiler–Fergus "switches" placement, ONNX MaxUnpool) with Caffe-convention switches:
/// Int32, shaped like x, each an index h·W + w inside the output's (n, c) plane. Neither direction uses
/// atomics: with the pooling parameters unpooling is a gather; without them a scatter that is
/// deterministic when the indices of each plane are unique.
/// </summary>
public static class MaxUnpool2d
{
    /// <summary>
    /// y (<paramref name="outShape"/>, zeros elsewhere) with y[n, c, idx[n, c, i]] = x[n, c, i] — a scatter,
    /// ONNX semantics. Indices must be unique per plane: with repeats, which value lands is unspecified on
    /// the kernel backends (the reference keeps the last). Use the <see cref="Pool2dParams"/> overload for
    /// switches from overlapping pooling.
    /// </summary>
    public static Tensor Forward(Tensor x, Tensor indices, Shape outShape)
    {
        const string op = "maxunpool2d.forward";
        var b = CheckPair(op, x, indices, outShape);
        Switches.Check(op, indices, outShape, null);
        var y = Tensor.Zeros(b, outShape);
        if (x.Count == 0) return y;
        if (b.AsKernel() is { } k)
        {
            int inHW = Kernels.Int(op, (long)x.Shape.H * x.Shape.W), outHW = Kernels.Int(op, (long)outShape.H * outShape.W);
            Planes.Run(k, "maxunpool2d", op, "maxunpool2d_scatter", inHW, 1, (long)x.Shape.N * x.Shape.C, [y, x, indices, inHW, outHW]);
        }
        else Pool2dRef.UnpoolScatter<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Ints(indices.Buffer),
            ReferenceBackend.Floats(y.Buffer), x.Shape, outShape);
        return y;
    }

    /// <summary>
    /// Unpooling when the pooling that produced the switches is known: each output pixel gathers from the
    /// windows that could have chosen it. Where overlapping windows chose the same pixel their values are
    /// SUMMED, so this is exactly the adjoint of max pooling with fixed switches (= MaxPool2d.Backward).
    /// Requires MaxPool2d.OutputShape(outShape, p) == x.Shape and every switch inside its window.
    /// </summary>
    public static Tensor Forward(Tensor x, Tensor indices, Shape outShape, Pool2dParams p)
    {
        const string op = "maxunpool2d.forward";
        var b = CheckPair(op, x, indices, outShape);
        var pooled = MaxPool2d.Output(op, outShape, p);
        Guard.That(pooled == x.Shape, op, $"x {x.Shape} must be the pooled shape {pooled} of the output {outShape} under {p} on {b.Name}");
        Switches.Check(op, indices, outShape, p);
        return MaxPool2d.Gather(op, b, x, indices, outShape, p);
    }

    /// <summary>dx (shape <paramref name="xShape"/> = the indices' shape) with dx[n, c, i] = dy[n, c, idx[n, c, i]] (a gather).</summary>
    public static Tensor Backward(Tensor dy, Tensor indices, Shape xShape)
    {
        const string op = "maxunpool2d.backward";
        var b = Guard.SameBackend(op, dy, indices);
        Guard.Nchw(op, "dy", dy);
        Guard.That(indices.Shape == xShape, op, $"indices {indices.Shape} must have the shape of x {xShape} on {b.Name}");
        Guard.That(xShape.Rank == 4 && xShape.N == dy.Shape.N && xShape.C == dy.Shape.C, op,
            $"x {xShape} and dy {dy.Shape} must share N and C on {b.Name}");
        Guard.Finite(op, "dy", dy);
        Switches.Check(op, indices, dy.Shape, null);
        var dx = Tensor.Zeros(b, xShape);
        if (xShape.Count == 0) return dx;
        if (b.AsKernel() is { } k)
        {
            int inHW = Kernels.Int(op, (long)xShape.H * xShape.W), outHW = Kernels.Int(op, (long)dy.Shape.H * dy.Shape.W);
            Planes.Run(k, "maxunpool2d", op, "maxunpool2d_backward", inHW, 1, (long)xShape.N * xShape.C, [dx, dy, indices, inHW, outHW]);
        }
        else Pool2dRef.UnpoolBackward<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Ints(indices.Buffer),
            ReferenceBackend.Floats(dx.Buffer), xShape, dy.Shape);
        return dx;
    }

    private static IBackend CheckPair(string op, Tensor x, Tensor indices, Shape outShape)
    {
        var b = Guard.SameBackend(op, x, indices);
        Guard.Nchw(op, "x", x);
        Guard.That(indices.Shape == x.Shape, op, $"indices {indices.Shape} must have the shape of x {x.Shape} on {b.Name}");
        Guard.That(outShape.Rank == 4 && outShape.N == x.Shape.N && outShape.C == x.Shape.C, op,
            $"output shape {outShape} must be 4-D with the N and C of x {x.Shape} on {b.Name}");
        Guard.Finite(op, "x", x);
        return b;
    }
}
