using RawConv.Graph.Onnx;

namespace RawConv.Tests.Conformance;

public static partial class CaseRunner
{
    private static HostValue Gemm(OnnxNode node, HostValue a, HostValue b, HostValue? c, NodeContext ctx)
    {
        bool transA = node.GetInt("transA", 0) != 0, transB = node.GetInt("transB", 0) != 0;
        float alpha = node.GetFloat("alpha", 1f), beta = node.GetFloat("beta", 1f);
        var y = ctx.Back(ctx.Ops.Gemm(ctx.Dev(a), ctx.Dev(b), c is null ? null : ctx.Dev(c), transA, transB, alpha, beta));
        // Gemm with transB = 1 and a per-output bias is a fully connected layer: check Linear on the same data.
        bool linear = transB && !transA && alpha == 1f && beta == 1f && b.Rank == 2
            && (c is null || (c.Rank == 1 && c.Dims[0] == b.Dims[0]));
        if (linear)
        {
            var fc = ctx.Back(ctx.Ops.Linear(ctx.Dev(a), ctx.Dev(b), c is null ? null : ctx.Dev(c)));
            if (Compare(fc, y, "Linear vs Gemm") is { } diff) throw new RawConvException(diff);
        }
        return y;
    }

    private static HostValue MatMul(HostValue a, HostValue b, NodeContext ctx)
    {
        if (a.Rank != 2 || b.Rank != 2) throw new NotApplicableException($"MatMul of rank {a.Rank} × {b.Rank} (only 2-D maps to Gemm)");
        return ctx.Back(ctx.Ops.Gemm(ctx.Dev(a), ctx.Dev(b), null, false, false, 1f, 0f));
    }

    private static HostValue Softmax(OnnxNode node, HostValue x, NodeContext ctx, bool log)
    {
        long axis = node.GetInt("axis", ctx.Opset < 13 ? 1 : -1);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis >= Math.Max(x.Rank, 1)) throw new RawConvException($"{node.OpType}: axis {axis} outside rank {x.Rank}");
        var input = x;
        int ourAxis = (int)axis;
        if (ctx.Opset < 13)
        {
            // Opset < 13 coerces the input to 2-D (outer, inner) at axis and normalizes each row.
            long outer = x.Dims.Take(ourAxis).Aggregate(1L, (p, q) => p * q);
            input = HostValue.Float([outer, x.Count / Math.Max(outer, 1)], x.F);
            ourAxis = 1;
        }
        var t = ctx.Dev(input);
        var y = ctx.Back(log ? ctx.Ops.LogSoftmax(t, ourAxis) : ctx.Ops.Softmax(t, ourAxis));
        return HostValue.Float(x.Dims, y.F);
    }

    private static HostValue?[] Dropout(OnnxNode node, HostValue x, HostValue? ratioIn, HostValue? trainingIn, NodeContext ctx)
    {
        float ratio;
        bool training;
        if (ctx.Opset >= 12)
        {
            ratio = ratioIn is null ? 0.5f : ratioIn.F[0];
            training = trainingIn is not null && trainingIn.I[0] != 0;
        }
        else
        {
            ratio = node.GetFloat("ratio", 0.5f);
            training = ctx.Opset < 7 && node.GetInt("is_test", 0) == 0;
        }
        if (training && ratio > 0)
            throw new NotApplicableException($"training-mode dropout with ratio {ratio}: the mask is random and ONNX's generator is unspecified");
        var (y, mask) = ctx.Ops.Dropout(ctx.Dev(x), ratio, training, (ulong)node.GetInt("seed", 0));
        var yh = ctx.Back(y);
        var m = ctx.Back(mask);
        if (node.Outputs.Count < 2 || node.Outputs[1].Length == 0) return [yh];
        var bits = m.Floats is { } f ? f.Select(v => v != 0 ? 1L : 0L).ToArray() : m.I.Select(v => v != 0 ? 1L : 0L).ToArray();
        return [yh, new HostValue(m.Dims, OnnxDataType.Bool, null, bits)];
    }

    /// <summary>
    /// GridSample → Warp. ONNX samples X at a normalized grid (N, Ho, Wo, 2) with (x, y) in [−1, 1]; Warp samples
    /// at (w + dx, h + dy) for each pixel (h, w) of the flow's grid. So each output pixel's input position
    /// x_in = ((g + 1) / 2)(W − 1) with align_corners = 1, ((g + 1)·W − 1) / 2 with 0, gives dx = x_in − w.
    /// When the grid and X differ in size the runner works on a common (max H, max W) canvas: X extended at the
    /// bottom and right with zeros (zeros padding) or its edge pixels (border padding; replicating the edge and
    /// clamping to the larger border samples the same values), the flow extended with zeros, the output cropped.
    /// That is exact and needs no support from Warp for a flow grid that differs from the image.
    /// </summary>
    private static HostValue GridSample(OnnxNode node, HostValue x, HostValue grid, NodeContext ctx)
    {
        Require4d(x);
        var mode = node.GetString("mode", "bilinear");
        if (mode is not ("bilinear" or "linear")) throw new NotApplicableException($"mode {mode} (Warp is bilinear)");
        var padding = node.GetString("padding_mode", "zeros");
        if (padding is not ("zeros" or "border")) throw new NotApplicableException($"padding_mode {padding} (Warp pads with zeros or the border)");
        bool align = node.GetInt("align_corners", 0) != 0, border = padding == "border";
        if (grid.Rank != 4 || grid.Dims[3] != 2) throw new NotApplicableException($"grid of shape [{string.Join(", ", grid.Dims)}]");
        int n = (int)grid.Dims[0], ho = (int)grid.Dims[1], wo = (int)grid.Dims[2], c = (int)x.Dims[1];
        int h = (int)x.Dims[2], w = (int)x.Dims[3], hm = Math.Max(h, ho), wm = Math.Max(w, wo);
        var g = grid.F;
        var flow = new float[n * 2 * hm * wm];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    int at = ((b * ho + i) * wo + j) * 2;
                    double gx = g[at], gy = g[at + 1];
                    double xin = align ? (gx + 1) / 2 * (w - 1) : ((gx + 1) * w - 1) / 2;
                    double yin = align ? (gy + 1) / 2 * (h - 1) : ((gy + 1) * h - 1) / 2;
                    flow[((b * 2 + 0) * hm + i) * wm + j] = (float)(xin - j);
                    flow[((b * 2 + 1) * hm + i) * wm + j] = (float)(yin - i);
                }
        var canvas = x;
        if (hm != h || wm != w)
        {
            var src = x.F;
            var dst = new float[x.Dims[0] * c * hm * wm];
            for (int p = 0; p < x.Dims[0] * c; p++)
                for (int i = 0; i < hm; i++)
                    for (int j = 0; j < wm; j++)
                        dst[(p * hm + i) * wm + j] = i < h && j < w ? src[(p * h + i) * w + j]
                            : border ? src[(p * h + Math.Min(i, h - 1)) * w + Math.Min(j, w - 1)] : 0f;
            canvas = HostValue.Float([x.Dims[0], c, hm, wm], dst);
        }
        var y = ctx.Back(ctx.Ops.Warp(ctx.Dev(canvas), ctx.Dev([n, 2, hm, wm], flow), border));
        return hm == ho && wm == wo ? y : Crop(y, 0, 0, hm - ho, wm - wo);
    }

    private static HostValue Reshape(OnnxNode node, HostValue x, HostValue? shapeIn, long opset)
    {
        long[] target = opset >= 5
            ? shapeIn?.I ?? throw new RawConvException("Reshape: shape input is missing")
            : node.GetInts("shape") ?? throw new RawConvException("Reshape: shape attribute is missing");
        bool allowZero = node.GetInt("allowzero", 0) != 0;
        var dims = new long[target.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = target[i] == 0 && !allowZero ? x.Dims[i] : target[i];
            if (dims[i] == -1) infer = i;
            else known *= dims[i];
        }
        if (infer >= 0) dims[infer] = x.Count / Math.Max(known, 1);
        if (dims.Aggregate(1L, (a, b) => a * b) != x.Count) throw new RawConvException($"Reshape: [{string.Join(", ", x.Dims)}] to [{string.Join(", ", target)}]");
        return new HostValue(dims, x.Type, x.Floats, x.Ints);
    }

    private static HostValue Squeeze(OnnxNode node, HostValue x, HostValue? axesIn, long opset)
    {
        var axes = (opset >= 13 ? axesIn?.I : node.GetInts("axes")) ?? throw new NotApplicableException($"{node.OpType} without axes");
        var dims = x.Dims.ToList();
        if (node.OpType == "Unsqueeze")
        {
            int rank = dims.Count + axes.Length;
            foreach (var a in axes.Select(a => a < 0 ? a + rank : a).Order()) dims.Insert((int)a, 1);
        }
        else
            foreach (var a in axes.Select(a => a < 0 ? a + x.Rank : a).OrderDescending())
            {
                if (dims[(int)a] != 1) throw new RawConvException($"Squeeze: axis {a} of [{string.Join(", ", x.Dims)}] is not 1");
                dims.RemoveAt((int)a);
            }
        return new HostValue(dims.ToArray(), x.Type, x.Floats, x.Ints);
    }

    private static HostValue Flatten(OnnxNode node, HostValue x)
    {
        long axis = node.GetInt("axis", 1);
        if (axis < 0) axis += x.Rank;
        long outer = x.Dims.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        return new HostValue([outer, x.Count / Math.Max(outer, 1)], x.Type, x.Floats, x.Ints);
    }

    private static HostValue Transpose(OnnxNode node, HostValue x)
    {
        int r = x.Rank;
        var perm = node.GetInts("perm")?.Select(v => (int)v).ToArray() ?? Enumerable.Range(0, r).Reverse().ToArray();
        var dims = perm.Select(p => x.Dims[p]).ToArray();
        var inStride = new long[r];
        for (int i = r - 1; i >= 0; i--) inStride[i] = i == r - 1 ? 1 : inStride[i + 1] * x.Dims[i + 1];
        var map = new long[x.Count];
        var idx = new long[r];
        for (long o = 0; o < map.Length; o++)
        {
            long src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * inStride[perm[i]];
            map[o] = src;
            for (int i = r - 1; i >= 0 && ++idx[i] == dims[i]; i--) idx[i] = 0;
        }
        return new HostValue(dims, x.Type, x.Floats is { } f ? map.Select(m => f[m]).ToArray() : null,
            x.Ints is { } n ? map.Select(m => n[m]).ToArray() : null);
    }

    /// <summary>Zero-pads the H and W axes of an NCHW value by begin (top, left) and end (bottom, right).</summary>
    private static HostValue PadZeros(HostValue x, int[] begin, int[] end) => PadWith(x, begin, end, 0f);

    /// <summary>Pads the H and W axes of an NCHW value with <paramref name="fill"/>.</summary>
    private static HostValue PadWith(HostValue x, int[] begin, int[] end, float fill)
    {
        long n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        long ph = h + begin[0] + end[0], pw = w + begin[1] + end[1];
        var src = x.F;
        var dst = new float[n * c * ph * pw];
        if (fill != 0) Array.Fill(dst, fill);
        for (long p = 0; p < n * c; p++)
            for (long i = 0; i < h; i++)
                Array.Copy(src, (p * h + i) * w, dst, (p * ph + i + begin[0]) * pw + begin[1], w);
        return HostValue.Float([n, c, ph, pw], dst);
    }

    /// <summary>Keeps rows [top, H − bottom) and columns [left, W − right) of an NCHW value.</summary>
    private static HostValue Crop(HostValue x, int top, int left, int bottom, int right)
    {
        long n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        long ch = h - top - bottom, cw = w - left - right;
        var src = x.F;
        var dst = new float[n * c * ch * cw];
        for (long p = 0; p < n * c; p++)
            for (long i = 0; i < ch; i++)
                Array.Copy(src, (p * h + i + top) * w + left, dst, (p * ch + i) * cw, cw);
        return HostValue.Float([n, c, ch, cw], dst);
    }
}
