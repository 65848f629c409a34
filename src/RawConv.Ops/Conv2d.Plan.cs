using Mat = RawConv.Ops.Gemm.Mat;

namespace RawConv.Ops;

/// <summary>
/// Sizes of one convolution and its three kernel passes as GEMMs over chunks of nb images:
/// forward y_g (K/g × nb·P) = w_g (K/g × C/g·R·S) · col_g; backward-data col_g = w_gᵀ · dy_g, then
/// col2im (with stride 1: a forward convolution of dy with flipped filters instead); backward-filter
/// dw_gᵀ += col_g · dy_gᵀ. Columns j = (image, pixel) side by side make the GEMMs wide at any batch size.
/// </summary>
internal sealed class Conv2dPlan
{
    private readonly int n, c, h, w, k, r, s, oh, ow, g, cg, kg, qg, q, pix, nb;
    private readonly long columnBudget;
    private readonly Conv2dParams p;

    /// <summary>The plan of x <paramref name="xs"/> ⋆ w <paramref name="ws"/>, in chunks of images whose column buffer fits <paramref name="columnBudget"/> floats.</summary>
    public Conv2dPlan(Shape xs, Shape ws, Conv2dParams p, long columnBudget)
    {
        (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3]);
        (k, cg, r, s) = (ws[0], ws[1], ws[2], ws[3]);
        var ys = Conv2d.OutputShape(xs, ws, p);
        (oh, ow) = (ys[2], ys[3]);
        this.p = p;
        g = p.Groups;
        kg = k / g;
        pix = oh * ow;
        qg = cg * r * s;
        q = c * r * s;
        long perImage = Math.Max(1L, (long)Math.Max(q, k) * pix);
        this.columnBudget = columnBudget;
        nb = (int)Math.Clamp(columnBudget / perImage, 1, Math.Max(n, 1));
        Kernels.Int("conv2d", (long)nb * perImage);
        Kernels.Int("conv2d", n * Math.Max((long)c * h * w, (long)k * pix));
    }

    public void Forward(IKernelBackend kb, DeviceBuffer x, DeviceBuffer wt, DeviceBuffer? bias, DeviceBuffer y)
    {
        var ws = Workspace.For(kb);
        lock (ws.Gate)
        {
            var col = ws.Get(kb, 0, (long)q * nb * pix);
            for (int n0 = 0; n0 < n; n0 += nb)
            {
                int m = Math.Min(nb, n - n0), cols = m * pix;
                Im2col(kb, col, x, n0, m, qStride: cols, jStride: 1);
                Gemm.Nn(kb, new Mat(y, n0 * k * pix, pix, kg * pix), new Mat(wt, 0, qg, kg * qg), new Mat(col, 0, cols, qg * cols),
                    kg, cols, qg, g, bias, cSplit: pix, cSplitStride: k * pix);
            }
        }
    }

    public void BackwardData(IKernelBackend kb, DeviceBuffer dy, DeviceBuffer wt, DeviceBuffer? bias, DeviceBuffer dx)
    {
        var ws = Workspace.For(kb);
        lock (ws.Gate)
        {
            // The flipped-filter convolution's GEMM has C/g rows: below one tile of rows (conv1 of a grey
            // or RGB input) most of each tile is idle while its K·R·S-row column buffer is the larger one,
            // so such layers take the GEMM + col2im path (measured for the mini-AlexNet's conv1 at batch 32:
            // 20.7 ms flipped, 4.7 ms this way; its conv2..conv5, 32 to 96 channels, are faster flipped).
            if (Flipped(kb.Tuning.GemmTileM) is { } flipped)
            {
                var wf = ws.Get(kb, 3, (long)k * qg);
                kb.Run("conv2d", "flip_filters", LaunchGeometry.Linear((long)k * cg, 16), wf, wt, k, cg, r, s, g);
                flipped.Forward(kb, dy, wf, bias, dx);
                return;
            }
            var wT = ws.Get(kb, 2, (long)k * qg);
            Gemm.TransposeInto(kb, wT, 0, kg, wt, 0, qg, kg, qg, g, kg * qg, kg * qg);
            var col = ws.Get(kb, 0, (long)q * nb * pix);
            var rows = ws.Get(kb, 1, (long)k * nb * pix);
            for (int n0 = 0; n0 < n; n0 += nb)
            {
                int m = Math.Min(nb, n - n0), cols = m * pix;
                Rows(kb, rows, dy, n0, m);
                Gemm.Nn(kb, new Mat(col, 0, cols, qg * cols), new Mat(wT, 0, kg, qg * kg), new Mat(rows, 0, cols, kg * cols),
                    qg, cols, kg, g);
                kb.Run("conv2d", "col2im", LaunchGeometry.Linear((long)m * c * h * w, 64), dx, col, bias ?? col, bias is null ? 0 : 1,
                    n0, m, c, h, w, r, s, oh, ow, p.StrideH, p.StrideW, p.PadH, p.PadW, p.DilationH, p.DilationW);
            }
        }
    }

    /// <summary>Floats of the four workspace slots the forward pass asks for.</summary>
    public long[] ForwardSlots() => [(long)q * nb * pix, 0, 0, 0];

    /// <summary>Floats of the four workspace slots the data gradient asks for on a device whose GEMM tile has <paramref name="gemmTileM"/> rows.</summary>
    public long[] BackwardDataSlots(int gemmTileM)
    {
        if (Flipped(gemmTileM) is not { } flipped) return [(long)q * nb * pix, (long)k * nb * pix, (long)k * qg, 0];
        var slots = flipped.ForwardSlots();
        slots[3] = (long)k * qg;
        return slots;
    }

    /// <summary>The data gradient as a forward convolution of dy with flipped filters, where that path is taken (stride 1, enough channels), else null.</summary>
    private Conv2dPlan? Flipped(int gemmTileM)
    {
        int fph = p.DilationH * (r - 1) - p.PadH, fpw = p.DilationW * (s - 1) - p.PadW;
        if (p.StrideH != 1 || p.StrideW != 1 || fph < 0 || fpw < 0 || cg < gemmTileM) return null;
        var fp = new Conv2dParams(1, 1, fph, fpw, p.DilationH, p.DilationW, g);
        return new Conv2dPlan(new Shape(n, k, oh, ow), new Shape(c, kg, r, s), fp, columnBudget);
    }

    public void BackwardFilter(IKernelBackend kb, DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw)
    {
        // dw_gᵀ (C/g·R·S × K/g) = col_g · dy_gᵀ: the column buffer is the A operand as laid out for
        // forward, dy per image transposed to (pixels × K) is B, and the small result is transposed
        // into dw at the end.
        var ws = Workspace.For(kb);
        lock (ws.Gate)
        {
            var col = ws.Get(kb, 0, (long)q * nb * pix);
            var dyT = ws.Get(kb, 1, (long)k * nb * pix);
            var dwT = ws.Get(kb, 2, (long)k * qg);
            for (int n0 = 0; n0 < n; n0 += nb)
            {
                int m = Math.Min(nb, n - n0), cols = m * pix;
                Im2col(kb, col, x, n0, m, qStride: cols, jStride: 1);
                Gemm.TransposeInto(kb, dyT, 0, k, dy, n0 * k * pix, pix, k, pix, m, pix * k, k * pix);
                Gemm.Nn(kb, new Mat(dwT, 0, kg, qg * kg), new Mat(col, 0, cols, qg * cols), new Mat(dyT, 0, k, kg),
                    qg, kg, cols, g, beta: n0 == 0 ? 0f : 1f);
            }
            Gemm.TransposeInto(kb, dw, 0, qg, dwT, 0, kg, qg, kg, g, kg * qg, qg * kg);
        }
    }

    private void Im2col(IKernelBackend kb, DeviceBuffer col, DeviceBuffer x, int n0, int m, int qStride, int jStride)
    {
        kb.Run("conv2d", "im2col", LaunchGeometry.Grid2(q, m, 16, 1), col, x, n0, m, c, h, w, r, s, oh, ow,
            p.StrideH, p.StrideW, p.PadH, p.PadW, p.DilationH, p.DilationW, qStride, jStride);
    }

    /// <summary>dy of images n0..n0+m as the (K × m·P) matrix the GEMMs read.</summary>
    private void Rows(IKernelBackend kb, DeviceBuffer rows, DeviceBuffer dy, int n0, int m) =>
        kb.Run("conv2d", "nchw_to_rows", LaunchGeometry.Grid3(pix, k, m, 64, 1, 1), rows, dy, n0, m, k, pix);
}
