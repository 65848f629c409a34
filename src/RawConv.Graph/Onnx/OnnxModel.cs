namespace RawConv.Graph.Onnx;

/// <summary>One opset_import entry: the domain ("" = ai.onnx) and its version.</summary>
public sealed record OnnxOpset(string Domain, long Version);

/// <summary>A graph input or output: its name, element type and dims (null where symbolic or unknown).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, long?[]? Dims)
{
    public override string ToString() =>
        $"{Name}: {ElementType}[{(Dims is null ? "?" : string.Join(", ", Dims.Select(d => d?.ToString() ?? "?")))}]";
}

/// <summary>ONNX AttributeProto.AttributeType values.</summary>
public enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
    Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

/// <summary>A node attribute. Subgraph attributes (If, Loop bodies) are recorded by type but not parsed.</summary>
public sealed class OnnxAttribute
{
    /// <summary>The attribute name.</summary>
    public string Name { get; internal set; } = "";
    /// <summary>The declared type (or inferred from the fields present when the file leaves it out).</summary>
    public OnnxAttributeType Type { get; internal set; }
    /// <summary>Value of an INT attribute.</summary>
    public long Int { get; internal set; }
    /// <summary>Value of a FLOAT attribute.</summary>
    public float Float { get; internal set; }
    /// <summary>Value of a STRING attribute (UTF-8 decoded).</summary>
    public string String { get; internal set; } = "";
    /// <summary>Value of a TENSOR attribute.</summary>
    public OnnxTensor? Tensor { get; internal set; }
    /// <summary>Values of an INTS attribute.</summary>
    public IReadOnlyList<long> Ints { get; internal set; } = [];
    /// <summary>Values of a FLOATS attribute.</summary>
    public IReadOnlyList<float> Floats { get; internal set; } = [];
    /// <summary>Values of a STRINGS attribute.</summary>
    public IReadOnlyList<string> Strings { get; internal set; } = [];

    public override string ToString() => Type switch
    {
        OnnxAttributeType.Int => $"{Name}={Int}",
        OnnxAttributeType.Float => $"{Name}={Float:R}",
        OnnxAttributeType.String => $"{Name}=\"{String}\"",
        OnnxAttributeType.Ints => $"{Name}=[{string.Join(", ", Ints)}]",
        OnnxAttributeType.Floats => $"{Name}=[{string.Join(", ", Floats.Select(f => f.ToString("R")))}]",
        OnnxAttributeType.Strings => $"{Name}=[{string.Join(", ", Strings)}]",
        OnnxAttributeType.Tensor => $"{Name}={Tensor}",
        _ => $"{Name}=<{Type}>",
    };
}

/// <summary>One node: op type, inputs and outputs by name ("" = optional input left out), attributes.</summary>
public sealed class OnnxNode
{
    /// <summary>The operator, e.g. "Conv".</summary>
    public string OpType { get; internal set; } = "";
    /// <summary>The node's name (may be empty).</summary>
    public string Name { get; internal set; } = "";
    /// <summary>The operator domain ("" = ai.onnx).</summary>
    public string Domain { get; internal set; } = "";
    /// <summary>Input value names, in order.</summary>
    public IReadOnlyList<string> Inputs { get; internal set; } = [];
    /// <summary>Output value names, in order.</summary>
    public IReadOnlyList<string> Outputs { get; internal set; } = [];
    /// <summary>Attributes by name.</summary>
    public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; internal set; } = new Dictionary<string, OnnxAttribute>();

    /// <summary>True when the attribute is present.</summary>
    public bool Has(string name) => Attributes.ContainsKey(name);

    /// <summary>An INT attribute, or <paramref name="fallback"/> when absent.</summary>
    public long GetInt(string name, long fallback) => Get(name, OnnxAttributeType.Int)?.Int ?? fallback;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/> when absent.</summary>
    public float GetFloat(string name, float fallback) => Get(name, OnnxAttributeType.Float)?.Float ?? fallback;

    /// <summary>A STRING attribute, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) => Get(name, OnnxAttributeType.String)?.String ?? fallback;

    /// <summary>An INTS attribute, or null when absent.</summary>
    public long[]? GetInts(string name) => Get(name, OnnxAttributeType.Ints)?.Ints.ToArray();

    /// <summary>A FLOATS attribute, or null when absent.</summary>
    public float[]? GetFloats(string name) => Get(name, OnnxAttributeType.Floats)?.Floats.ToArray();

    /// <summary>A TENSOR attribute, or null when absent.</summary>
    public OnnxTensor? GetTensor(string name) => Get(name, OnnxAttributeType.Tensor)?.Tensor;

    private OnnxAttribute? Get(string name, OnnxAttributeType type)
    {
        if (!Attributes.TryGetValue(name, out var a)) return null;
        if (a.Type != type) throw new ProtoFormatException($"node '{Name}' ({OpType}): attribute '{name}' is {a.Type}, expected {type}");
        return a;
    }

    public override string ToString() =>
        $"{OpType}({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)}) {{{string.Join(", ", Attributes.Values)}}}";
}

/// <summary>A GraphProto: nodes in topological order, initializers, inputs, outputs.</summary>
public sealed class OnnxGraph
{
    /// <summary>The graph's name.</summary>
    public string Name { get; internal set; } = "";
    /// <summary>The nodes, in the file's (topological) order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; internal set; } = [];
    /// <summary>Constant tensors (weights).</summary>
    public IReadOnlyList<OnnxTensor> Initializers { get; internal set; } = [];
    /// <summary>Graph inputs; in older files these include the initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; internal set; } = [];
    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; internal set; } = [];

    /// <summary>The inputs a caller must feed: those not backed by an initializer.</summary>
    public IEnumerable<OnnxValueInfo> FedInputs()
    {
        var init = Initializers.Select(t => t.Name).ToHashSet();
        return Inputs.Where(i => !init.Contains(i.Name));
    }
}

/// <summary>An ONNX ModelProto read with <see cref="ProtoReader"/>: IR version, opsets, producer and graph.</summary>
public sealed class OnnxModel
{
    /// <summary>The IR version.</summary>
    public long IrVersion { get; private set; }
    /// <summary>The producer name, e.g. "pytorch" or "backend-test".</summary>
    public string ProducerName { get; private set; } = "";
    /// <summary>opset_import entries.</summary>
    public IReadOnlyList<OnnxOpset> Opsets { get; private set; } = [];
    /// <summary>The main graph.</summary>
    public OnnxGraph Graph { get; private set; } = new();

    /// <summary>The opset version imported for <paramref name="domain"/> ("" or "ai.onnx" = the default domain); 1 when not imported.</summary>
    public long OpsetVersion(string domain = "")
    {
        foreach (var o in Opsets)
            if (o.Domain == domain || (domain is "" or "ai.onnx") && (o.Domain is "" or "ai.onnx")) return o.Version;
        return 1;
    }

    /// <summary>Reads a model file.</summary>
    public static OnnxModel Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a serialized ModelProto; <paramref name="source"/> names it in error messages.</summary>
    public static OnnxModel Parse(byte[] data, string source)
    {
        var r = new ProtoReader(data, source, "ModelProto");
        var m = new OnnxModel();
        var opsets = new List<OnnxOpset>();
        bool hasGraph = false;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.Varint, "ir_version"); m.IrVersion = r.ReadInt64(); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "producer_name"); m.ProducerName = r.ReadString(); break;
                case 7: r.Expect(wire, WireType.LengthDelimited, "graph"); m.Graph = ReadGraph(r.ReadMessage("graph")); hasGraph = true; break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "opset_import"); opsets.Add(ReadOpset(r.ReadMessage($"opset_import[{opsets.Count}]"))); break;
                default: r.Skip(wire); break;
            }
        }
        if (!hasGraph) throw r.Error("graph", "the model has no graph");
        m.Opsets = opsets;
        return m;
    }

    private static OnnxOpset ReadOpset(ProtoReader r)
    {
        string domain = "";
        long version = 0;
        while (r.Next(out int field, out var wire))
        {
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "domain"); domain = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.Varint, "version"); version = r.ReadInt64(); }
            else r.Skip(wire);
        }
        return new OnnxOpset(domain, version);
    }

    private static OnnxGraph ReadGraph(ProtoReader r)
    {
        var g = new OnnxGraph();
        var nodes = new List<OnnxNode>();
        var inits = new List<OnnxTensor>();
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "node"); nodes.Add(ReadNode(r.ReadMessage($"node[{nodes.Count}]"))); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "name"); g.Name = r.ReadString(); break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "initializer"); inits.Add(OnnxTensor.Read(r.ReadMessage($"initializer[{inits.Count}]"))); break;
                case 11: r.Expect(wire, WireType.LengthDelimited, "input"); inputs.Add(ReadValueInfo(r.ReadMessage($"input[{inputs.Count}]"))); break;
                case 12: r.Expect(wire, WireType.LengthDelimited, "output"); outputs.Add(ReadValueInfo(r.ReadMessage($"output[{outputs.Count}]"))); break;
                default: r.Skip(wire); break;
            }
        }
        g.Nodes = nodes;
        g.Initializers = inits;
        g.Inputs = inputs;
        g.Outputs = outputs;
        return g;
    }

    private static OnnxNode ReadNode(ProtoReader r)
    {
        var n = new OnnxNode();
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attrs = new Dictionary<string, OnnxAttribute>();
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "input"); inputs.Add(r.ReadString()); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "output"); outputs.Add(r.ReadString()); break;
                case 3: r.Expect(wire, WireType.LengthDelimited, "name"); n.Name = r.ReadString(); break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "op_type"); n.OpType = r.ReadString(); break;
                case 5:
                    r.Expect(wire, WireType.LengthDelimited, "attribute");
                    var a = ReadAttribute(r.ReadMessage($"attribute[{attrs.Count}]"));
                    if (!attrs.TryAdd(a.Name, a)) throw r.Error($"attribute '{a.Name}' appears twice");
                    break;
                case 7: r.Expect(wire, WireType.LengthDelimited, "domain"); n.Domain = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        n.Inputs = inputs;
        n.Outputs = outputs;
        n.Attributes = attrs;
        return n;
    }

    private static OnnxAttribute ReadAttribute(ProtoReader r)
    {
        var a = new OnnxAttribute();
        var ints = new List<long>();
        var floats = new List<float>();
        var strings = new List<string>();
        var seen = OnnxAttributeType.Undefined;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "name"); a.Name = r.ReadString(); break;
                case 2: r.Expect(wire, WireType.Fixed32, "f"); a.Float = r.ReadFloat(); seen = OnnxAttributeType.Float; break;
                case 3: r.Expect(wire, WireType.Varint, "i"); a.Int = r.ReadInt64(); seen = OnnxAttributeType.Int; break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "s"); a.String = System.Text.Encoding.UTF8.GetString(r.ReadBytes()); seen = OnnxAttributeType.String; break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "t"); a.Tensor = OnnxTensor.Read(r.ReadMessage("t")); seen = OnnxAttributeType.Tensor; break;
                case 6: r.Skip(wire); seen = OnnxAttributeType.Graph; break;
                case 7: r.ReadFloats(wire, floats); seen = OnnxAttributeType.Floats; break;
                case 8: r.ReadInt64s(wire, ints); seen = OnnxAttributeType.Ints; break;
                case 9: r.Expect(wire, WireType.LengthDelimited, "strings"); strings.Add(System.Text.Encoding.UTF8.GetString(r.ReadBytes())); seen = OnnxAttributeType.Strings; break;
                case 20: r.Expect(wire, WireType.Varint, "type"); a.Type = (OnnxAttributeType)r.ReadInt32(); break;
                default: r.Skip(wire); break;
            }
        }
        // IR version < 3 files may leave out the type; infer it from the field that was set.
        if (a.Type == OnnxAttributeType.Undefined) a.Type = seen;
        a.Ints = ints;
        a.Floats = floats;
        a.Strings = strings;
        return a;
    }

    private static OnnxValueInfo ReadValueInfo(ProtoReader r)
    {
        string name = "";
        var elem = OnnxDataType.Undefined;
        long?[]? dims = null;
        while (r.Next(out int field, out var wire))
        {
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "name"); name = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.LengthDelimited, "type"); (elem, dims) = ReadType(r.ReadMessage("type")); }
            else r.Skip(wire);
        }
        return new OnnxValueInfo(name, elem, dims);
    }

    private static (OnnxDataType, long?[]?) ReadType(ProtoReader r)
    {
        var elem = OnnxDataType.Undefined;
        long?[]? dims = null;
        while (r.Next(out int field, out var wire))
        {
            if (field != 1) { r.Skip(wire); continue; }
            r.Expect(wire, WireType.LengthDelimited, "tensor_type");
            var t = r.ReadMessage("tensor_type");
            while (t.Next(out int tf, out var tw))
            {
                if (tf == 1) { t.Expect(tw, WireType.Varint, "elem_type"); elem = (OnnxDataType)t.ReadInt32(); }
                else if (tf == 2) { t.Expect(tw, WireType.LengthDelimited, "shape"); dims = ReadShape(t.ReadMessage("shape")); }
                else t.Skip(tw);
            }
        }
        return (elem, dims);
    }

    private static long?[] ReadShape(ProtoReader r)
    {
        var dims = new List<long?>();
        while (r.Next(out int field, out var wire))
        {
            if (field != 1) { r.Skip(wire); continue; }
            r.Expect(wire, WireType.LengthDelimited, "dim");
            var d = r.ReadMessage($"dim[{dims.Count}]");
            long? value = null;
            while (d.Next(out int df, out var dw))
            {
                if (df == 1) { d.Expect(dw, WireType.Varint, "dim_value"); value = d.ReadInt64(); }
                else d.Skip(dw);
            }
            dims.Add(value);
        }
        return dims.ToArray();
    }
}
