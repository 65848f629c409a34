using System.Buffers.Binary;
using System.Text;

namespace RawConv.Tests.Graph.Import;

/// <summary>A tiny protobuf wire-format writer for hand-made test files (ONNX and caffemodel).</summary>
internal static class Pb
{
    public static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        do
        {
            byte x = (byte)(v & 0x7F);
            v >>= 7;
            b.Add((byte)(x | (v != 0 ? 0x80 : 0)));
        } while (v != 0);
        return b.ToArray();
    }

    public static byte[] Key(int field, int wire) => Varint((ulong)(field << 3 | wire));
    public static byte[] Int(int field, long v) => [.. Key(field, 0), .. Varint((ulong)v)];
    public static byte[] Msg(int field, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [.. Key(field, 2), .. Varint((ulong)body.Length), .. body];
    }
    public static byte[] Str(int field, string s) => Msg(field, Encoding.UTF8.GetBytes(s));
    public static byte[] Float(int field, float v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, v);
        return [.. Key(field, 5), .. b];
    }
    public static byte[] Floats(int field, float[] a)
    {
        var b = new byte[4 * a.Length];
        for (int i = 0; i < a.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), a[i]);
        return Msg(field, b);
    }
    public static byte[] Ints(int field, params long[] a) => Msg(field, a.SelectMany(v => Varint((ulong)v)).ToArray());

    // ---- ONNX
    public static byte[] Tensor(string name, long[] dims, float[] data) => [.. Ints(1, dims), .. Int(2, 1), .. Floats(4, data), .. Str(8, name)];
    public static byte[] Int64Tensor(string name, long[] dims, long[] data) => [.. Ints(1, dims), .. Int(2, 7), .. Ints(7, data), .. Str(8, name)];
    public static byte[] AttrInt(string name, long v) => Msg(5, Str(1, name), Int(3, v), Int(20, 2));
    public static byte[] AttrInts(string name, params long[] v) => Msg(5, Str(1, name), Ints(8, v), Int(20, 7));
    public static byte[] AttrFloat(string name, float v) => Msg(5, Str(1, name), Float(2, v), Int(20, 1));
    public static byte[] Node(string op, string name, string[] inputs, string[] outputs, params byte[][] attrs) =>
        Msg(1, [.. inputs.Select(i => Str(1, i)), .. outputs.Select(o => Str(2, o)), Str(3, name), Str(4, op), .. attrs]);
    public static byte[] ValueInfo(int field, string name, params long[] dims) =>
        Msg(field, Str(1, name), Msg(2, Msg(1, Int(1, 1), Msg(2, dims.Select(d => Msg(1, Int(1, d))).ToArray()))));
    public static byte[] Model(long opset, params byte[][] graphParts) => [.. Int(1, 7), .. Msg(7, graphParts), .. Msg(8, Int(2, opset))];
    public static byte[] Init(byte[] tensor) => Msg(5, tensor);

    // ---- Caffe
    public static byte[] BlobV2(long[] dims, float[] data) => [.. Msg(7, Ints(1, dims)), .. Floats(5, data)];
    public static byte[] BlobLegacy(long[] dims, float[] data) =>
        [.. dims.SelectMany((d, i) => Int(i + 1, d)), .. Floats(5, data)];
    public static byte[] LayerV2(string name, string type, string bottom, string top, params byte[][] blobs) =>
        Msg(100, [Str(1, name), Str(2, type), Str(3, bottom), Str(4, top), .. blobs.Select(b => Msg(7, b))]);
    public static byte[] LayerV1(string name, int type, string bottom, string top, params byte[][] blobs) =>
        Msg(2, [Str(2, bottom), Str(3, top), Str(4, name), Int(5, type), .. blobs.Select(b => Msg(6, b))]);

    /// <summary>Truncation (even k) or 1–8 random bit flips (odd k).</summary>
    public static byte[] Mutate(byte[] good, Random rng, int k)
    {
        if (k % 2 == 0) return good[..rng.Next(good.Length)];
        var b = (byte[])good.Clone();
        int flips = 1 + rng.Next(8);
        for (int j = 0; j < flips; j++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
        return b;
    }
}
