using RawConv.Graph.Onnx;

namespace RawConv.Graph.Import;

public static partial class OnnxImporter
{
    /// <summary>The declared item shape of the graph input: (C, H, W) for images, (K) for codes.</summary>
    private static Shape ItemShape(OnnxValueInfo input, string source)
    {
        if (input.Dims is { Length: 2 } c && c[1] is > 0 and <= int.MaxValue) return new Shape((int)c[1]!.Value);
        if (input.Dims is not { Length: 4 } d || d[1] is not > 0 || d[2] is not > 0 || d[3] is not > 0 || d[1] > int.MaxValue || d[2] > int.MaxValue || d[3] > int.MaxValue)
            throw new RawConvException($"{source}: graph input {input} is neither (N, C, H, W) with known C, H, W nor a code (N, K) with known K");
        return new Shape((int)d[1]!.Value, (int)d[2]!.Value, (int)d[3]!.Value);
    }

    /// <summary>Reshape with a constant shape: to (N, C, H, W) a reshape layer, to (N, features) a flatten.</summary>
    private static Layer ReshapeTo(NodeContext ctx, string name, Shape x)
    {
        var n = ctx.Node;
        long[] target = n.Inputs.Count > 1 && n.Inputs[1].Length > 0
            ? ctx.Tensor(n.Inputs[1], "shape", 1).ToInt64s()
            : n.GetInts("shape") ?? throw ctx.Error("Reshape has neither a shape input nor a shape attribute");
        if (target.Length != 4)
        {
            CheckFlatten(ctx, x, target);
            return new FlattenLayer(name);
        }
        long per = x.Count / x[0];
        bool ok = (target[0] is 0 or -1 || target[0] == x[0]) && target.Skip(1).All(v => v is >= 1 and <= int.MaxValue)
            && target[1] * target[2] * target[3] == per;
        if (!ok) throw ctx.Error($"Reshape of {x} to [{string.Join(", ", target)}] is not a reshape of each item to a (C, H, W) map of its {per} values");
        return new ReshapeLayer(name, (int)target[1], (int)target[2], (int)target[3]);
    }

    private static (Layer, (float[], float[]?)) ConvTranspose(NodeContext ctx, string name, Shape x)
    {
        var n = ctx.Node;
        var w = ctx.Tensor(n.Inputs.Count > 1 ? n.Inputs[1] : "", "W", 4);
        var dims = w.IntDims();
        int group = ctx.Int("group", 1);
        if (x.Rank != 4 || group < 1 || dims[0] != x.C || dims[0] % group != 0)
            throw ctx.Error($"W {w} with group {group} does not fit input {x}");
        int outMaps = dims[1] * group;
        float[]? bias = null;
        if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
        {
            bias = ctx.Tensor(n.Inputs[2], "B", 1).ToFloats();
            if (bias.Length != outMaps) throw ctx.Error($"bias has {bias.Length} values, W {w} with group {group} makes {outMaps} maps");
        }
        if (n.Has("output_shape")) throw ctx.Error("ConvTranspose with output_shape is not supported (give pads and output_padding)");
        var k = ctx.Pair("kernel_shape", dims[2], dims[3]);
        if (k != (dims[2], dims[3])) throw ctx.Error($"kernel_shape [{k.Item1}, {k.Item2}] disagrees with W {w}");
        if (ctx.Pair("dilations", 1, 1) != (1, 1)) throw ctx.Error("ConvTranspose dilations other than 1 are not supported");
        var s = ctx.Pair("strides", 1, 1);
        var p = ctx.Pads();
        var op = n.GetInts("output_padding") ?? [0, 0];
        if (op.Length != 2 || op[0] < 0 || op[1] < 0 || op[0] >= s.Item1 || op[1] >= s.Item2)
            throw ctx.Error($"output_padding [{string.Join(", ", op)}] must hold two values below the strides");
        return (new ConvTransposeLayer(name, outMaps, dims[2], dims[3], s.Item1, s.Item2, p.Item1, p.Item2, (int)op[0], (int)op[1], group, bias != null),
            (w.ToFloats(), bias));
    }

    /// <summary>A Slice of the spatial axes (steps 1) that keeps a centred window, as a crop layer.</summary>
    private static Layer CentreCrop(NodeContext ctx, string name, Shape x, long opset)
    {
        var n = ctx.Node;
        long[] Input(int i, string role) => ctx.Tensor(n.Inputs[i], role, 1).ToInt64s();
        long[] starts, ends, axes;
        if (opset < 10)
        {
            starts = n.GetInts("starts") ?? throw ctx.Error("Slice needs starts");
            ends = n.GetInts("ends") ?? throw ctx.Error("Slice needs ends");
            axes = n.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray();
        }
        else
        {
            if (n.Inputs.Count < 3) throw ctx.Error("Slice needs starts and ends inputs");
            starts = Input(1, "starts");
            ends = Input(2, "ends");
            axes = n.Inputs.Count > 3 && n.Inputs[3].Length > 0 ? Input(3, "axes") : Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray();
            if (n.Inputs.Count > 4 && n.Inputs[4].Length > 0 && Input(4, "steps").Any(v => v != 1)) throw ctx.Error("Slice steps other than 1 are not supported");
        }
        if (x.Rank != 4 || starts.Length != ends.Length || starts.Length != axes.Length)
            throw ctx.Error($"Slice of {x} with starts [{string.Join(", ", starts)}], ends [{string.Join(", ", ends)}], axes [{string.Join(", ", axes)}] is not a crop of (N, C, H, W)");
        int height = x.H, width = x.W;
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + 4 : axes[i];
            if (axis is not (2 or 3)) throw ctx.Error($"Slice over axis {axes[i]} is not supported (only the spatial axes 2 and 3)");
            long size = x[(int)axis];
            long from = Math.Clamp(starts[i] < 0 ? starts[i] + size : starts[i], 0, size);
            long to = Math.Clamp(ends[i] < 0 ? ends[i] + size : ends[i], 0, size);
            if (to - from < 1 || from != (size - (to - from)) / 2)
                throw ctx.Error($"Slice [{starts[i]}, {ends[i]}) of axis {axis} (size {size}) is not a centred window (start ⌊(size − length)/2⌋)");
            if (axis == 2) height = (int)(to - from);
            else width = (int)(to - from);
        }
        return new CropLayer(name, height, width);
    }
}
