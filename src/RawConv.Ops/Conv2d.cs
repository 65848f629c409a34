using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Stride, symmetric padding, dilation and groups of a 2-D convolution.</summary>
public sealed record Conv2dParams(int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0,
    int DilationH = 1, int DilationW = 1, int Groups = 1);

/// <summary>
/// 2-D convolution (cross-correlation) x (N, C, H, W) ⋆ w (K, C/groups, R, S) → y (N, K, OH, OW),
/// forward and backward. On kernel backends every pass is im2col/col2im around gemm.cl's GEMM,
/// batched over as many images as fit a column buffer of the backend's <see cref="KernelTuning.ConvColumnBudget"/> floats.
/// </summary>
public static class Conv2d
{
    /// <summary>(N, K, OH, OW) with OH = ⌊(H + 2·padH − dilH·(R−1) − 1) / strideH⌋ + 1 (likewise OW).</summary>
    public static Shape OutputShape(Shape x, Shape w, Conv2dParams p) => OutputShape("conv2d", x, w, p);

    internal static Shape OutputShape(string op, Shape x, Shape w, Conv2dParams p)
    {
        Guard.That(x.Rank == 4 && w.Rank == 4, op, $"x {x} must be (N, C, H, W) and w {w} (K, C/groups, R, S)");
        Guard.That(p.StrideH > 0 && p.StrideW > 0 && p.DilationH > 0 && p.DilationW > 0 && p.PadH >= 0 && p.PadW >= 0 && p.Groups > 0,
            op, $"invalid parameters {p} for x {x}, w {w}");
        Guard.That(x[1] % p.Groups == 0 && w[0] % p.Groups == 0, op,
            $"groups {p.Groups} must divide the input channels of x {x} and the filters of w {w}");
        Guard.That(w[1] * p.Groups == x[1], op,
            $"x {x} has {x[1]} channels but w {w} with groups {p.Groups} expects {w[1] * p.Groups}");
        int eh = p.DilationH * (w[2] - 1) + 1, ew = p.DilationW * (w[3] - 1) + 1;
        int hp = x[2] + 2 * p.PadH, wp = x[3] + 2 * p.PadW;
        Guard.That(eh <= hp && ew <= wp, op,
            $"kernel {w[2]}×{w[3]} (dilated {eh}×{ew}) of w {w} is larger than the padded input {hp}×{wp} of x {x}");
        return new Shape(x[0], w[0], (hp - eh) / p.StrideH + 1, (wp - ew) / p.StrideW + 1);
    }

    /// <summary>y = conv(x, w) + bias; bias (K) optional.</summary>
    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias, Conv2dParams p) => Forward("conv2d.forward", x, w, bias, p);

    internal static Tensor Forward(string op, Tensor x, Tensor w, Tensor? bias, Conv2dParams p)
    {
        var b = Guard.SameBackend(op, x, w, bias);
        Guard.Nchw(op, "x", x);
        Guard.Nchw(op, "w", w);
        var ys = OutputShape(op, x.Shape, w.Shape, p);
        CheckBias(op, bias, w.Shape[0], w.Shape);
        Guard.Finite(op, "x", x);
        Guard.Finite(op, "w", w);
        var y = Tensor.Uninitialized(b, ys);
        if (b.AsKernel() is { } k) new Conv2dPlan(x.Shape, w.Shape, p, k.Tuning.ConvColumnBudget).Forward(k, x.Buffer, w.Buffer, bias?.Buffer, y.Buffer);
        else Conv2dRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(w.Buffer),
            bias is null ? default : ReferenceBackend.Floats(bias.Buffer), ReferenceBackend.Floats(y.Buffer), x.Shape, w.Shape, p);
        return y;
    }

    /// <summary>dx (shape <paramref name="xShape"/>) from dy and w: the transposed convolution of dy.</summary>
    public static Tensor BackwardData(Tensor dy, Tensor w, Shape xShape, Conv2dParams p) =>
        BackwardData("conv2d.backward_data", dy, w, null, xShape, p);

    /// <summary>
    /// Floats each of a kernel backend's four scratch slots (kept per backend, only growing) must hold for the forward pass
    /// of x <paramref name="x"/> ⋆ w <paramref name="w"/>, or with <paramref name="backwardData"/> for its data gradient, under <paramref name="tuning"/>.
    /// </summary>
    public static long[] WorkspaceFloats(Shape x, Shape w, Conv2dParams p, KernelTuning tuning, bool backwardData)
    {
        var plan = new Conv2dPlan(x, w, p, tuning.ConvColumnBudget);
        return backwardData ? plan.BackwardDataSlots(tuning.GemmTileM) : plan.ForwardSlots();
    }

    internal static Tensor BackwardData(string op, Tensor dy, Tensor w, Tensor? bias, Shape xShape, Conv2dParams p)
    {
        var b = Guard.SameBackend(op, dy, w, bias);
        Guard.Nchw(op, "dy", dy);
        Guard.Nchw(op, "w", w);
        var ys = OutputShape(op, xShape, w.Shape, p);
        Guard.That(ys == dy.Shape, op, $"dy {dy.Shape} does not match the output {ys} of x {xShape} with w {w.Shape} and {p}");
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, xShape);
        if (b.AsKernel() is { } k) new Conv2dPlan(xShape, w.Shape, p, k.Tuning.ConvColumnBudget).BackwardData(k, dy.Buffer, w.Buffer, bias?.Buffer, dx.Buffer);
        else
        {
            var dxs = ReferenceBackend.Floats(dx.Buffer);
            Conv2dRef.BackwardData<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(w.Buffer), dxs, xShape, w.Shape, p);
            if (bias is not null) AddChannelBias(dxs, ReferenceBackend.Floats(bias.Buffer), xShape);
        }
        return dx;
    }

    /// <summary>dw (shape <paramref name="wShape"/>) = Σ over images and pixels of dy ⊗ the input patch.</summary>
    public static Tensor BackwardFilter(Tensor x, Tensor dy, Shape wShape, Conv2dParams p) =>
        BackwardFilter("conv2d.backward_filter", x, dy, wShape, p);

    internal static Tensor BackwardFilter(string op, Tensor x, Tensor dy, Shape wShape, Conv2dParams p)
    {
        var b = Guard.SameBackend(op, x, dy);
        Guard.Nchw(op, "x", x);
        Guard.Nchw(op, "dy", dy);
        var ys = OutputShape(op, x.Shape, wShape, p);
        Guard.That(ys == dy.Shape, op, $"dy {dy.Shape} does not match the output {ys} of x {x.Shape} with w {wShape} and {p}");
        Guard.Finite(op, "dy", dy);
        var dw = Tensor.Uninitialized(b, wShape);
        if (b.AsKernel() is { } k) new Conv2dPlan(x.Shape, wShape, p, k.Tuning.ConvColumnBudget).BackwardFilter(k, x.Buffer, dy.Buffer, dw.Buffer);
        else Conv2dRef.BackwardFilter<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dw.Buffer), x.Shape, wShape, p);
        return dw;
    }

    /// <summary>db (K) = Σ_{n, h, w} dy[n, k, h, w].</summary>
    public static Tensor BackwardBias(Tensor dy) => BackwardBias("conv2d.backward_bias", dy);

    internal static Tensor BackwardBias(string op, Tensor dy)
    {
        var b = Guard.SameBackend(op, dy);
        Guard.Nchw(op, "dy", dy);
        var s = dy.Shape;
        var db = Tensor.Zeros(b, new Shape(s[1]));
        if (b.AsKernel() is { } k)
            k.Run("conv2d", "channel_sum", LaunchGeometry.Linear(s[1], 1), db, dy, s[0], s[1], s[2] * s[3], 0f);
        else Conv2dRef.BackwardBias<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(db.Buffer), s);
        return db;
    }

    internal static void CheckBias(string op, Tensor? bias, int channels, Shape w)
    {
        if (bias is null) return;
        Guard.Float(op, "bias", bias);
        Guard.That(bias.Shape.Rank == 1 && bias.Shape[0] == channels, op,
            $"bias {bias.Shape} must be ({channels}) for w {w}");
    }

    private static void AddChannelBias(Span<float> t, ReadOnlySpan<float> bias, Shape s)
    {
        int plane = s[2] * s[3];
        for (int i = 0; i < t.Length; i++) t[i] += bias[i / plane % s[1]];
    }
}
