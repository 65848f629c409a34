using System.Buffers.Binary;

namespace RawConv.Graph.Onnx;

/// <summary>ONNX TensorProto.DataType values.</summary>
public enum OnnxDataType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}

/// <summary>
/// An ONNX TensorProto: name, dims, data type and its values decoded from <c>raw_data</c> (little-endian) or
/// the typed repeated fields. Element counts are checked against the bytes present before any allocation.
/// </summary>
public sealed class OnnxTensor
{
    private readonly float[]? floats;
    private readonly double[]? doubles;
    private readonly long[]? integers;

    private OnnxTensor(string name, long[] dims, OnnxDataType type, float[]? f, double[]? d, long[]? i, string source)
    {
        Name = name; Dims = dims; DataType = type; floats = f; doubles = d; integers = i; Source = source;
    }

    /// <summary>The tensor's name (may be empty).</summary>
    public string Name { get; }
    /// <summary>The dimensions; empty for a scalar.</summary>
    public long[] Dims { get; }
    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }
    /// <summary>The file it came from, for messages.</summary>
    public string Source { get; }
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long Count => Dims.Aggregate(1L, (a, b) => a * b);
    /// <summary>True for FLOAT, DOUBLE and FLOAT16: values come back from <see cref="ToFloats"/>.</summary>
    public bool IsReal => floats is not null || doubles is not null;

    /// <summary>Reads a standalone TensorProto file such as <c>test_data_set_0/input_0.pb</c>.</summary>
    public static OnnxTensor Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a serialized TensorProto.</summary>
    public static OnnxTensor Parse(byte[] data, string source) => Read(new ProtoReader(data, source, "TensorProto"));

    /// <summary>The dimensions as ints, for a <see cref="RawConv.Shape"/>.</summary>
    public int[] IntDims() => Dims.Select(d => d <= int.MaxValue ? (int)d
        : throw new ProtoFormatException($"{Source}: TensorProto '{Name}' dimension {d} exceeds int32")).ToArray();

    /// <summary>The values as float32 (real types narrowed, integer types converted).</summary>
    public float[] ToFloats()
    {
        if (floats is not null) return (float[])floats.Clone();
        if (doubles is not null) return doubles.Select(v => (float)v).ToArray();
        if (integers is not null) return integers.Select(v => (float)v).ToArray();
        throw Unsupported();
    }

    /// <summary>The values as float64.</summary>
    public double[] ToDoubles()
    {
        if (doubles is not null) return (double[])doubles.Clone();
        if (floats is not null) return floats.Select(v => (double)v).ToArray();
        if (integers is not null) return integers.Select(v => (double)v).ToArray();
        throw Unsupported();
    }

    /// <summary>The values of an integer or bool tensor as int64.</summary>
    public long[] ToInt64s()
    {
        if (integers is not null) return (long[])integers.Clone();
        throw new ProtoFormatException($"{Source}: TensorProto '{Name}' holds {DataType}, not an integer type");
    }

    public override string ToString() => $"{DataType}[{string.Join(", ", Dims)}] '{Name}'";

    private ProtoFormatException Unsupported() =>
        new($"{Source}: TensorProto '{Name}' has data type {DataType}, which RawConv does not decode");

    /// <summary>Reads a TensorProto message.</summary>
    internal static OnnxTensor Read(ProtoReader r)
    {
        var dims = new List<long>();
        var f = new List<float>();
        var d = new List<double>();
        var i = new List<long>();
        int dataType = 0, segments = 0, location = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.ReadInt64s(wire, dims); break;
                case 2: r.Expect(wire, WireType.Varint, "data_type"); dataType = r.ReadInt32(); break;
                case 3: segments++; r.Skip(wire); break;
                case 4: r.ReadFloats(wire, f); break;
                case 5: r.ReadInt64s(wire, i); break;
                case 7: r.ReadInt64s(wire, i); break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "name"); name = r.ReadString(); break;
                case 9: r.Expect(wire, WireType.LengthDelimited, "raw_data"); raw = r.ReadBytes(); hasRaw = true; break;
                case 10: r.ReadDoubles(wire, d); break;
                case 11: r.ReadInt64s(wire, i); break;
                case 14: r.Expect(wire, WireType.Varint, "data_location"); location = r.ReadInt32(); break;
                default: r.Skip(wire); break;
            }
        }
        var type = (OnnxDataType)dataType;
        if (segments > 0) throw r.Error("segment", $"tensor '{name}' is segmented, which is not supported");
        if (location != 0) throw r.Error("data_location", $"tensor '{name}' keeps its data in an external file, which is not supported");
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0) throw r.Error("dims", $"tensor '{name}' has negative dimension {dim}");
            if (dim > 0 && count > long.MaxValue / dim) throw r.Error("dims", $"tensor '{name}' dims [{string.Join(", ", dims)}] overflow int64");
            count *= dim;
        }
        string where = $"tensor '{name}' {type}[{string.Join(", ", dims)}]";
        int size = type switch
        {
            OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
            OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 => 8,
            OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
            OnnxDataType.UInt16 or OnnxDataType.Int16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
            _ => 0,
        };
        if (size == 0) return new OnnxTensor(name, dims.ToArray(), type, null, null, null, r.Source);
        if (hasRaw)
        {
            if (count > int.MaxValue || raw.Length != count * size)
                throw r.Error("raw_data", $"{where} needs {count} × {size} bytes, raw_data holds {raw.Length}");
            return FromRaw(name, dims.ToArray(), type, raw, (int)count, r.Source);
        }
        long present = type switch
        {
            OnnxDataType.Float => f.Count,
            OnnxDataType.Double => d.Count,
            _ => i.Count,
        };
        if (present != count)
            throw r.Error(type switch { OnnxDataType.Float => "float_data", OnnxDataType.Double => "double_data", _ => "int32_data/int64_data/uint64_data" },
                $"{where} needs {count} values, the file holds {present}");
        return type switch
        {
            OnnxDataType.Float => new OnnxTensor(name, dims.ToArray(), type, f.ToArray(), null, null, r.Source),
            OnnxDataType.Double => new OnnxTensor(name, dims.ToArray(), type, null, d.ToArray(), null, r.Source),
            OnnxDataType.Float16 => new OnnxTensor(name, dims.ToArray(), type, i.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(), null, null, r.Source),
            OnnxDataType.BFloat16 => new OnnxTensor(name, dims.ToArray(), type, i.Select(v => BitConverter.Int32BitsToSingle((int)((ushort)v) << 16)).ToArray(), null, null, r.Source),
            OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 => new OnnxTensor(name, dims.ToArray(), type, null, null, i.Select(v => (long)(int)v).ToArray(), r.Source),
            _ => new OnnxTensor(name, dims.ToArray(), type, null, null, i.ToArray(), r.Source),
        };
    }

    private static OnnxTensor FromRaw(string name, long[] dims, OnnxDataType type, ReadOnlySpan<byte> raw, int n, string source)
    {
        switch (type)
        {
            case OnnxDataType.Float:
            {
                var a = new float[n];
                for (int k = 0; k < n; k++) a[k] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * k)..]);
                return new OnnxTensor(name, dims, type, a, null, null, source);
            }
            case OnnxDataType.Double:
            {
                var a = new double[n];
                for (int k = 0; k < n; k++) a[k] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * k)..]);
                return new OnnxTensor(name, dims, type, null, a, null, source);
            }
            case OnnxDataType.Float16 or OnnxDataType.BFloat16:
            {
                var a = new float[n];
                for (int k = 0; k < n; k++)
                {
                    ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * k)..]);
                    a[k] = type == OnnxDataType.Float16 ? (float)BitConverter.UInt16BitsToHalf(bits) : BitConverter.Int32BitsToSingle(bits << 16);
                }
                return new OnnxTensor(name, dims, type, a, null, null, source);
            }
            default:
            {
                var a = new long[n];
                for (int k = 0; k < n; k++)
                {
                    a[k] = type switch
                    {
                        OnnxDataType.UInt8 or OnnxDataType.Bool => raw[k],
                        OnnxDataType.Int8 => (sbyte)raw[k],
                        OnnxDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * k)..]),
                        OnnxDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * k)..]),
                        OnnxDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * k)..]),
                        OnnxDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * k)..]),
                        _ => BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * k)..]),
                    };
                }
                return new OnnxTensor(name, dims, type, null, null, a, source);
            }
        }
    }
}
