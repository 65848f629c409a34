using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// 2-D max pooling with switches (kernels/maxpool2d.cl). Switches are Int32, shaped like the values, each
/// the index h·W + w INSIDE the input's (n, c) plane (Caffe's convention; ONNX's flat int64 indices are
/// converted by the importer). Padding never wins; on ties the FIRST maximum in row-major window order
/// wins (strict '&gt;'). NaN follows the same strict comparison (a NaN wins only as the first tap), as in
/// Caffe. A window that covers only padding (possible with dilation) is rejected.
/// </summary>
public static class MaxPool2d
{
    /// <summary>Output shape (N, C, OH, OW) of input <paramref name="x"/>; throws on invalid parameters.</summary>
    public static Shape OutputShape(Shape x, Pool2dParams p) => Output("maxpool2d", x, p);

    /// <summary>Pooled values and their switches (indices inside each (n, c) input plane).</summary>
    public static (Tensor Values, Tensor Indices) Forward(Tensor x, Pool2dParams p)
    {
        const string op = "maxpool2d.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Nchw(op, "x", x);
        Guard.Finite(op, "x", x);
        var ys = Output(op, x.Shape, p);
        var y = Tensor.Uninitialized(b, ys);
        var idx = Tensor.Uninitialized(b, ys, DType.Int32);
        if (ys.Count == 0) return (y, idx);
        if (b.AsKernel() is { } k)
        {
            // With a row block (CPUs) rows at least that wide run a block at a time in vectors.
            if (Planes.RowBlock(k, ys.W) is int v and > 1)
                Planes.Run(k, "maxpool2d", op, $"maxpool2d_forward_v{v}", (ys.W + v - 1) / v, ys.H, (long)ys.N * ys.C, [y, idx, x, .. p.Args(x.Shape, ys)]);
            else
                Planes.Run(k, "maxpool2d", op, "maxpool2d_forward", ys.W, ys.H, (long)ys.N * ys.C, [y, idx, x, .. p.Args(x.Shape, ys)]);
        }
        else Pool2dRef.MaxForward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer),
            ReferenceBackend.Ints(idx.Buffer), x.Shape, ys, p);
        return (y, idx);
    }

    /// <summary>
    /// dx (shape <paramref name="xShape"/>): each input pixel gathers the dy of every window whose switch
    /// points at it. The switches are validated first (in range and inside their own window).
    /// </summary>
    public static Tensor Backward(Tensor dy, Tensor indices, Shape xShape, Pool2dParams p)
    {
        const string op = "maxpool2d.backward";
        var b = Guard.SameBackend(op, dy, indices);
        Guard.Nchw(op, "dy", dy);
        var ys = Output(op, xShape, p);
        Guard.That(dy.Shape == ys, op, $"dy {dy.Shape} must have the pooled shape {ys} of x {xShape} on {b.Name}");
        Guard.That(indices.Shape == ys, op, $"indices {indices.Shape} must have the pooled shape {ys} of x {xShape} on {b.Name}");
        Guard.Finite(op, "dy", dy);
        Switches.Check(op, indices, xShape, p);
        return Gather(op, b, dy, indices, xShape, p);
    }

    /// <summary>The switch gather shared with <see cref="MaxUnpool2d"/>: out[i] = Σ src[o] over windows o whose switch is i.</summary>
    internal static Tensor Gather(string op, IBackend b, Tensor src, Tensor indices, Shape outShape, Pool2dParams p)
    {
        var dx = Tensor.Uninitialized(b, outShape);
        if (outShape.Count == 0 || src.Count == 0) return dx;
        if (b.AsKernel() is { } k)
        {
            // With a row block (CPUs) rows at least that wide gather a block at a time; this relies on the
            // switches having been checked to lie in their windows, which every caller does first.
            if (Planes.RowBlock(k, outShape.W) is int v and > 1)
                Planes.Run(k, "maxpool2d", op, $"maxpool2d_backward_v{v}", (outShape.W + v - 1) / v, outShape.H, (long)outShape.N * outShape.C,
                    [dx, src, indices, .. p.Args(outShape, src.Shape)]);
            else
                Planes.Run(k, "maxpool2d", op, "maxpool2d_backward", outShape.W, outShape.H, (long)outShape.N * outShape.C,
                    [dx, src, indices, .. p.Args(outShape, src.Shape)]);
        }
        else Pool2dRef.MaxBackward<float>(ReferenceBackend.Floats(src.Buffer), ReferenceBackend.Ints(indices.Buffer),
            ReferenceBackend.Floats(dx.Buffer), outShape, src.Shape);
        return dx;
    }

    internal static Shape Output(string op, Shape x, Pool2dParams p)
    {
        var ys = p.Output(op, x);
        for (int oh = 0; oh < ys.H; oh++) CoversInput(op, "row", oh, x.H, p.KernelH, p.StrideH, p.PadH, p.DilationH);
        for (int ow = 0; ow < ys.W; ow++) CoversInput(op, "column", ow, x.W, p.KernelW, p.StrideW, p.PadW, p.DilationW);
        return ys;
    }

    private static void CoversInput(string op, string axis, int o, int input, int k, int s, int pad, int d)
    {
        for (int i = 0; i < k; i++)
        {
            int h = o * s - pad + i * d;
            if (h >= 0 && h < input) return;
        }
        throw new RawConvException($"{op}: output {axis} {o} has a window (kernel {k}, stride {s}, pad {pad}, dilation {d}) that covers only padding of an input of {input}");
    }
}
