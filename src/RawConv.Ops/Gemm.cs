using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>General matrix multiply, row-major: C = alpha·op(A)·op(B) + beta·Cin, Cin broadcast as in ONNX Gemm.</summary>
public static class Gemm
{
    /// <summary>
    /// alpha·op(a)·op(b) + beta·c, where op transposes when asked; a, b are 2-D; c (optional) is a
    /// scalar, (N), (1, N), (M, 1) or (M, N) and is broadcast to (M, N).
    /// </summary>
    public static Tensor Forward(Tensor a, Tensor b, Tensor? c, bool transA = false, bool transB = false, float alpha = 1f, float beta = 1f)
    {
        const string op = "gemm.forward";
        var be = Guard.SameBackend(op, a, b, c);
        Guard.Float(op, "a", a);
        Guard.Float(op, "b", b);
        Guard.That(a.Shape.Rank == 2 && b.Shape.Rank == 2, op, $"a {a.Shape} and b {b.Shape} must be 2-D (device {be.Name})");
        int m = transA ? a.Shape[1] : a.Shape[0], ka = transA ? a.Shape[0] : a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0], n = transB ? b.Shape[0] : b.Shape[1];
        Guard.That(ka == kb, op, $"inner dimensions differ: op(a) of a {a.Shape} is {m}×{ka}, op(b) of b {b.Shape} is {kb}×{n} (transA {transA}, transB {transB})");
        var (sm, sn) = c is null ? (0, 0) : BroadcastStrides(op, c, m, n);
        if (c is not null) Guard.Float(op, "c", c);
        Guard.Finite(op, "a", a);
        Guard.Finite(op, "b", b);
        Kernels.Int(op, Math.Max((long)m * n, Math.Max(a.Count, b.Count)));
        var y = Tensor.Zeros(be, new Shape(m, n));
        bool useC = c is not null && beta != 0f;
        if (be.AsKernel() is { } k)
        {
            using var at = transA ? Transpose(k, a.Buffer, a.Shape[0], a.Shape[1]) : null;
            using var bt = transB ? Transpose(k, b.Buffer, b.Shape[0], b.Shape[1]) : null;
            if (useC)
                k.Run("gemm", "fill_broadcast", LaunchGeometry.Grid2(n, m, 64, 1), y, c!, m, n, sm, sn);
            Nn(k, new Mat(y.Buffer, 0, n), new Mat(at ?? a.Buffer, 0, ka), new Mat(bt ?? b.Buffer, 0, n),
                m, n, ka, alpha: alpha, beta: useC ? beta : 0f);
        }
        else
        {
            var cin = useC ? ReferenceBackend.Floats(c!.Buffer) : default;
            GemmRef.Forward<float>(ReferenceBackend.Floats(a.Buffer), ReferenceBackend.Floats(b.Buffer), cin, sm, sn,
                ReferenceBackend.Floats(y.Buffer), m, n, ka, transA, transB, alpha, useC ? beta : 0f);
        }
        return y;
    }

    /// <summary>Element strides (per row, per column) that broadcast c to (m, n); throws if c does not broadcast.</summary>
    private static (int Sm, int Sn) BroadcastStrides(string op, Tensor c, int m, int n)
    {
        var d = c.Shape.Dims;
        int cm = d.Length == 2 ? d[0] : 1, cn = d.Length >= 1 ? d[^1] : 1;
        bool ok = d.Length <= 2 && (cm == 1 || cm == m) && (cn == 1 || cn == n);
        Guard.That(ok, op, $"c {c.Shape} does not broadcast to the output ({m}, {n})");
        return (cm == 1 ? 0 : cn, cn == 1 ? 0 : 1);
    }

    /// <summary>A matrix operand of the kernel: buffer, element offset, leading dimension, batch stride.</summary>
    internal readonly record struct Mat(DeviceBuffer Buf, int Off, int Ld, int Batch = 0);

    /// <summary>
    /// C = alpha·A·B + beta·C (+ bias[z·m + row]) for <paramref name="batches"/> independent products,
    /// A m×k and B k×n row-major; columns of C split every <paramref name="cSplit"/> into blocks
    /// <paramref name="cSplitStride"/> apart (NCHW output of a conv GEMM).
    /// </summary>
    internal static void Nn(IKernelBackend kb, Mat c, Mat a, Mat b, int m, int n, int k, int batches = 1,
        DeviceBuffer? bias = null, float alpha = 1f, float beta = 0f, int cSplit = int.MaxValue, int cSplitStride = 0)
    {
        if (m == 0 || n == 0) return;
        // The tile picks the kernel variant (kernels/gemm.cl stamps gemm_nn_<TM>x<TN>); the group width is
        // 1 on CPUs (PoCL would try to vectorize across work-items) and whole warps on GPUs.
        var t = kb.Tuning;
        int tm = t.GemmTileM, tn = t.GemmTileN, slice = t.GemmKSlice;
        string kernel = $"gemm_nn_{tm}x{tn}";
        var g = LaunchGeometry.Grid3((m + tm - 1) / tm, (n + tn - 1) / tn, batches, t.GemmLocalX, 1, 1);
        // Long reductions run as slices, accumulating into C: each work-item's A and B panels then stay in
        // cache while every tile of the slice passes over them.
        for (int k0 = 0; k0 < k || k0 == 0; k0 += slice)
        {
            bool first = k0 == 0;
            kb.Run("gemm", kernel, g, c.Buf, c.Off, c.Ld, c.Batch, cSplit, cSplitStride,
                a.Buf, a.Off + k0, a.Ld, a.Batch, b.Buf, b.Off + k0 * b.Ld, b.Ld, b.Batch,
                first && bias is not null ? bias : c.Buf, first && bias is not null ? 1 : 0,
                m, n, Math.Min(slice, k - k0), alpha, first ? beta : 1f);
        }
    }

    /// <summary>A new rows×cols → cols×rows transposed copy of a row-major matrix.</summary>
    internal static DeviceBuffer Transpose(IKernelBackend kb, DeviceBuffer src, int rows, int cols, int batches = 1)
    {
        var t = kb.Allocate(DType.Float32, (long)rows * cols * batches);
        TransposeInto(kb, t, 0, rows, src, 0, cols, rows, cols, batches, rows * cols, rows * cols);
        return t;
    }

    /// <summary>out[oOff + z·oBatch + j·ldo + i] = in[iOff + z·iBatch + i·ldi + j] for i &lt; rows, j &lt; cols.</summary>
    internal static void TransposeInto(IKernelBackend kb, DeviceBuffer dst, int oOff, int ldo, DeviceBuffer src, int iOff, int ldi,
        int rows, int cols, int batches, int oBatch, int iBatch) =>
        kb.Run("gemm", "transpose2d", LaunchGeometry.Grid3(rows, cols, batches, 16, 1, 1),
            dst, oOff, ldo, oBatch, src, iOff, ldi, iBatch, rows, cols);
}
