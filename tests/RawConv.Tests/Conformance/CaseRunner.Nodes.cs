using RawConv.Graph.Onnx;

namespace RawConv.Tests.Conformance;

/// <summary>The backend, the ops and the opset a case runs with; owns the device tensors it makes.</summary>
internal sealed class NodeContext(IBackend backend, IOnnxOps ops, long opset) : IDisposable
{
    private readonly List<Tensor> owned = [];
    public IOnnxOps Ops { get; } = ops;
    public long Opset { get; } = opset;

    /// <summary>A float device tensor of a host value.</summary>
    public Tensor Dev(HostValue v) => Own(Tensor.FromArray(backend, new Shape(v.IntDims()), v.F));

    /// <summary>A float device tensor of host data.</summary>
    public Tensor Dev(int[] dims, float[] data) => Own(Tensor.FromArray(backend, new Shape(dims), data));

    /// <summary>An Int32 device tensor of host data.</summary>
    public Tensor DevInts(int[] dims, int[] data) => Own(Tensor.FromInts(backend, new Shape(dims), data));

    /// <summary>Downloads an op's result (and frees it with the rest).</summary>
    public HostValue Back(Tensor t) => HostValue.From(Own(t));

    public Tensor Own(Tensor t) { owned.Add(t); return t; }

    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        owned.Clear();
    }
}

public static partial class CaseRunner
{
    /// <summary>Operators the runner maps to RawConv ops.</summary>
    public static readonly HashSet<string> ComputeOps =
    [
        "Conv", "ConvTranspose", "MaxPool", "MaxUnpool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LRN",
        "Gemm", "MatMul", "Relu", "Softmax", "LogSoftmax", "Dropout", "GridSample",
    ];

    /// <summary>Shape-only operators the runner evaluates on the host.</summary>
    public static readonly HashSet<string> GlueOps = ["Constant", "Identity", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze"];

    /// <summary>Throws <see cref="NotApplicableException"/> when the graph uses operators RawConv does not have.</summary>
    public static void CheckOps(OnnxModel model)
    {
        var foreign = model.Graph.Nodes.Where(n => n.Domain is not ("" or "ai.onnx") || (!ComputeOps.Contains(n.OpType) && !GlueOps.Contains(n.OpType)))
            .Select(n => n.OpType).Distinct().ToArray();
        if (foreign.Length > 0) throw new NotApplicableException($"uses {string.Join(", ", foreign)} (not RawConv ops)");
    }

    private static HostValue?[] Execute(OnnxNode node, HostValue?[] inputs, NodeContext ctx)
    {
        HostValue In(int k) => k < inputs.Length && inputs[k] is { } v ? v
            : throw new RawConvException($"{node.OpType}: required input {k} is missing");
        HostValue? Opt(int k) => k < inputs.Length ? inputs[k] : null;
        return node.OpType switch
        {
            "Constant" => [HostValue.From(node.GetTensor("value") ?? throw new NotApplicableException("Constant without a tensor 'value'"))],
            "Identity" => [In(0)],
            "Reshape" => [Reshape(node, In(0), Opt(1), ctx.Opset)],
            "Flatten" => [Flatten(node, In(0))],
            "Transpose" => [Transpose(node, In(0))],
            "Squeeze" or "Unsqueeze" => [Squeeze(node, In(0), Opt(1), ctx.Opset)],
            "Relu" => [ctx.Back(ctx.Ops.Relu(ctx.Dev(In(0))))],
            "Conv" => [Conv(node, In(0), In(1), Opt(2), ctx)],
            "ConvTranspose" => [ConvTranspose(node, In(0), In(1), Opt(2), ctx)],
            "MaxPool" => MaxPool(node, In(0), ctx),
            "GlobalMaxPool" => [GlobalPool(node, In(0), ctx, max: true)],
            "AveragePool" => [AveragePool(node, In(0), ctx)],
            "GlobalAveragePool" => [GlobalPool(node, In(0), ctx, max: false)],
            "MaxUnpool" => [MaxUnpool(node, In(0), In(1), Opt(2), ctx)],
            "LRN" => [Lrn(node, In(0), ctx)],
            "Gemm" => [Gemm(node, In(0), In(1), Opt(2), ctx)],
            "MatMul" => [MatMul(In(0), In(1), ctx)],
            "Softmax" => [Softmax(node, In(0), ctx, log: false)],
            "LogSoftmax" => [Softmax(node, In(0), ctx, log: true)],
            "Dropout" => Dropout(node, In(0), Opt(1), Opt(2), ctx),
            "GridSample" => [GridSample(node, In(0), In(1), ctx)],
            _ => throw new NotApplicableException($"{node.OpType} is not a RawConv op"),
        };
    }

    /// <summary>Reasons shared by many not-applicable cases.</summary>
    public const string OneD = "1-D input (RawConv's ops are 2-D)", ThreeD = "3-D input (RawConv's ops are 2-D)";

    private static void Require4d(HostValue x)
    {
        if (x.Rank == 4) return;
        throw new NotApplicableException(x.Rank switch { 3 => OneD, 5 => ThreeD, _ => $"rank-{x.Rank} input (RawConv's ops are 2-D)" });
    }

    private static int[] Pair(OnnxNode node, string name, int fallback)
    {
        var v = node.GetInts(name);
        if (v is null) return [fallback, fallback];
        if (v.Length != 2) throw new NotApplicableException($"{name} has {v.Length} values");
        return [checked((int)v[0]), checked((int)v[1])];
    }

    /// <summary>Begin and end pads per spatial axis (H, W) from pads or auto_pad (ONNX's SAME rule: out = ceil(in / stride)).</summary>
    private static (int[] Begin, int[] End, string How) Pads(OnnxNode node, HostValue x, int[] k, int[] s, int[] d)
    {
        var auto = node.GetString("auto_pad", "NOTSET");
        switch (auto)
        {
            case "NOTSET" or "":
                var p = node.GetInts("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4) throw new NotApplicableException($"pads has {p.Length} values");
                return ([(int)p[0], (int)p[1]], [(int)p[2], (int)p[3]], "pads");
            case "VALID":
                return ([0, 0], [0, 0], "auto_pad VALID");
            case "SAME_UPPER" or "SAME_LOWER":
                int[] begin = new int[2], end = new int[2];
                for (int i = 0; i < 2; i++)
                {
                    int input = (int)x.Dims[2 + i];
                    int output = (input + s[i] - 1) / s[i];
                    int total = Math.Max(0, (output - 1) * s[i] + (k[i] - 1) * d[i] + 1 - input);
                    begin[i] = auto == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
                return (begin, end, "auto_pad " + auto);
            default:
                throw new NotApplicableException($"auto_pad {auto}");
        }
    }

    private static (int H, int W) Symmetric((int[] Begin, int[] End, string How) p, string why = "")
    {
        if (p.Begin[0] == p.End[0] && p.Begin[1] == p.End[1]) return (p.Begin[0], p.Begin[1]);
        throw new NotApplicableException($"{p.How} gives asymmetric pads [t, l, b, r] = [{p.Begin[0]}, {p.Begin[1]}, {p.End[0]}, {p.End[1]}]{why}");
    }

    private static HostValue Conv(OnnxNode node, HostValue x, HostValue w, HostValue? bias, NodeContext ctx)
    {
        Require4d(x);
        int[] k = [(int)w.Dims[2], (int)w.Dims[3]];
        int[] s = Pair(node, "strides", 1), d = Pair(node, "dilations", 1);
        var pads = Pads(node, x, k, s, d);
        if (pads.Begin[0] != pads.End[0] || pads.Begin[1] != pads.End[1])
        {
            // Zero padding commutes with convolution, so asymmetric pads become explicit host padding.
            x = PadZeros(x, pads.Begin, pads.End);
            pads = ([0, 0], [0, 0], pads.How);
        }
        var (ph, pw) = Symmetric(pads);
        var spec = new ConvSpec(s[0], s[1], ph, pw, d[0], d[1], checked((int)node.GetInt("group", 1)));
        return ctx.Back(ctx.Ops.Conv2d(ctx.Dev(x), ctx.Dev(w), bias is null ? null : ctx.Dev(bias), spec));
    }

    private static HostValue ConvTranspose(OnnxNode node, HostValue x, HostValue w, HostValue? bias, NodeContext ctx)
    {
        Require4d(x);
        int[] k = [(int)w.Dims[2], (int)w.Dims[3]];
        int[] s = Pair(node, "strides", 1), d = Pair(node, "dilations", 1), op = Pair(node, "output_padding", 0);
        var auto = node.GetString("auto_pad", "NOTSET");
        var outShape = node.GetInts("output_shape");
        int[] begin = new int[2], end = new int[2];
        if (outShape is not null || auto is "SAME_UPPER" or "SAME_LOWER")
        {
            for (int i = 0; i < 2; i++)
            {
                int input = (int)x.Dims[2 + i];
                long target = outShape is null ? (long)input * s[i] : outShape[outShape.Length - 2 + i];
                // ONNX's rule (reference implementation, floor division): SAME_UPPER puts the odd pad at the end.
                int total = checked((int)((long)s[i] * (input - 1) + op[i] + (k[i] - 1) * d[i] + 1 - target));
                int half = (int)Math.Floor(total / 2.0);
                begin[i] = auto == "SAME_UPPER" ? half : total - half;
                end[i] = total - begin[i];
            }
        }
        else if (auto is "NOTSET" or "" or "VALID")
        {
            long[] p = auto == "VALID" ? [0, 0, 0, 0] : node.GetInts("pads") ?? [0, 0, 0, 0];
            if (p.Length != 4) throw new NotApplicableException($"pads has {p.Length} values");
            begin = [(int)p[0], (int)p[1]];
            end = [(int)p[2], (int)p[3]];
        }
        else throw new NotApplicableException($"auto_pad {auto}");
        // Ours crops Pad at both ends of the full result and appends OutputPad zeros at the end, so ONNX's
        // (begin, end) crop is Pad = begin, OutputPad = output_padding + begin − end when that is ≥ 0; otherwise
        // the runner takes the full result (Pad 0) and crops it on the host.
        int[] outPad = [op[0] + begin[0] - end[0], op[1] + begin[1] - end[1]];
        int group = checked((int)node.GetInt("group", 1));
        Tensor? b = bias is null ? null : ctx.Dev(bias);
        if (begin[0] >= 0 && begin[1] >= 0 && outPad[0] >= 0 && outPad[1] >= 0)
            return ctx.Back(ctx.Ops.ConvTranspose2d(ctx.Dev(x), ctx.Dev(w), b,
                new ConvTransposeSpec(s[0], s[1], begin[0], begin[1], outPad[0], outPad[1], d[0], d[1], group)));
        if (begin.Concat(end).Any(v => v < 0))
            throw new NotApplicableException($"output crop [t, l, b, r] = [{begin[0]}, {begin[1]}, {end[0]}, {end[1]}] extends the output");
        var full = ctx.Back(ctx.Ops.ConvTranspose2d(ctx.Dev(x), ctx.Dev(w), b,
            new ConvTransposeSpec(s[0], s[1], 0, 0, op[0], op[1], d[0], d[1], group)));
        return Crop(full, begin[0], begin[1], end[0], end[1]);
    }

    /// <summary>
    /// The pooling window of a MaxPool or AveragePool node. Asymmetric pads become host padding with
    /// <paramref name="prePad"/> (returned as the Top/Left offset of the input), or, for an average without
    /// count_include_pad, symmetric pads widened to the larger side plus a Crop [t, l, b, r] of the output.
    /// </summary>
    private static (PoolSpec Spec, int Top, int Left, int[]? Crop) PoolParams(OnnxNode node, ref HostValue x, float? prePad)
    {
        Require4d(x);
        _ = x.F;
        var k = node.GetInts("kernel_shape") ?? throw new RawConvException($"{node.OpType}: kernel_shape is required");
        if (k.Length != 2) throw new NotApplicableException($"kernel_shape has {k.Length} values");
        int[] kk = [(int)k[0], (int)k[1]];
        int[] s = Pair(node, "strides", 1), d = Pair(node, "dilations", 1);
        bool ceil = node.GetInt("ceil_mode", 0) != 0;
        var pads = Pads(node, x, kk, s, d);
        int top = 0, left = 0;
        if (prePad is { } fill && !ceil && (pads.Begin[0] != pads.End[0] || pads.Begin[1] != pads.End[1]))
        {
            x = PadWith(x, pads.Begin, pads.End, fill);
            (top, left) = (pads.Begin[0], pads.Begin[1]);
            pads = ([0, 0], [0, 0], pads.How);
        }
        int[]? crop = null;
        if (prePad is null && !ceil && node.GetInt("count_include_pad", 0) == 0 && (pads.Begin[0] != pads.End[0] || pads.Begin[1] != pads.End[1]))
            (pads, crop) = WidenPads(x, pads, kk, s, d);
        var (ph, pw) = Symmetric(pads, prePad is not null ? " with ceil_mode" : "");
        return (new PoolSpec(kk[0], kk[1], s[0], s[1], ph, pw, ceil, d[0], d[1]), top, left, crop);
    }

    /// <summary>
    /// Without count_include_pad a pad only adds window positions (padding counts nowhere), so padding both sides
    /// by the larger pad gives ONNX's windows plus whole extra ones, which the returned crop drops. Exact when
    /// the extra leading pad is a whole number of strides.
    /// </summary>
    private static ((int[], int[], string), int[]?) WidenPads(HostValue x, (int[] Begin, int[] End, string How) pads, int[] k, int[] s, int[] d)
    {
        int[] p = new int[2], lead = new int[2], trail = new int[2];
        for (int i = 0; i < 2; i++)
        {
            p[i] = Math.Max(pads.Begin[i], pads.End[i]);
            if ((p[i] - pads.Begin[i]) % s[i] != 0) return (pads, null);
            int input = (int)x.Dims[2 + i], span = d[i] * (k[i] - 1) + 1;
            int wanted = (input + pads.Begin[i] + pads.End[i] - span) / s[i] + 1, widened = (input + 2 * p[i] - span) / s[i] + 1;
            lead[i] = (p[i] - pads.Begin[i]) / s[i];
            trail[i] = widened - wanted - lead[i];
        }
        return ((p, p, pads.How), [lead[0], lead[1], trail[0], trail[1]]);
    }

    private static HostValue?[] MaxPool(OnnxNode node, HostValue x, NodeContext ctx)
    {
        var original = x;
        var (spec, top, left, _) = PoolParams(node, ref x, float.MinValue);
        long order = node.GetInt("storage_order", 0);
        var (values, indices) = ctx.Ops.MaxPool2d(ctx.Dev(x), spec);
        var y = ctx.Back(values);
        var ours = ctx.Back(indices).I;
        if (node.Outputs.Count < 2 || node.Outputs[1].Length == 0) return [y];
        // ONNX flattens the index over N·C·H·W; ours is h·W + w inside the (n, c) plane (of the padded input
        // when the runner pre-padded it).
        long h = original.Dims[2], w = original.Dims[3], plane = h * w, outPlane = y.Dims[2] * y.Dims[3], wp = x.Dims[3];
        var onnx = new long[ours.Length];
        for (int i = 0; i < ours.Length; i++)
        {
            long r = ours[i] / wp - top, c = ours[i] % wp - left;
            if (ours[i] < 0 || r < 0 || r >= h || c < 0 || c >= w)
                throw new RawConvException($"MaxPool2d switch {ours[i]} at {i} lies outside the {h}×{w} input");
            long within = order == 0 ? r * w + c : c * h + r;
            onnx[i] = i / outPlane * plane + within;
        }
        return [y, HostValue.Int64(y.Dims, onnx)];
    }

    private static HostValue AveragePool(OnnxNode node, HostValue x, NodeContext ctx)
    {
        var (spec, _, _, crop) = PoolParams(node, ref x, null);
        bool include = node.GetInt("count_include_pad", 0) != 0;
        var y = ctx.Back(ctx.Ops.AvgPool2d(ctx.Dev(x), spec, include));
        return crop is null ? y : Crop(y, crop[0], crop[1], crop[2], crop[3]);
    }

    private static HostValue GlobalPool(OnnxNode node, HostValue x, NodeContext ctx, bool max)
    {
        Require4d(x);
        var spec = new PoolSpec((int)x.Dims[2], (int)x.Dims[3], 1, 1, 0, 0, false, 1, 1);
        if (!max) return ctx.Back(ctx.Ops.AvgPool2d(ctx.Dev(x), spec, true));
        var (values, indices) = ctx.Ops.MaxPool2d(ctx.Dev(x), spec);
        ctx.Own(indices);
        return ctx.Back(values);
    }

    private static HostValue MaxUnpool(OnnxNode node, HostValue x, HostValue ind, HostValue? outputShape, NodeContext ctx)
    {
        Require4d(x);
        var k = node.GetInts("kernel_shape") ?? throw new RawConvException("MaxUnpool: kernel_shape is required");
        int[] s = Pair(node, "strides", 1);
        var p = node.GetInts("pads") ?? [0, 0, 0, 0];
        long hd = (x.Dims[2] - 1) * s[0] + k[0] - p[0] - p[2], wd = (x.Dims[3] - 1) * s[1] + k[1] - p[1] - p[3];
        long[] outDims = outputShape?.I ?? [x.Dims[0], x.Dims[1], hd, wd];
        if (outDims.Length != 4) throw new NotApplicableException($"output_shape has {outDims.Length} values");
        if (!ind.Dims.SequenceEqual(x.Dims)) throw new RawConvException("MaxUnpool: indices and X differ in shape");
        // ONNX indices are flat over N·C·H·W of the default output (hd, wd), as MaxPool produced them; an explicit
        // output_shape only zero-extends that at the bottom and right (the reference implementation and the
        // test data agree). Ours index h·Wo + w inside the (n, c) plane of the actual output.
        long inPlane = x.Dims[2] * x.Dims[3], defaultPlane = hd * wd, wo = outDims[3];
        var ours = new int[ind.Count];
        for (int i = 0; i < ours.Length; i++)
        {
            long idx = ind.I[i], plane = i / inPlane;
            if (idx / defaultPlane != plane)
                throw new NotApplicableException($"index {idx} at {i} points outside its own (n, c) plane");
            long h = idx % defaultPlane / wd, w = idx % defaultPlane % wd;
            if (h >= outDims[2] || w >= wo) throw new NotApplicableException($"output_shape [{string.Join(", ", outDims)}] is smaller than the pooled input");
            ours[i] = checked((int)(h * wo + w));
        }
        var shape = new Shape(outDims.Select(v => checked((int)v)).ToArray());
        return ctx.Back(ctx.Ops.MaxUnpool2d(ctx.Dev(x), ctx.DevInts(x.IntDims(), ours), shape));
    }

    private static HostValue Lrn(OnnxNode node, HostValue x, NodeContext ctx)
    {
        Require4d(x);
        int size = checked((int)node.GetInt("size", 0));
        return ctx.Back(ctx.Ops.Lrn(ctx.Dev(x), size, node.GetFloat("alpha", 1e-4f), node.GetFloat("beta", 0.75f), node.GetFloat("bias", 1f)));
    }
}
