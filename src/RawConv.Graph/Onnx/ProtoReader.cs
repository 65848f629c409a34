using System.Buffers.Binary;
using System.Text;

namespace RawConv.Graph.Onnx;

/// <summary>A malformed or unsupported protobuf/ONNX file; the message names the file, the message path and the field.</summary>
public sealed class ProtoFormatException : RawConvException
{
    public ProtoFormatException(string message) : base(message) { }
}

/// <summary>Protobuf wire types (groups, 3 and 4, are deprecated and rejected).</summary>
public enum WireType
{
    /// <summary>Base-128 varint: int32, int64, uint64, bool, enum.</summary>
    Varint = 0,
    /// <summary>Eight little-endian bytes: double, fixed64.</summary>
    Fixed64 = 1,
    /// <summary>Varint length then bytes: string, bytes, messages, packed repeated fields.</summary>
    LengthDelimited = 2,
    /// <summary>Four little-endian bytes: float, fixed32.</summary>
    Fixed32 = 5,
}

/// <summary>
/// A minimal protobuf wire-format reader over one message's bytes. Every read is bounds-checked against
/// the end of the current message, and every declared length is checked against the bytes that remain
/// before anything is allocated, so truncated or hostile input ends in a <see cref="ProtoFormatException"/>
/// naming <see cref="Source"/>, <see cref="Path"/> and the field.
/// </summary>
public sealed class ProtoReader
{
    private readonly byte[] data;
    private readonly int end;
    private int pos;
    private int field;

    /// <summary>A reader over the whole of <paramref name="data"/>, a message of type <paramref name="path"/> read from <paramref name="source"/>.</summary>
    public ProtoReader(byte[] data, string source, string path) : this(data, 0, data.Length, source, path) { }

    private ProtoReader(byte[] data, int start, int end, string source, string path)
    {
        this.data = data;
        pos = start;
        this.end = end;
        Source = source;
        Path = path;
    }

    /// <summary>The file (or other source) the bytes came from, for error messages.</summary>
    public string Source { get; }
    /// <summary>The message path, e.g. <c>ModelProto.graph.node[3]</c>, for error messages.</summary>
    public string Path { get; }
    /// <summary>Bytes left in this message.</summary>
    public int Remaining => end - pos;

    /// <summary>Reads the next field key; false at the end of the message.</summary>
    public bool Next(out int fieldNumber, out WireType wire)
    {
        fieldNumber = 0;
        wire = WireType.Varint;
        if (pos >= end) return false;
        field = 0;
        ulong key = ReadVarint();
        ulong number = key >> 3;
        int w = (int)(key & 7);
        if (number == 0 || number > 536_870_911) throw Error($"invalid field number {number}");
        field = (int)number;
        if (w is 3 or 4) throw Error($"wire type {w} (groups) is not supported");
        if (w is not (0 or 1 or 2 or 5)) throw Error($"invalid wire type {w}");
        fieldNumber = field;
        wire = (WireType)w;
        return true;
    }

    /// <summary>An exception naming the source, the message path and the current field.</summary>
    public ProtoFormatException Error(string what) =>
        new($"{Source}: {Path}{(field > 0 ? $" field {field}" : "")}: {what}");

    /// <summary>An exception about a named field of this message, for checks made after reading it.</summary>
    public ProtoFormatException Error(string fieldName, string what) => new($"{Source}: {Path}.{fieldName}: {what}");

    /// <summary>Reads a base-128 varint (at most 10 bytes).</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= end) throw Error($"truncated varint at byte {pos} (message ends at {end})");
            byte b = data[pos++];
            if (shift == 63 && b > 1) throw Error($"varint overflows 64 bits at byte {pos - 1}");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Error($"varint longer than 10 bytes at byte {pos}");
    }

    /// <summary>Reads an int64 varint (two's complement, as protobuf encodes int64 and int32).</summary>
    public long ReadInt64() => (long)ReadVarint();

    /// <summary>Reads an int32 varint; protobuf truncates to the low 32 bits.</summary>
    public int ReadInt32() => (int)ReadVarint();

    /// <summary>Reads a little-endian float (wire type 5).</summary>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4, "float"));

    /// <summary>Reads a little-endian double (wire type 1).</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "double"));

    /// <summary>Reads a length-delimited field as bytes (a view, no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes() => Take(ReadLength(), "bytes");

    /// <summary>Reads a length-delimited field as UTF-8 text.</summary>
    public string ReadString()
    {
        var bytes = ReadBytes();
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Error("string is not valid UTF-8"); }
    }

    /// <summary>Reads an embedded message; <paramref name="name"/> extends the path for error messages.</summary>
    public ProtoReader ReadMessage(string name)
    {
        int n = ReadLength();
        var sub = new ProtoReader(data, pos, pos + n, Source, Path + "." + name);
        pos += n;
        return sub;
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8, "fixed64"); break;
            case WireType.Fixed32: Take(4, "fixed32"); break;
            case WireType.LengthDelimited: Take(ReadLength(), "bytes"); break;
            default: throw Error($"cannot skip wire type {(int)wire}");
        }
    }

    /// <summary>Adds one (unpacked, varint) or many (packed) int64 values of a repeated field.</summary>
    public void ReadInt64s(WireType wire, List<long> into)
    {
        if (wire == WireType.Varint) { into.Add(ReadInt64()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated int64");
        int n = ReadLength();
        int stop = pos + n;
        // Each varint takes at least one byte, so the list grows by at most the bytes present.
        while (pos < stop)
        {
            ulong v = ReadVarintTo(stop);
            into.Add((long)v);
        }
    }

    /// <summary>Adds one (unpacked, wire type 5) or many (packed) float values of a repeated field.</summary>
    public void ReadFloats(WireType wire, List<float> into)
    {
        if (wire == WireType.Fixed32) { into.Add(ReadFloat()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated float");
        var bytes = Take(ReadLength(), "packed floats");
        if (bytes.Length % 4 != 0) throw Error($"packed floats of {bytes.Length} bytes, not a multiple of 4");
        for (int i = 0; i < bytes.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    /// <summary>Adds one (unpacked, wire type 1) or many (packed) double values of a repeated field.</summary>
    public void ReadDoubles(WireType wire, List<double> into)
    {
        if (wire == WireType.Fixed64) { into.Add(ReadDouble()); return; }
        Expect(wire, WireType.LengthDelimited, "repeated double");
        var bytes = Take(ReadLength(), "packed doubles");
        if (bytes.Length % 8 != 0) throw Error($"packed doubles of {bytes.Length} bytes, not a multiple of 8");
        for (int i = 0; i < bytes.Length; i += 8) into.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
    }

    /// <summary>Throws unless the field has the wire type its schema declares.</summary>
    public void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected) throw Error($"{what} has wire type {(int)actual}, expected {(int)expected}");
    }

    private ulong ReadVarintTo(int stop)
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= stop) throw Error($"truncated varint inside a packed field at byte {pos}");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Error($"varint longer than 10 bytes at byte {pos}");
    }

    private int ReadLength()
    {
        int at = pos;
        ulong n = ReadVarint();
        if (n > (ulong)Remaining)
            throw Error($"declares {n} bytes at byte {at} but only {Remaining} remain in the message");
        return (int)n;
    }

    private ReadOnlySpan<byte> Take(int n, string what)
    {
        if (n > Remaining) throw Error($"truncated {what}: needs {n} bytes at byte {pos}, {Remaining} remain");
        var s = data.AsSpan(pos, n);
        pos += n;
        return s;
    }
}
