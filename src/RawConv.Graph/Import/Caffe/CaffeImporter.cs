namespace RawConv.Graph.Import.Caffe;

/// <summary>
/// Builds a <see cref="NetSpec"/> from a Caffe deploy.prototxt (V2 <c>layer</c> or V1 <c>layers</c>) and
/// takes the weights from a .caffemodel by layer name, checking shapes. Supports the layers of the
/// AlexNet family: Convolution, ReLU (in place or not), LRN (across channels), Pooling (MAX/AVE, Caffe's
/// ceil rounding), InnerProduct (a flatten is inserted before the first one), Dropout, Softmax, Flatten;
/// the input from <c>input</c> + <c>input_dim</c> ×4, <c>input_shape</c>, or an Input layer.
/// </summary>
public static class CaffeImporter
{
    private static readonly Dictionary<string, string> V1Names = new()
    {
        ["CONVOLUTION"] = "Convolution", ["RELU"] = "ReLU", ["LRN"] = "LRN", ["POOLING"] = "Pooling",
        ["INNER_PRODUCT"] = "InnerProduct", ["DROPOUT"] = "Dropout", ["SOFTMAX"] = "Softmax", ["FLATTEN"] = "Flatten",
        ["DATA"] = "Data", ["SOFTMAX_LOSS"] = "SoftmaxWithLoss", ["ACCURACY"] = "Accuracy", ["SPLIT"] = "Split",
        ["CONCAT"] = "Concat", ["ELTWISE"] = "Eltwise", ["SIGMOID"] = "Sigmoid", ["TANH"] = "TanH",
    };

    /// <summary>Reads the architecture from <paramref name="prototxt"/> and the weights from <paramref name="caffemodel"/>.</summary>
    public static ImportedNet Load(string prototxt, string caffemodel)
    {
        var spec = LoadSpec(prototxt);
        return new ImportedNet(spec, Weights(spec, CaffeModel.Load(caffemodel), caffemodel));
    }

    /// <summary>The architecture alone, from a deploy.prototxt.</summary>
    public static NetSpec LoadSpec(string prototxt) => Spec(Prototxt.Load(prototxt), prototxt);

    /// <summary>The architecture of a parsed prototxt; <paramref name="source"/> names it in messages.</summary>
    public static NetSpec Spec(PtxMessage net, string source)
    {
        var v2 = net.Messages("layer");
        var v1 = net.Messages("layers");
        if (v1.Count > 0 && v2.Count > 0) throw new RawConvException($"{source}: mixes V1 'layers' and V2 'layer' entries");
        var defs = v2.Count > 0 ? v2 : v1;
        if (defs.Count == 0) throw new RawConvException($"{source}: no layers");

        string? cur = null;
        Shape? shape = null, first = null;
        if (net.Scalars("input").Count > 0)
        {
            if (net.Scalars("input").Count != 1) throw new RawConvException($"{source}: {net.Scalars("input").Count} inputs; only one is supported");
            cur = net.String("input");
            var dims = net.Ints("input_dim");
            if (dims.Length == 0 && net.Messages("input_shape") is { Count: 1 } ish) dims = ish[0].Ints("dim");
            shape = first = InputShape(dims, source, net.Line);
        }

        var used = new HashSet<string>(defs.Select(d => d.String("name") ?? ""));
        var kept = new HashSet<string>();
        var layers = new List<Layer>();
        foreach (var d in defs)
        {
            string name = d.String("name") ?? "";
            var t = d.Scalar("type") ?? throw new RawConvException($"{source}:{d.Line}: layer '{name}' has no type");
            string type = t.Kind == PtxKind.Identifier && V1Names.TryGetValue(t.Text, out var mapped) ? mapped : t.Text;
            string Where() => $"{source}:{d.Line}: layer '{name}' ({type})";
            if (d.Messages("include").Any(i => i.String("phase") == "TRAIN")) continue;
            var bottoms = d.Scalars("bottom").Select(s => s.Text).ToList();
            var tops = d.Scalars("top").Select(s => s.Text).ToList();
            if (type == "Input")
            {
                if (cur != null) throw new RawConvException($"{Where()}: a second input; only one is supported");
                if (tops.Count != 1) throw new RawConvException($"{Where()}: expected one top, found {tops.Count}");
                var sh = d.Message("input_param")?.Messages("shape");
                if (sh is not { Count: 1 }) throw new RawConvException($"{Where()}: expected one input_param {{ shape {{ dim ... }} }}");
                shape = first = InputShape(sh[0].Ints("dim"), source, d.Line);
                cur = tops[0];
                continue;
            }
            if (cur is null || shape is null) throw new RawConvException($"{Where()}: comes before any input is declared");
            if (bottoms.Count != 1 || bottoms[0] != cur || tops.Count != 1)
                throw new RawConvException($"{Where()}: the net is not a sequential chain: bottoms [{string.Join(", ", bottoms)}], tops [{string.Join(", ", tops)}]; expected bottom '{cur}' and one top");
            if (name.Length == 0 || !kept.Add(name)) name = ImportedNet.Unique(type.ToLowerInvariant(), used);
            var layer = MakeLayer(d, type, name, shape, Where);
            if (layer is FcLayer && shape.Rank == 4)
            {
                var flatten = new FlattenLayer(ImportedNet.Unique("flatten", used));
                layers.Add(flatten);
                shape = flatten.OutputShape(shape);
            }
            try { shape = layer.OutputShape(shape); }
            catch (RawConvException e) { throw new RawConvException($"{Where()}: does not fit its input {shape}: {e.Message}", e); }
            layers.Add(layer);
            cur = tops[0];
        }
        if (first is null) throw new RawConvException($"{source}: no input is declared");
        string netName = net.String("name") is { Length: > 0 } n ? n : Path.GetFileNameWithoutExtension(source);
        var spec = new NetSpec(netName, first.C, first.H, first.W, layers);
        try { return spec.Validate(); }
        catch (RawConvException e) { throw new RawConvException($"{source}: {e.Message}", e); }
    }

    private static Shape InputShape(long[] dims, string source, int line)
    {
        if (dims.Length != 4 || dims.Any(x => x < 1 || x > 1 << 20))
            throw new RawConvException($"{source}:{line}: input dims [{string.Join(", ", dims)}] are not (N, C, H, W) with positive sizes");
        return new Shape(1, (int)dims[1], (int)dims[2], (int)dims[3]);
    }

    private static Layer MakeLayer(PtxMessage d, string type, string name, Shape x, Func<string> where)
    {
        RawConvException Bad(string what) => new($"{where()}: {what}");
        switch (type)
        {
            case "Convolution":
            {
                var p = d.Message("convolution_param") ?? throw Bad("no convolution_param");
                int outC = Positive(p, "num_output", 0, Bad);
                var (kh, kw) = HW(p, "kernel_size", "kernel_h", "kernel_w", null, Bad);
                var (sh, sw) = HW(p, "stride", "stride_h", "stride_w", 1, Bad);
                var (ph, pw) = HW(p, "pad", "pad_h", "pad_w", 0, Bad);
                var (dh, dw) = HW(p, "dilation", "dilation_h", "dilation_w", 1, Bad);
                int group = Positive(p, "group", 1, Bad);
                if (p.Int("axis", 1) != 1) throw Bad("convolution axis other than 1 is not supported");
                return new ConvLayer(name, outC, kh, kw, sh, sw, ph, pw, group, dh, dw, p.Bool("bias_term", true));
            }
            case "ReLU":
                if (d.Message("relu_param")?.Float("negative_slope", 0f) is { } slope && slope != 0f)
                    throw Bad($"leaky ReLU (negative_slope {slope}) is not supported");
                return new ReluLayer(name);
            case "LRN":
            {
                var p = d.Message("lrn_param");
                var region = p?.String("norm_region") ?? "ACROSS_CHANNELS";
                if (region is not ("ACROSS_CHANNELS" or "0")) throw Bad($"norm_region {region} is not supported (only ACROSS_CHANNELS)");
                int size = p is null ? 5 : Positive(p, "local_size", 5, Bad);
                return new LrnLayer(name, size, p?.Float("alpha", 1f) ?? 1f, p?.Float("beta", 0.75f) ?? 0.75f, p?.Float("k", 1f) ?? 1f);
            }
            case "Pooling":
            {
                var p = d.Message("pooling_param") ?? throw Bad("no pooling_param");
                var pool = p.String("pool") ?? "MAX";
                if (p.Bool("global_pooling", false)) throw Bad("global_pooling is not supported");
                var (kh, kw) = HW(p, "kernel_size", "kernel_h", "kernel_w", null, Bad);
                var (sh, sw) = HW(p, "stride", "stride_h", "stride_w", 1, Bad);
                var (ph, pw) = HW(p, "pad", "pad_h", "pad_w", 0, Bad);
                // Caffe rounds the pooled size up (and drops a last window that starts inside the padding).
                return pool switch
                {
                    "MAX" or "0" => new MaxPoolLayer(name, kh, kw, sh, sw, ph, pw, CeilMode: true),
                    "AVE" or "1" => new AvgPoolLayer(name, kh, kw, sh, sw, ph, pw, CeilMode: true, CountIncludePad: true),
                    _ => throw Bad($"pool {pool} is not supported (MAX or AVE)"),
                };
            }
            case "InnerProduct":
            {
                var p = d.Message("inner_product_param") ?? throw Bad("no inner_product_param");
                if (p.Int("axis", 1) != 1) throw Bad("inner product axis other than 1 is not supported");
                return new FcLayer(name, Positive(p, "num_output", 0, Bad), p.Bool("bias_term", true));
            }
            case "Dropout":
            {
                float r = d.Message("dropout_param")?.Float("dropout_ratio", 0.5f) ?? 0.5f;
                if (!(r >= 0 && r < 1)) throw Bad($"dropout_ratio {r} is not in [0, 1)");
                return new DropoutLayer(name, r);
            }
            case "Softmax":
                if (d.Message("softmax_param")?.Int("axis", 1) is { } axis && axis != 1) throw Bad($"softmax axis {axis} is not supported");
                if (x.Rank != 2) throw Bad($"softmax over {x} is not supported (only (N, classes))");
                return new SoftmaxLayer(name);
            case "Flatten":
                return new FlattenLayer(name);
            default:
                throw Bad($"layer type '{type}' is not supported by the importer (supported: Convolution, ReLU, LRN, Pooling, InnerProduct, Dropout, Softmax, Flatten, Input)");
        }
    }

    private static int Positive(PtxMessage p, string field, int fallback, Func<string, RawConvException> bad)
    {
        if (!p.Has(field) && fallback == 0) throw bad($"{field} is missing");
        long v = p.Int(field, fallback);
        if (v < 1 || v > 1 << 20) throw bad($"{field} {v} is out of range");
        return (int)v;
    }

    /// <summary>A (H, W) pair from a repeated field (one value for both, or two) or its _h/_w forms; null fallback = required.</summary>
    private static (int, int) HW(PtxMessage p, string both, string hName, string wName, int? fallback, Func<string, RawConvException> bad)
    {
        long[] v = p.Ints(both);
        long h, w;
        if (p.Has(hName) || p.Has(wName))
        {
            if (v.Length > 0) throw bad($"both {both} and {hName}/{wName} are given");
            if (!p.Has(hName) || !p.Has(wName)) throw bad($"{hName} and {wName} must be given together");
            (h, w) = (p.Int(hName, 0), p.Int(wName, 0));
        }
        else if (v.Length == 1) (h, w) = (v[0], v[0]);
        else if (v.Length == 2) (h, w) = (v[0], v[1]);
        else if (v.Length == 0 && fallback is { } f) (h, w) = (f, f);
        else throw bad(v.Length == 0 ? $"{both} is missing" : $"{both} has {v.Length} values (2-D only)");
        int min = fallback == 0 ? 0 : 1;
        if (h < min || w < min || h > 1 << 16 || w > 1 << 16) throw bad($"{both} ({h}, {w}) is out of range");
        return ((int)h, (int)w);
    }

    /// <summary>Weights for every parameterised layer of <paramref name="spec"/> from <paramref name="model"/>, by layer name, shapes checked.</summary>
    public static Dictionary<string, (float[] Weight, float[]? Bias)> Weights(NetSpec spec, CaffeModel model, string source)
    {
        var byName = new Dictionary<string, CaffeLayerBlobs>();
        foreach (var l in model.Layers) byName.TryAdd(l.Name, l);
        var shapes = spec.Shapes();
        var result = new Dictionary<string, (float[], float[]?)>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            if (layer.WeightShape(shapes[i]) is not { } ws) continue;
            if (!byName.TryGetValue(layer.Name, out var cl))
                throw new RawConvException($"{source}: no layer '{layer.Name}' in the caffemodel; it has {string.Join(", ", model.Layers.Select(l => l.Name))}");
            int want = layer.BiasLength > 0 ? 2 : 1;
            if (cl.Blobs.Count != want)
                throw new RawConvException($"{source}: layer '{layer.Name}' has {cl.Blobs.Count} blobs, the prototxt implies {want} (weight{(want == 2 ? " and bias" : "")})");
            var w = Fit(cl.Blobs[0], ws.Dims, layer.Name, "weight", source);
            float[]? b = want == 2 ? Fit(cl.Blobs[1], [layer.BiasLength], layer.Name, "bias", source) : null;
            result[layer.Name] = (w, b);
        }
        return result;
    }

    /// <summary>The blob's data when its dims equal <paramref name="want"/> after dropping leading 1s (legacy blobs are right-aligned 4-D).</summary>
    private static float[] Fit(CaffeBlob blob, int[] want, string layer, string what, string source)
    {
        var dims = blob.Dims.ToList();
        while (dims.Count > want.Length && dims[0] == 1) dims.RemoveAt(0);
        if (!dims.SequenceEqual(want.Select(x => (long)x)))
            throw new RawConvException($"{source}: layer '{layer}' {what} blob has shape {blob}, the prototxt implies [{string.Join("×", want)}]");
        return blob.Data;
    }
}
