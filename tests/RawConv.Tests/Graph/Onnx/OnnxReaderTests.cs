using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using RawConv.Graph.Onnx;
using RawConv.Tests.Conformance;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Onnx;

public class OnnxReaderTests
{
    private static readonly string ConvCase = Path.Combine(CaseRunner.Root, "node", "test_conv_with_strides_padding");

    [SkippableFact]
    public void ReadsConvModelNodeAttributesAndValueInfo()
    {
        Skip.IfNot(Directory.Exists(ConvCase), "libonnx-testdata is not installed");
        var m = OnnxModel.Load(Path.Combine(ConvCase, "model.onnx"));
        Assert.Equal(11, m.OpsetVersion());
        var node = Assert.Single(m.Graph.Nodes);
        Assert.Equal("Conv", node.OpType);
        Assert.Equal(["x", "W"], node.Inputs);
        Assert.Equal(["y"], node.Outputs);
        Assert.Equal([3L, 3], node.GetInts("kernel_shape")!);
        Assert.Equal([1L, 1, 1, 1], node.GetInts("pads")!);
        Assert.Equal([2L, 2], node.GetInts("strides")!);
        Assert.Equal(1, node.GetInt("group", 1));
        Assert.Equal(["x", "W"], m.Graph.Inputs.Select(i => i.Name));
        Assert.Equal([1L, 1, 7, 5], m.Graph.Inputs[0].Dims!.Select(d => d!.Value));
        Assert.Equal(OnnxDataType.Float, m.Graph.Inputs[0].ElementType);
        Assert.Equal([1L, 1, 4, 3], m.Graph.Outputs[0].Dims!.Select(d => d!.Value));
    }

    [SkippableFact]
    public void ReadsConvTestTensors()
    {
        Skip.IfNot(Directory.Exists(ConvCase), "libonnx-testdata is not installed");
        // The ONNX operator docs build this case from x = arange(35), W = ones(3, 3).
        var x = OnnxTensor.Load(Path.Combine(ConvCase, "test_data_set_0", "input_0.pb"));
        Assert.Equal([1L, 1, 7, 5], x.Dims);
        Assert.Equal(Enumerable.Range(0, 35).Select(i => (float)i), x.ToFloats());
        var w = OnnxTensor.Load(Path.Combine(ConvCase, "test_data_set_0", "input_1.pb"));
        Assert.All(w.ToFloats(), v => Assert.Equal(1f, v));
        var y = OnnxTensor.Load(Path.Combine(ConvCase, "test_data_set_0", "output_0.pb"));
        Assert.Equal([12f, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124], y.ToFloats());
    }

    [SkippableFact]
    public void ReadsEveryCaseModelAndTestDataFile()
    {
        Skip.IfNot(CaseRunner.Available, "libonnx-testdata is not installed");
        var read = CaseFiles().ToList();
        int models = read.Count(r => r.Key.StartsWith("model\t")), tensors = read.Count - models;
        Assert.True(models > 1000 && tensors > 2000, $"{models} models, {tensors} tensors");
    }

    [SkippableFact]
    public void EveryCaseFileReadsAsTheOnnxPackageReadsIt()
    {
        Skip.IfNot(CaseRunner.Available, "libonnx-testdata is not installed");
        var expected = Manifest();
        foreach (var (key, actual) in CaseFiles())
        {
            Assert.True(expected.Remove(key, out var want), $"{key}: not in the onnx package's manifest");
            Assert.True(want == actual, $"{key}: the onnx package reads {want}, RawConv {actual}");
        }
        Assert.True(expected.Count == 0, "the onnx package reads files this reader skipped: " + string.Join(", ", expected.Keys.Take(5)));
    }

    /// <summary>
    /// Every case's model and test_data_set_0 tensor as RawConv reads it, in tools/onnx_manifest.py's line format:
    /// key "model\tfolder/case" or "tensor\tpath", value the opset and counts, or data type, dims, count and hash.
    /// </summary>
    private static IEnumerable<(string Key, string Actual)> CaseFiles()
    {
        foreach (var folder in CaseRunner.Folders)
            foreach (var dir in Directory.GetDirectories(Path.Combine(CaseRunner.Root, folder)))
            {
                var id = folder + "/" + Path.GetFileName(dir);
                var m = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
                Assert.NotEmpty(m.Graph.Nodes);
                var fed = m.Graph.FedInputs().ToArray();
                var opset = m.Opsets.Any(o => o.Domain is "" or "ai.onnx") ? m.OpsetVersion().ToString() : "-";
                yield return ("model\t" + id, $"{opset}\t{m.Graph.Nodes.Count}\t{fed.Length}\t{m.Graph.Outputs.Count}");
                foreach (var pb in Directory.GetFiles(Path.Combine(dir, "test_data_set_0"), "*.pb"))
                {
                    // Sequence and optional values are not TensorProtos; their value infos carry no element type.
                    var file = Path.GetFileNameWithoutExtension(pb).Split('_');
                    int k = int.Parse(file[1]);
                    var info = file[0] == "input" ? fed[k] : m.Graph.Outputs[k];
                    if (info.ElementType == OnnxDataType.Undefined) continue;
                    var t = OnnxTensor.Load(pb);
                    yield return ($"tensor\t{id}/test_data_set_0/{Path.GetFileName(pb)}",
                        $"{(int)t.DataType}\t{string.Join(",", t.Dims)}\t{t.Count}\t{ValueHash(t)}");
                }
            }
    }

    private static readonly ScriptRefs Refs = new("onnx_manifest.py", "rawconv-onnx-manifest", "done.txt", "onnx, numpy",
        d => [CaseRunner.Root, d]);

    /// <summary>tools/onnx_manifest.py's lines keyed by kind and path: what the onnx package reads from each file.</summary>
    private static Dictionary<string, string> Manifest()
    {
        var map = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Refs.Dir, "manifest.tsv")).Where(l => l.Length > 0))
        {
            var f = line.Split('\t', 3);
            map.Add(f[0] + "\t" + f[1], f[2]);
        }
        return map;
    }

    /// <summary>SHA-256 over the values as little-endian float64, as tools/onnx_manifest.py hashes them; "-" for strings.</summary>
    private static string ValueHash(OnnxTensor t)
    {
        if (t.DataType == OnnxDataType.String) return "-";
        var bytes = new byte[checked(t.Count * 8)];
        var values = t.DataType is OnnxDataType.UInt64 ? t.ToInt64s().Select(v => (double)(ulong)v).ToArray() : t.ToDoubles();
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        return Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    [Fact]
    public void ReadsPackedAndUnpackedRepeatedFields()
    {
        // TensorProto: dims packed [2, 3], data_type FLOAT, float_data as one packed run plus two unpacked values.
        var b = new List<byte>();
        b.AddRange([0x0A, 0x02, 0x02, 0x03]);
        b.AddRange([0x10, 0x01]);
        b.AddRange([0x22, 0x10]);
        foreach (var v in new[] { 1f, -2f, 3.5f, 0f }) b.AddRange(BitConverter.GetBytes(v));
        b.Add(0x25); b.AddRange(BitConverter.GetBytes(5f));
        b.Add(0x25); b.AddRange(BitConverter.GetBytes(-6f));
        b.AddRange([0x42, 0x01, (byte)'t']);
        var t = OnnxTensor.Parse(b.ToArray(), "hand");
        Assert.Equal([2L, 3], t.Dims);
        Assert.Equal("t", t.Name);
        Assert.Equal([1f, -2f, 3.5f, 0f, 5f, -6f], t.ToFloats());

        // INT64 tensor: unpacked dims, unpacked negative int64 (ten-byte varint) and a packed run.
        var c = new List<byte> { 0x08, 0x03, 0x10, 0x07, 0x38 };
        c.AddRange([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        c.AddRange([0x3A, 0x03, 0x00, 0xAC, 0x02]);
        var i = OnnxTensor.Parse(c.ToArray(), "hand64");
        Assert.Equal([-1L, 0, 300], i.ToInt64s());
    }

    [Fact]
    public void ReadsRawDataLittleEndian()
    {
        var b = new List<byte> { 0x08, 0x02, 0x10, 0x07, 0x4A, 0x10 };
        b.AddRange(BitConverter.GetBytes(-5L));
        b.AddRange(BitConverter.GetBytes(1L << 40));
        Assert.Equal([-5L, 1L << 40], OnnxTensor.Parse(b.ToArray(), "raw").ToInt64s());
        var d = new List<byte> { 0x08, 0x01, 0x10, 0x0B, 0x4A, 0x08 };
        d.AddRange(BitConverter.GetBytes(0.1));
        Assert.Equal([0.1], OnnxTensor.Parse(d.ToArray(), "rawd").ToDoubles());
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x02 }, "declares 5 bytes")]
    [InlineData(new byte[] { 0x08, 0xFF }, "truncated varint")]
    [InlineData(new byte[] { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "varint")]
    [InlineData(new byte[] { 0x08, 0x04, 0x10, 0x01, 0x22, 0x04, 0, 0, 0x80, 0x3F }, "needs 4 values")]
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x08, 0x10, 0x10, 0x01, 0x4A, 0x00 }, "overflow")]
    [InlineData(new byte[] { 0x0B, 0x00 }, "groups")]
    [InlineData(new byte[] { 0x10, 0x01, 0x22, 0x03, 0, 0, 0 }, "not a multiple of 4")]
    public void MalformedTensorThrowsNamingFileAndField(byte[] bytes, string expected)
    {
        var e = Assert.Throws<ProtoFormatException>(() => OnnxTensor.Parse(bytes, "bad.pb"));
        Assert.StartsWith("bad.pb: TensorProto", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [SkippableFact]
    public void TruncatedAndBitFlippedModelsThrowOnlyRawConvExceptions()
    {
        var path = Path.Combine(ConvCase, "model.onnx");
        Skip.IfNot(File.Exists(path), "libonnx-testdata is not installed");
        var good = File.ReadAllBytes(path);
        var input = File.ReadAllBytes(Path.Combine(ConvCase, "test_data_set_0", "input_0.pb"));
        // A PyTorch export: initializers in raw_data, value infos with shapes, opset 6 attributes.
        var torch = Path.Combine(CaseRunner.Root, "pytorch-converted", "test_Conv2d_groups", "model.onnx");
        var exported = File.Exists(torch) ? File.ReadAllBytes(torch) : good;
        var rng = new Random(20261122);
        int clean = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < 1200; k++)
        {
            var src = (k % 4) switch { 3 => input, 2 => exported, _ => good };
            var bytes = Mutate(src, rng, k % 3);
            string name = $"mutant{k}.onnx";
            try
            {
                if (src == input) OnnxTensor.Parse(bytes, name).ToFloats();
                else
                {
                    var m = OnnxModel.Parse(bytes, name);
                    foreach (var t in m.Graph.Initializers) t.ToFloats();
                }
                clean++;
            }
            catch (RawConvException e)
            {
                Assert.StartsWith(name + ": ", e.Message);
                Assert.True(e.Message.Contains("Proto"), e.Message);
                rejected++;
            }
        }
        Assert.True(clock.Elapsed.TotalSeconds < 10, $"1200 parses took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(rejected > 300 && clean > 50, $"{clean} clean, {rejected} rejected");
    }

    /// <summary>0: truncate; 1: flip 1–4 random bits; 2: overwrite a run with 0xFF (huge declared lengths).</summary>
    private static byte[] Mutate(byte[] src, Random rng, int how)
    {
        if (how == 0) return src[..rng.Next(src.Length)];
        var b = (byte[])src.Clone();
        if (how == 1)
            for (int n = rng.Next(1, 5); n > 0; n--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
        else
        {
            int at = rng.Next(b.Length);
            for (int n = rng.Next(1, 6); n > 0 && at < b.Length; n--) b[at++] = 0xFF;
        }
        return b;
    }
}
