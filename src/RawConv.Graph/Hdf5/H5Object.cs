using System.Text;
using static RawConv.Graph.Hdf5.H5Status;

namespace RawConv.Graph.Hdf5;

/// <summary>An open HDF5 file, group or dataset: owns its id and carries scalar string and integer attributes.</summary>
public abstract unsafe class H5Object : IDisposable
{
    private const int MaxStringBytes = 16 << 20;

    private protected H5Object(H5Id id, string file, string path)
    {
        Id = id;
        File = file;
        ObjectPath = path;
    }

    internal H5Id Id { get; }
    /// <summary>The file this object lives in.</summary>
    public string File { get; }
    /// <summary>Path inside the file ("/", "/conv1/weight").</summary>
    public string ObjectPath { get; }
    /// <summary>"file:path", for messages.</summary>
    public string Where => ObjectPath == "/" ? File : $"{File}:{ObjectPath}";

    private protected string Child(string name) => ObjectPath == "/" ? "/" + name : $"{ObjectPath}/{name}";

    /// <summary>Whether attribute <paramref name="name"/> exists.</summary>
    public bool HasAttribute(string name)
    {
        using (H5.Enter()) return Check(H5.H5Aexists(Id.Value, name), Where, $"checking attribute '{name}'") > 0;
    }

    /// <summary>Removes attribute <paramref name="name"/>.</summary>
    public void DeleteAttribute(string name)
    {
        using (H5.Enter()) Check(H5.H5Adelete(Id.Value, name), Where, $"deleting attribute '{name}'");
    }

    /// <summary>Writes (or replaces) a scalar fixed-length UTF-8 string attribute, null-padded.</summary>
    public void SetString(string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        using (H5.Enter())
        {
            using var type = H5Id.Check(H5.H5Tcopy(H5.CS1), H5IdKind.Datatype, Where, "copying the string type");
            Check(H5.H5Tset_size(type.Value, (nuint)Math.Max(bytes.Length, 1)), Where, $"sizing string attribute '{name}'");
            Check(H5.H5Tset_strpad(type.Value, H5.StrNullpad), Where, "setting string padding");
            Check(H5.H5Tset_cset(type.Value, H5.CsetUtf8), Where, "setting UTF-8");
            if (bytes.Length == 0) bytes = [0];
            fixed (byte* p = bytes) WriteScalar(name, type.Value, p);
        }
    }

    /// <summary>Writes (or replaces) a scalar 64-bit integer attribute.</summary>
    public void SetInt(string name, long value)
    {
        using (H5.Enter()) WriteScalar(name, H5.StdI64Le, &value, H5.NativeLlong);
    }

    private void WriteScalar(string name, long fileType, void* data, long memType = -1)
    {
        if (HasAttribute(name)) DeleteAttribute(name);
        using var space = H5Id.Check(H5.H5Screate(H5.SpaceScalar), H5IdKind.Dataspace, Where, "creating a scalar dataspace");
        using var attr = H5Id.Check(H5.H5Acreate2(Id.Value, name, fileType, space.Value, 0, 0), H5IdKind.Attribute, Where, $"creating attribute '{name}'");
        Check(H5.H5Awrite(attr.Value, memType < 0 ? fileType : memType, data), Where, $"writing attribute '{name}'");
    }

    /// <summary>Reads a scalar fixed-length string attribute (variable-length strings are refused: see weights/README.md).</summary>
    public string GetString(string name)
    {
        using (H5.Enter())
        {
            using var attr = OpenScalar(name);
            using var type = H5Id.Check(H5.H5Aget_type(attr.Value), H5IdKind.Datatype, Where, $"reading the type of attribute '{name}'");
            if (H5.H5Tget_class(type.Value) != H5.ClassString)
                throw new RawConvException($"{Where}: attribute '{name}' is {Describe(type.Value)}, not a string");
            if (H5.H5Tis_variable_str(type.Value) != 0)
                throw new RawConvException($"{Where}: attribute '{name}' is a variable-length string; RawConv reads fixed-length strings only (they sit in the checksummed object header)");
            long size = (long)H5.H5Tget_size(type.Value);
            if (size <= 0 || size > MaxStringBytes)
                throw new RawConvException($"{Where}: attribute '{name}' claims {size} bytes (limit {MaxStringBytes})");
            var buf = new byte[size];
            fixed (byte* p = buf) Check(H5.H5Aread(attr.Value, type.Value, p), Where, $"reading attribute '{name}'");
            int end = Array.IndexOf(buf, (byte)0);
            var s = Encoding.UTF8.GetString(buf, 0, end < 0 ? buf.Length : end);
            return H5.H5Tget_strpad(type.Value) == H5.StrSpacepad ? s.TrimEnd(' ') : s;
        }
    }

    /// <summary>Reads a scalar integer attribute of any integer type as a 64-bit value.</summary>
    public long GetInt(string name)
    {
        using (H5.Enter())
        {
            using var attr = OpenScalar(name);
            using var type = H5Id.Check(H5.H5Aget_type(attr.Value), H5IdKind.Datatype, Where, $"reading the type of attribute '{name}'");
            if (H5.H5Tget_class(type.Value) != H5.ClassInteger || (long)H5.H5Tget_size(type.Value) > 8)
                throw new RawConvException($"{Where}: attribute '{name}' is {Describe(type.Value)}, not an integer");
            long v;
            Check(H5.H5Aread(attr.Value, H5.NativeLlong, &v), Where, $"reading attribute '{name}'");
            return v;
        }
    }

    private H5Id OpenScalar(string name)
    {
        if (!HasAttribute(name)) throw new RawConvException($"{Where}: attribute '{name}' is missing");
        var attr = H5Id.Check(H5.H5Aopen(Id.Value, name, 0), H5IdKind.Attribute, Where, $"opening attribute '{name}'");
        using var space = H5Id.Check(H5.H5Aget_space(attr.Value), H5IdKind.Dataspace, Where, $"reading the dataspace of attribute '{name}'");
        long n = H5.H5Sget_simple_extent_npoints(space.Value);
        if (n != 1)
        {
            attr.Dispose();
            throw new RawConvException($"{Where}: attribute '{name}' holds {n} values, expected one");
        }
        return attr;
    }

    /// <summary>"float32", "int64", "string", ... for messages.</summary>
    internal static string Describe(long type)
    {
        int cls = H5.H5Tget_class(type);
        long bits = (long)H5.H5Tget_size(type) * 8;
        return cls switch
        {
            H5.ClassInteger => $"int{bits}",
            H5.ClassFloat => $"float{bits}",
            H5.ClassString => "a string",
            _ => $"HDF5 type class {cls} ({bits / 8} bytes)",
        };
    }

    public void Dispose()
    {
        Id.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => Where;
}
