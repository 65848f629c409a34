namespace RawConv.Tests.Conformance;

/// <summary>
/// Textbook host loops (float64 accumulation) behind <see cref="IOnnxOps"/>, written from the PyTorch/Caffe
/// definitions the RawConv ops follow. They check the runner's ONNX conversions (switch indices, GridSample →
/// flow, pads, output crops, softmax coercion) against the official outputs independently of RawConv.Ops, so a
/// failing case with the real ops points at the op, not at the runner.
/// </summary>
public sealed class NaiveOps : IOnnxOps
{
    private static int Out(int i, int k, int s, int p, int d, bool ceil)
    {
        int num = i + 2 * p - (d * (k - 1) + 1);
        int o = (ceil ? (num + s - 1) / s : num / s) + 1;
        // As PyTorch and Caffe: the last window must start inside the input or its left padding.
        if (ceil && (o - 1) * s >= i + p) o--;
        return o;
    }

    public Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, ConvSpec p)
    {
        var xs = x.ToArray(); var ws = w.ToArray(); var bs = bias?.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int k = w.Shape[0], cg = w.Shape[1], r = w.Shape[2], s = w.Shape[3], kg = k / p.Groups;
        int ho = Out(h, r, p.StrideH, p.PadH, p.DilationH, false), wo = Out(wd, s, p.StrideW, p.PadW, p.DilationW, false);
        var y = new float[n * k * ho * wo];
        for (int b = 0; b < n; b++)
            for (int m = 0; m < k; m++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        double acc = bs?[m] ?? 0;
                        int g = m / kg;
                        for (int q = 0; q < cg; q++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < s; v++)
                                {
                                    int hi = i * p.StrideH - p.PadH + u * p.DilationH, wi = j * p.StrideW - p.PadW + v * p.DilationW;
                                    if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                                    acc += (double)xs[((b * c + g * cg + q) * h + hi) * wd + wi] * ws[((m * cg + q) * r + u) * s + v];
                                }
                        y[((b * k + m) * ho + i) * wo + j] = (float)acc;
                    }
        return Tensor.FromArray(x.Backend, Shape.Nchw(n, k, ho, wo), y);
    }

    public Tensor ConvTranspose2d(Tensor x, Tensor w, Tensor? bias, ConvTransposeSpec p)
    {
        var xs = x.ToArray(); var ws = w.ToArray(); var bs = bias?.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], kg = w.Shape[1], r = w.Shape[2], s = w.Shape[3];
        int cg = c / p.Groups, k = kg * p.Groups;
        int ho = p.StrideH * (h - 1) + p.OutputPadH + p.DilationH * (r - 1) + 1 - 2 * p.PadH;
        int wo = p.StrideW * (wd - 1) + p.OutputPadW + p.DilationW * (s - 1) + 1 - 2 * p.PadW;
        var y = new double[n * k * ho * wo];
        for (int b = 0; b < n; b++)
            for (int q = 0; q < c; q++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int m = 0; m < kg; m++)
                            for (int u = 0; u < r; u++)
                                for (int v = 0; v < s; v++)
                                {
                                    int oi = i * p.StrideH - p.PadH + u * p.DilationH, oj = j * p.StrideW - p.PadW + v * p.DilationW;
                                    if (oi < 0 || oi >= ho || oj < 0 || oj >= wo) continue;
                                    int km = q / cg * kg + m;
                                    y[((b * k + km) * ho + oi) * wo + oj] += (double)xs[((b * c + q) * h + i) * wd + j] * ws[((q * kg + m) * r + u) * s + v];
                                }
        if (bs is not null)
            for (int e = 0; e < y.Length; e++) y[e] += bs[e / (ho * wo) % k];
        return Tensor.FromArray(x.Backend, Shape.Nchw(n, k, ho, wo), y.Select(v => (float)v).ToArray());
    }

    public (Tensor Values, Tensor Indices) MaxPool2d(Tensor x, PoolSpec p)
    {
        var xs = x.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int ho = Out(h, p.KernelH, p.StrideH, p.PadH, p.DilationH, p.CeilMode), wo = Out(wd, p.KernelW, p.StrideW, p.PadW, p.DilationW, p.CeilMode);
        var y = new float[n * c * ho * wo];
        var idx = new int[y.Length];
        for (int pl = 0; pl < n * c; pl++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int u = 0; u < p.KernelH; u++)
                        for (int v = 0; v < p.KernelW; v++)
                        {
                            int hi = i * p.StrideH - p.PadH + u * p.DilationH, wi = j * p.StrideW - p.PadW + v * p.DilationW;
                            if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                            float val = xs[(pl * h + hi) * wd + wi];
                            if (val > best) { best = val; at = hi * wd + wi; }
                        }
                    y[(pl * ho + i) * wo + j] = best;
                    idx[(pl * ho + i) * wo + j] = at;
                }
        var shape = Shape.Nchw(n, c, ho, wo);
        return (Tensor.FromArray(x.Backend, shape, y), Tensor.FromInts(x.Backend, shape, idx));
    }

    public Tensor MaxUnpool2d(Tensor x, Tensor indices, Shape outShape)
    {
        var xs = x.ToArray(); var idx = indices.ToIntArray();
        int plane = x.Shape[2] * x.Shape[3], outPlane = outShape[2] * outShape[3];
        var y = new float[outShape.Count];
        for (int e = 0; e < xs.Length; e++) y[e / plane * outPlane + idx[e]] = xs[e];
        return Tensor.FromArray(x.Backend, outShape, y);
    }

    public Tensor AvgPool2d(Tensor x, PoolSpec p, bool countIncludePad)
    {
        var xs = x.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int ho = Out(h, p.KernelH, p.StrideH, p.PadH, 1, p.CeilMode), wo = Out(wd, p.KernelW, p.StrideW, p.PadW, 1, p.CeilMode);
        var y = new float[n * c * ho * wo];
        for (int pl = 0; pl < n * c; pl++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    int hs = i * p.StrideH - p.PadH, ws = j * p.StrideW - p.PadW;
                    int he = Math.Min(hs + p.KernelH, h + p.PadH), we = Math.Min(ws + p.KernelW, wd + p.PadW);
                    int div = (he - hs) * (we - ws);
                    hs = Math.Max(hs, 0); ws = Math.Max(ws, 0); he = Math.Min(he, h); we = Math.Min(we, wd);
                    if (!countIncludePad) div = (he - hs) * (we - ws);
                    double acc = 0;
                    for (int u = hs; u < he; u++)
                        for (int v = ws; v < we; v++) acc += xs[(pl * h + u) * wd + v];
                    y[(pl * ho + i) * wo + j] = (float)(acc / div);
                }
        return Tensor.FromArray(x.Backend, Shape.Nchw(n, c, ho, wo), y);
    }

    public Tensor Lrn(Tensor x, int size, float alpha, float beta, float k)
    {
        var xs = x.ToArray();
        int n = x.Shape[0], c = x.Shape[1], plane = x.Shape[2] * x.Shape[3];
        var y = new float[xs.Length];
        for (int b = 0; b < n; b++)
            for (int q = 0; q < c; q++)
                for (int e = 0; e < plane; e++)
                {
                    double sum = 0;
                    for (int cc = q - (size - 1) / 2; cc <= q + size / 2; cc++)
                        if (cc >= 0 && cc < c) { double v = xs[(b * c + cc) * plane + e]; sum += v * v; }
                    y[(b * c + q) * plane + e] = (float)(xs[(b * c + q) * plane + e] * Math.Pow(k + alpha / size * sum, -beta));
                }
        return Tensor.FromArray(x.Backend, x.Shape, y);
    }

    public Tensor Gemm(Tensor a, Tensor b, Tensor? c, bool transA, bool transB, float alpha, float beta)
    {
        var av = a.ToArray(); var bv = b.ToArray(); var cv = c?.ToArray();
        int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1], n = transB ? b.Shape[0] : b.Shape[1];
        var y = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int q = 0; q < k; q++) acc += (double)(transA ? av[q * m + i] : av[i * k + q]) * (transB ? bv[j * k + q] : bv[q * n + j]);
                double bias = 0;
                if (cv is not null)
                {
                    var d = c!.Shape;
                    // Unidirectional broadcast of C to (M, N), as ONNX Gemm.
                    int at = d.Rank == 0 ? 0 : d.Rank == 1 ? (d[0] == 1 ? 0 : j) : (d[0] == 1 ? 0 : i) * d[1] + (d[1] == 1 ? 0 : j);
                    bias = cv[at];
                }
                y[i * n + j] = (float)(alpha * acc + beta * bias);
            }
        return Tensor.FromArray(a.Backend, new Shape(m, n), y);
    }

    public Tensor Linear(Tensor x, Tensor w, Tensor? bias) => Gemm(x, w, bias, false, true, 1f, 1f);

    public Tensor Relu(Tensor x) => Tensor.FromArray(x.Backend, x.Shape, x.ToArray().Select(v => v > 0 ? v : 0f).ToArray());

    public Tensor Softmax(Tensor x, int axis) => SoftmaxAt(x, axis, log: false);

    public Tensor LogSoftmax(Tensor x, int axis) => SoftmaxAt(x, axis, log: true);

    private static Tensor SoftmaxAt(Tensor x, int axis, bool log)
    {
        var xs = x.ToArray();
        var d = x.Shape.Dims;
        int outer = d.Take(axis).Aggregate(1, (p, q) => p * q), inner = d.Skip(axis + 1).Aggregate(1, (p, q) => p * q), n = d[axis];
        var y = new float[xs.Length];
        for (int o = 0; o < outer; o++)
            for (int e = 0; e < inner; e++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int q = 0; q < n; q++) max = Math.Max(max, xs[(o * n + q) * inner + e]);
                for (int q = 0; q < n; q++) sum += Math.Exp(xs[(o * n + q) * inner + e] - max);
                for (int q = 0; q < n; q++)
                {
                    double v = xs[(o * n + q) * inner + e] - max;
                    y[(o * n + q) * inner + e] = (float)(log ? v - Math.Log(sum) : Math.Exp(v) / sum);
                }
            }
        return Tensor.FromArray(x.Backend, x.Shape, y);
    }

    public (Tensor Y, Tensor Mask) Dropout(Tensor x, float p, bool training, ulong seed)
    {
        // The runner declares training-mode dropout not applicable before it calls an op.
        if (training && p > 0) throw new InvalidOperationException("NaiveOps.Dropout in training mode");
        return (Tensor.FromArray(x.Backend, x.Shape, x.ToArray()), Tensor.FromArray(x.Backend, x.Shape, Enumerable.Repeat(1f, (int)x.Count).ToArray()));
    }

    public Tensor Warp(Tensor x, Tensor flow, bool borderPadding)
    {
        var xs = x.ToArray(); var f = flow.ToArray();
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], ho = flow.Shape[2], wo = flow.Shape[3];
        var y = new float[n * c * ho * wo];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    double sx = j + f[(b * 2 * ho + i) * wo + j], sy = i + f[((b * 2 + 1) * ho + i) * wo + j];
                    if (borderPadding) { sx = Math.Clamp(sx, 0, wd - 1); sy = Math.Clamp(sy, 0, h - 1); }
                    int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                    double fx = sx - x0, fy = sy - y0;
                    for (int q = 0; q < c; q++)
                    {
                        double At(int yy, int xx) => yy < 0 || yy >= h || xx < 0 || xx >= wd ? 0 : xs[((b * c + q) * h + yy) * wd + xx];
                        y[((b * c + q) * ho + i) * wo + j] = (float)((1 - fy) * ((1 - fx) * At(y0, x0) + fx * At(y0, x0 + 1))
                            + fy * ((1 - fx) * At(y0 + 1, x0) + fx * At(y0 + 1, x0 + 1)));
                    }
                }
        return Tensor.FromArray(x.Backend, Shape.Nchw(n, c, ho, wo), y);
    }
}
