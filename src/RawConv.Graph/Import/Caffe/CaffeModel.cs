using System.Buffers.Binary;
using RawConv.Graph.Onnx;

namespace RawConv.Graph.Import.Caffe;

/// <summary>One BlobProto: its dims (BlobShape, or the legacy num/channels/height/width) and values.</summary>
public sealed record CaffeBlob(long[] Dims, float[] Data, bool Legacy)
{
    public override string ToString() => $"[{string.Join("×", Dims)}]";
}

/// <summary>One layer of a .caffemodel: name, type (V2 string, or the V1 enum's name) and blobs.</summary>
public sealed record CaffeLayerBlobs(string Name, string Type, IReadOnlyList<CaffeBlob> Blobs);

/// <summary>
/// A binary .caffemodel (NetParameter) read with <see cref="ProtoReader"/>: the net name and each layer's
/// blobs, from V2 <c>layer</c> (field 100) or V1 <c>layers</c> (field 2) entries. Layer parameters in the
/// binary are skipped: the architecture comes from the prototxt.
/// </summary>
public sealed class CaffeModel
{
    /// <summary>V1LayerParameter.LayerType values and the V2 type names they became.</summary>
    public static readonly IReadOnlyDictionary<int, string> V1Types = new Dictionary<int, string>
    {
        [0] = "None", [1] = "Accuracy", [2] = "BNLL", [3] = "Concat", [4] = "Convolution", [5] = "Data", [6] = "Dropout",
        [7] = "EuclideanLoss", [8] = "Flatten", [9] = "HDF5Data", [10] = "HDF5Output", [11] = "Im2col", [12] = "ImageData",
        [13] = "InfogainLoss", [14] = "InnerProduct", [15] = "LRN", [16] = "MultinomialLogisticLoss", [17] = "Pooling",
        [18] = "ReLU", [19] = "Sigmoid", [20] = "Softmax", [21] = "SoftmaxWithLoss", [22] = "Split", [23] = "TanH",
        [24] = "WindowData", [25] = "Eltwise", [26] = "Power", [27] = "SigmoidCrossEntropyLoss", [28] = "HingeLoss",
        [29] = "MemoryData", [30] = "ArgMax", [31] = "Threshold", [32] = "DummyData", [33] = "Slice", [34] = "MVN",
        [35] = "AbsVal", [36] = "Silence", [37] = "ContrastiveLoss", [38] = "Exp", [39] = "Deconvolution",
    };

    /// <summary>The net's name (may be empty).</summary>
    public string Name { get; private set; } = "";
    /// <summary>Layers in file order.</summary>
    public IReadOnlyList<CaffeLayerBlobs> Layers { get; private set; } = [];
    /// <summary>True when the file used the V1 <c>layers</c> field.</summary>
    public bool IsV1 { get; private set; }

    /// <summary>Reads a .caffemodel file.</summary>
    public static CaffeModel Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a serialized NetParameter; <paramref name="source"/> names it in errors.</summary>
    public static CaffeModel Parse(byte[] data, string source)
    {
        var r = new ProtoReader(data, source, "NetParameter");
        var m = new CaffeModel();
        var layers = new List<CaffeLayerBlobs>();
        bool v1 = false, v2 = false;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "name"); m.Name = r.ReadString(); break;
                case 2:
                    r.Expect(wire, WireType.LengthDelimited, "layers");
                    layers.Add(ReadLayer(r.ReadMessage($"layers[{layers.Count}]"), true));
                    v1 = true;
                    break;
                case 100:
                    r.Expect(wire, WireType.LengthDelimited, "layer");
                    layers.Add(ReadLayer(r.ReadMessage($"layer[{layers.Count}]"), false));
                    v2 = true;
                    break;
                default: r.Skip(wire); break;
            }
        }
        if (v1 && v2) throw r.Error("layers", "the file mixes V1 'layers' and V2 'layer' entries");
        if (layers.Count == 0) throw r.Error("layer", "the file holds no layers");
        m.Layers = layers;
        m.IsV1 = v1;
        return m;
    }

    private static CaffeLayerBlobs ReadLayer(ProtoReader r, bool v1)
    {
        string name = "", type = "";
        var blobs = new List<CaffeBlob>();
        int nameField = v1 ? 4 : 1, typeField = v1 ? 5 : 2, blobField = v1 ? 6 : 7;
        while (r.Next(out int field, out var wire))
        {
            if (field == nameField) { r.Expect(wire, WireType.LengthDelimited, "name"); name = r.ReadString(); }
            else if (field == typeField && v1)
            {
                r.Expect(wire, WireType.Varint, "type");
                int t = r.ReadInt32();
                type = V1Types.TryGetValue(t, out var s) ? s : $"V1 type {t}";
            }
            else if (field == typeField) { r.Expect(wire, WireType.LengthDelimited, "type"); type = r.ReadString(); }
            else if (field == blobField)
            {
                r.Expect(wire, WireType.LengthDelimited, "blobs");
                blobs.Add(ReadBlob(r.ReadMessage($"blobs[{blobs.Count}]")));
            }
            else r.Skip(wire);
        }
        return new CaffeLayerBlobs(name, type, blobs);
    }

    private static CaffeBlob ReadBlob(ProtoReader r)
    {
        var legacy = new long[] { 1, 1, 1, 1 };
        bool hasLegacy = false;
        List<long>? shape = null;
        var data = new List<float>();
        float[]? packed = null;
        var doubles = new List<double>();
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case >= 1 and <= 4:
                    r.Expect(wire, WireType.Varint, "num/channels/height/width");
                    legacy[field - 1] = r.ReadInt32();
                    hasLegacy = true;
                    break;
                case 5 when wire == WireType.LengthDelimited && packed is null && data.Count == 0:
                {
                    // The usual form: one packed run of little-endian floats, decoded in one pass.
                    var bytes = r.ReadBytes();
                    if (bytes.Length % 4 != 0) throw r.Error($"packed floats of {bytes.Length} bytes, not a multiple of 4");
                    packed = new float[bytes.Length / 4];
                    for (int i = 0; i < packed.Length; i++) packed[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    break;
                }
                case 5:
                    if (packed != null) { data.AddRange(packed); packed = null; }
                    r.ReadFloats(wire, data);
                    break;
                case 7:
                    r.Expect(wire, WireType.LengthDelimited, "shape");
                    shape = new List<long>();
                    var s = r.ReadMessage("shape");
                    while (s.Next(out int sf, out var sw))
                    {
                        if (sf == 1) s.ReadInt64s(sw, shape);
                        else s.Skip(sw);
                    }
                    break;
                case 8: r.ReadDoubles(wire, doubles); break;
                default: r.Skip(wire); break;
            }
        }
        var floats = packed ?? data.ToArray();
        if (floats.Length > 0 && doubles.Count > 0) throw r.Error("data", "the blob holds both float data and double_data");
        var dims = shape?.ToArray() ?? legacy;
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw r.Error(shape != null ? "shape" : "num", $"dimension {d} is out of range in [{string.Join("×", dims)}]");
            count = d == 0 ? 0 : count > int.MaxValue / d ? long.MaxValue : count * d;
        }
        long present = doubles.Count > 0 ? doubles.Count : floats.Length;
        if (present != count)
            throw r.Error("data", $"blob [{string.Join("×", dims)}] needs {(count == long.MaxValue ? "more than 2^31" : count.ToString())} values, the file holds {present}");
        var values = doubles.Count > 0 ? doubles.Select(v => (float)v).ToArray() : floats;
        return new CaffeBlob(dims, values, shape is null && hasLegacy);
    }
}
