using RawConv.Graph.Onnx;

namespace RawConv.Graph.Import;

/// <summary>
/// Maps a sequential ONNX graph (the model zoo's bvlc_alexnet, caffenet, zfnet512; opset 7–12) onto a
/// <see cref="NetSpec"/> plus weights. Ops: Conv, Relu, LRN, MaxPool, AveragePool, Reshape/Flatten,
/// Gemm, MatMul(+Add), Dropout, Softmax, and for generators (input (N, K) codes) ConvTranspose, LeakyRelu,
/// Tanh, Reshape to (N, C, H, W) and centred Slices (OnnxImporter.Generator.cs); Constant nodes feed
/// inputs like initializers. Layer names are the node names when present and unique, else the node's
/// output name. Anything else (other ops, branches, asymmetric pads) is an error naming the file, the
/// node and its op.
/// </summary>
public static partial class OnnxImporter
{
    /// <summary>Reads <paramref name="path"/> and maps it.</summary>
    public static ImportedNet Load(string path) => Import(OnnxModel.Load(path), path);

    /// <summary>Maps an already parsed model; <paramref name="source"/> names it in messages.</summary>
    public static ImportedNet Import(OnnxModel model, string source)
    {
        var g = model.Graph;
        var inits = new Dictionary<string, OnnxTensor>();
        foreach (var t in g.Initializers) inits[t.Name] = t;
        var fed = g.FedInputs().ToList();
        if (fed.Count != 1)
            throw new RawConvException($"{source}: expected one graph input (the image), found {fed.Count}: {string.Join(", ", fed)}");
        var input = fed[0];
        var item = ItemShape(input, source);

        var nodeNames = g.Nodes.Where(n => n.Name.Length > 0).GroupBy(n => n.Name).Where(x => x.Count() == 1).Select(x => x.Key).ToHashSet();
        var used = new HashSet<string>();
        var layers = new List<Layer>();
        var weights = new Dictionary<string, (float[], float[]?)>();
        var shape = new Shape([1, .. item.Dims]);
        string cur = input.Name;
        long opset = model.OpsetVersion();
        try { Chain(); }
        // OnnxNode's typed attribute reads throw without the file name.
        catch (ProtoFormatException e) when (!e.Message.StartsWith(source)) { throw new RawConvException($"{source}: {e.Message}", e); }
        string name = g.Name.Length > 0 ? g.Name : Path.GetFileNameWithoutExtension(source);
        var spec = new NetSpec(name, item, layers);
        try { spec.Validate(); }
        catch (RawConvException e) { throw new RawConvException($"{source}: {e.Message}", e); }
        return new ImportedNet(spec, weights);

        void Chain()
        {
            for (int i = 0; i < g.Nodes.Count; i++)
            {
                var n = g.Nodes[i];
                var ctx = new NodeContext(source, n, inits);
                if (n.OpType == "Constant" && n.Inputs.Count == 0 && n.Outputs.Count == 1)
                {
                    inits[n.Outputs[0]] = n.GetTensor("value") ?? throw ctx.Error("only a Constant with a 'value' tensor is supported");
                    continue;
                }
                // Other inputs must be initializers; the per-op reads say so when one is not.
                if (n.Inputs.Count == 0 || n.Inputs[0] != cur || n.Inputs.Skip(1).Contains(cur))
                    throw ctx.Error($"the graph is not a sequential chain: the node reads [{string.Join(", ", n.Inputs)}], expected '{cur}' as its first and only data input");
                if (n.Outputs.Count == 0 || n.Outputs[0].Length == 0) throw ctx.Error("the node has no output");
                if (n.Domain is not ("" or "ai.onnx")) throw ctx.Error($"domain '{n.Domain}' is not supported");
                string output = n.Outputs[0];
                string Name(string outputName) => ImportedNet.Unique(nodeNames.Contains(n.Name) ? n.Name : outputName, used);
                Layer layer;
                switch (n.OpType)
                {
                    case "Conv":
                        (layer, var cw) = Conv(ctx, Name(output), shape);
                        weights[layer.Name] = cw;
                        break;
                    case "Relu":
                        layer = new ReluLayer(Name(output));
                        break;
                    case "LRN":
                        if (!n.Has("size")) throw ctx.Error("LRN needs the 'size' attribute");
                        layer = new LrnLayer(Name(output), ctx.Int("size", 0), n.GetFloat("alpha", 1e-4f), n.GetFloat("beta", 0.75f), n.GetFloat("bias", 1f));
                        break;
                    case "MaxPool" or "AveragePool":
                        layer = Pool(ctx, Name(output), opset);
                        break;
                    case "Flatten":
                        if (n.GetInt("axis", 1) != 1) throw ctx.Error($"Flatten axis {n.GetInt("axis", 1)} is not supported (only 1)");
                        layer = new FlattenLayer(Name(output));
                        break;
                    case "Reshape":
                        layer = ReshapeTo(ctx, Name(output), shape);
                        break;
                    case "Gemm":
                        (layer, var gw) = Gemm(ctx, Name(output), shape);
                        weights[layer.Name] = gw;
                        break;
                    case "MatMul":
                    {
                        // MatMul followed by Add of a bias initializer is one fully connected layer.
                        float[]? bias = null;
                        if (i + 1 < g.Nodes.Count && g.Nodes[i + 1] is { OpType: "Add" } add && add.Inputs.Contains(output))
                        {
                            var other = add.Inputs.FirstOrDefault(x => x != output) ?? "";
                            bias = new NodeContext(source, add, inits).Tensor(other, "bias", 1, 2).ToFloats();
                            output = add.Outputs.Count > 0 ? add.Outputs[0] : output;
                            i++;
                        }
                        var b = ctx.Tensor(n.Inputs.Count > 1 ? n.Inputs[1] : "", "B", 2);
                        int inF = (int)b.Dims[0], outF = (int)b.Dims[1];
                        CheckIn(ctx, shape, inF);
                        if (bias != null && bias.Length != outF) throw ctx.Error($"the bias after MatMul has {bias.Length} values, the weight has {outF} outputs");
                        layer = new FcLayer(Name(output), outF, bias != null);
                        weights[layer.Name] = (Transpose(b.ToFloats(), inF, outF), bias);
                        break;
                    }
                    case "Dropout":
                    {
                        float p = n.GetFloat("ratio", 0.5f);
                        if (n.Inputs.Count > 1 && n.Inputs[1].Length > 0) p = ctx.Tensor(n.Inputs[1], "ratio", 0, 1).ToFloats()[0];
                        if (!(p >= 0 && p < 1)) throw ctx.Error($"Dropout ratio {p} is not in [0, 1)");
                        layer = new DropoutLayer(Name(output), p);
                        break;
                    }
                    case "Softmax":
                    {
                        long axis = n.GetInt("axis", opset >= 13 ? -1 : 1);
                        if (axis < 0) axis += shape.Rank;
                        if (axis != 1 || (opset < 13 && shape.Rank != 2))
                            throw ctx.Error($"Softmax over axis {n.GetInt("axis", 1)} of {shape} is not supported (only over classes of (N, classes))");
                        layer = new SoftmaxLayer(Name(output));
                        break;
                    }
                    case "ConvTranspose":
                        (layer, var tw) = ConvTranspose(ctx, Name(output), shape);
                        weights[layer.Name] = tw;
                        break;
                    case "LeakyRelu":
                    {
                        float alpha = n.GetFloat("alpha", 0.01f);
                        if (!(alpha >= 0f && alpha < 1f)) throw ctx.Error($"LeakyRelu alpha {alpha} is not in [0, 1)");
                        layer = new LeakyReluLayer(Name(output), alpha);
                        break;
                    }
                    case "Tanh":
                        layer = new TanhLayer(Name(output));
                        break;
                    case "Slice":
                        layer = CentreCrop(ctx, Name(output), shape, opset);
                        break;
                    default:
                        throw ctx.Error($"op '{n.OpType}' is not supported by the importer (supported: Conv, ConvTranspose, Relu, LeakyRelu, Tanh, LRN, MaxPool, AveragePool, Flatten, Reshape, Slice (centre crop), Gemm, MatMul+Add, Dropout, Softmax)");
                }
                try { shape = layer.OutputShape(shape); }
                catch (RawConvException e) { throw ctx.Error($"does not fit its input {shape}: {e.Message}"); }
                layers.Add(layer);
                cur = output;
            }
        }
    }

    private static (Layer, (float[], float[]?)) Conv(NodeContext ctx, string name, Shape x)
    {
        var n = ctx.Node;
        var w = ctx.Tensor(n.Inputs.Count > 1 ? n.Inputs[1] : "", "W", 4);
        var dims = w.IntDims();
        float[]? bias = null;
        if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
        {
            bias = ctx.Tensor(n.Inputs[2], "B", 1).ToFloats();
            if (bias.Length != dims[0]) throw ctx.Error($"bias has {bias.Length} values, W {w} has {dims[0]} filters");
        }
        int group = ctx.Int("group", 1);
        if (x.Rank != 4 || group < 1 || (long)dims[1] * group != x.C)
            throw ctx.Error($"W {w} with group {group} does not fit input {x}");
        var k = ctx.Pair("kernel_shape", dims[2], dims[3]);
        if (k != (dims[2], dims[3])) throw ctx.Error($"kernel_shape [{k.Item1}, {k.Item2}] disagrees with W {w}");
        var s = ctx.Pair("strides", 1, 1);
        var dl = ctx.Pair("dilations", 1, 1);
        var p = ctx.Pads();
        return (new ConvLayer(name, dims[0], dims[2], dims[3], s.Item1, s.Item2, p.Item1, p.Item2, group, dl.Item1, dl.Item2, bias != null),
            (w.ToFloats(), bias));
    }

    private static Layer Pool(NodeContext ctx, string name, long opset)
    {
        var n = ctx.Node;
        if (!n.Has("kernel_shape")) throw ctx.Error($"{n.OpType} needs kernel_shape");
        var k = ctx.Pair("kernel_shape", 1, 1);
        var s = ctx.Pair("strides", 1, 1);
        var p = ctx.Pads();
        var dl = ctx.Pair("dilations", 1, 1);
        if (dl != (1, 1)) throw ctx.Error($"pooling dilations [{dl.Item1}, {dl.Item2}] are not supported");
        // ceil_mode arrived in opset 10; older files always round down.
        bool ceil = opset >= 10 && n.GetInt("ceil_mode", 0) != 0;
        if (n.OpType == "MaxPool")
        {
            if (n.Outputs.Count > 1 && n.Outputs[1].Length > 0) throw ctx.Error("MaxPool's Indices output is not supported in a sequential net");
            return new MaxPoolLayer(name, k.Item1, k.Item2, s.Item1, s.Item2, p.Item1, p.Item2, ceil);
        }
        return new AvgPoolLayer(name, k.Item1, k.Item2, s.Item1, s.Item2, p.Item1, p.Item2, ceil, n.GetInt("count_include_pad", 0) != 0);
    }

    private static (Layer, (float[], float[]?)) Gemm(NodeContext ctx, string name, Shape x)
    {
        var n = ctx.Node;
        if (n.GetInt("transA", 0) != 0) throw ctx.Error("Gemm with transA=1 is not supported (the activations must be A)");
        var b = ctx.Tensor(n.Inputs.Count > 1 ? n.Inputs[1] : "", "B", 2);
        bool transB = n.GetInt("transB", 0) != 0;
        int outF = (int)(transB ? b.Dims[0] : b.Dims[1]), inF = (int)(transB ? b.Dims[1] : b.Dims[0]);
        CheckIn(ctx, x, inF);
        float alpha = n.GetFloat("alpha", 1f), beta = n.GetFloat("beta", 1f);
        var w = transB ? b.ToFloats() : Transpose(b.ToFloats(), inF, outF);
        if (alpha != 1f) for (int i = 0; i < w.Length; i++) w[i] *= alpha;
        float[]? bias = null;
        if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
        {
            var c = ctx.Tensor(n.Inputs[2], "C", 1, 2);
            if (c.Count != outF || (c.Dims.Length == 2 && c.Dims[0] != 1))
                throw ctx.Error($"C {c} is not a bias of {outF} values (broadcast over rows)");
            bias = c.ToFloats();
            if (beta != 1f) for (int i = 0; i < bias.Length; i++) bias[i] *= beta;
        }
        return (new FcLayer(name, outF, bias != null), (w, bias));
    }

    private static void CheckIn(NodeContext ctx, Shape x, int inF)
    {
        long have = x.Count / x[0];
        if (have != inF) throw ctx.Error($"the weight takes {inF} inputs, the layer gets {x} ({have} per sample)");
    }

    private static void CheckFlatten(NodeContext ctx, Shape x, long[] target)
    {
        long per = x.Count / x[0];
        bool ok = target.Length == 2 && (target[0] is 0 or -1 || target[0] == x[0])
            && (target[1] == -1 || target[1] == per) && !(target[0] == -1 && target[1] == -1);
        if (!ok) throw ctx.Error($"Reshape of {x} to [{string.Join(", ", target)}] is not a flatten to (N, {per})");
    }

    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[(long)c * rows + r] = a[(long)r * cols + c];
        return t;
    }

    /// <summary>One node with the file and initializers, for attribute reads and messages.</summary>
    private sealed record NodeContext(string Source, OnnxNode Node, Dictionary<string, OnnxTensor> Inits)
    {
        public RawConvException Error(string what) =>
            new($"{Source}: node '{(Node.Name.Length > 0 ? Node.Name : Node.Outputs.FirstOrDefault() ?? "?")}' ({Node.OpType}): {what}");

        public int Int(string name, int fallback)
        {
            long v = Node.GetInt(name, fallback);
            if (v < 0 || v > 1 << 20) throw Error($"attribute {name}={v} is out of range");
            return (int)v;
        }

        /// <summary>A two-element INTS attribute (H, W), range-checked.</summary>
        public (int, int) Pair(string name, int h, int w)
        {
            var v = Node.GetInts(name);
            if (v is null) return (h, w);
            if (v.Length != 2) throw Error($"attribute {name} has {v.Length} values, expected 2 (2-D only)");
            if (v.Any(x => x < 1 || x > 1 << 16)) throw Error($"attribute {name} [{string.Join(", ", v)}] is out of range");
            return ((int)v[0], (int)v[1]);
        }

        /// <summary>Symmetric pads (top = bottom, left = right) from [top, left, bottom, right]; auto_pad must be NOTSET or VALID.</summary>
        public (int, int) Pads()
        {
            var auto = Node.GetString("auto_pad", "NOTSET");
            if (auto is not ("NOTSET" or "VALID" or "")) throw Error($"auto_pad={auto} is not supported (give explicit pads)");
            var v = Node.GetInts("pads");
            if (v is null || auto == "VALID") return (0, 0);
            if (v.Length != 4) throw Error($"pads has {v.Length} values, expected 4");
            if (v.Any(x => x < 0 || x > 1 << 16)) throw Error($"pads [{string.Join(", ", v)}] are out of range");
            if (v[0] != v[2] || v[1] != v[3]) throw Error($"asymmetric pads [{string.Join(", ", v)}] are not supported");
            return ((int)v[0], (int)v[1]);
        }

        /// <summary>The initializer called <paramref name="name"/> (input <paramref name="role"/>), of one of the given ranks, real-valued.</summary>
        public OnnxTensor Tensor(string name, string role, params int[] ranks)
        {
            if (name.Length == 0) throw Error($"input {role} is missing");
            if (!Inits.TryGetValue(name, out var t)) throw Error($"input {role} ('{name}') is not an initializer; only constant weights are supported");
            if (!ranks.Contains(t.Dims.Length)) throw Error($"input {role} {t} has rank {t.Dims.Length}, expected {string.Join(" or ", ranks)}");
            if (t.Dims.Any(x => x < 1 || x > int.MaxValue)) throw Error($"input {role} {t} has an empty or huge dimension");
            if (role is not ("shape" or "starts" or "ends" or "axes" or "steps") && !t.IsReal) throw Error($"input {role} {t} is not a real-valued tensor");
            return t;
        }
    }
}
