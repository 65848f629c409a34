using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace RawConv.Imaging;

/// <summary>
/// NumPy .npy files: versions 1.0, 2.0 and 3.0 headers, C order, any rank, dtypes <c>&lt;f4</c> (float[]),
/// <c>&lt;f8</c> (double[]), <c>|u1</c> (byte[]), <c>&lt;i4</c> (int[]), <c>&lt;i8</c> (long[]).
/// </summary>
public static partial class Npy
{
    private static readonly (string Descr, Type Type, int Size)[] Types =
        [("<f4", typeof(float), 4), ("<f8", typeof(double), 8), ("|u1", typeof(byte), 1), ("<i4", typeof(int), 4), ("<i8", typeof(long), 8)];

    /// <summary>Reads a .npy file: its shape, its data as a flat C-order array, and its dtype string.</summary>
    public static (int[] Shape, Array Data, string DType) Read(string path) => Read(ImageIO.ReadFile(path), path);

    /// <summary>Reads .npy bytes; <paramref name="name"/> appears in error messages.</summary>
    public static (int[] Shape, Array Data, string DType) Read(byte[] d, string name = "<memory>")
    {
        var src = new Source(d, name, "NPY");
        if (d.Length < 10 || d[0] != 0x93 || Encoding.ASCII.GetString(d, 1, 5) != "NUMPY") throw src.Fail("bad magic (not a .npy file)");
        int major = d[6];
        if (major is < 1 or > 3) throw src.Fail($"format version {major}.{d[7]} (expected 1.0, 2.0 or 3.0)");
        long hlen = major == 1 ? d[8] | d[9] << 8 : d.Length < 12 ? -1 : BitConverter.ToUInt32(d, 8);
        int hstart = major == 1 ? 10 : 12;
        if (hlen < 0 || hstart + hlen > d.Length) throw src.Fail($"header length {hlen} runs past the end of the file ({d.Length} bytes)");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(d, hstart, (int)hlen);
        var descr = DescrRe().Match(header);
        var fortran = FortranRe().Match(header);
        var shapeM = ShapeRe().Match(header);
        if (!descr.Success || !fortran.Success || !shapeM.Success) throw src.Fail($"header '{header.Trim()}' lacks descr, fortran_order or shape");
        string dtype = descr.Groups[1].Value;
        if (fortran.Groups[1].Value == "True")
            throw src.Fail("fortran_order is True: only C-order arrays are supported (save with np.ascontiguousarray)");
        int ti = Array.FindIndex(Types, t => t.Descr == dtype || (t.Size == 1 && dtype == "<u1"));
        if (ti < 0) throw src.Fail($"dtype '{dtype}' is not supported (use <f4, <f8, |u1, <i4 or <i8)");
        var parts = shapeM.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        long count = 1;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i].TrimEnd('L'), out long v) || v < 0 || v > int.MaxValue) throw src.Fail($"shape entry '{parts[i]}' invalid");
            shape[i] = (int)v;
            count *= Math.Max(v, 1);
            if (count > Array.MaxLength) throw src.Fail($"shape ({shapeM.Groups[1].Value}) holds more elements than an array can");
            if (v == 0) count = 0;
        }
        var (_, type, size) = Types[ti];
        long dataStart = hstart + hlen;
        if (count * size != d.Length - dataStart)
            throw src.Fail($"shape ({shapeM.Groups[1].Value}) of {dtype} needs {count * size} data bytes, the file has {d.Length - dataStart}");
        var data = Array.CreateInstance(type, count);
        var bytes = d.AsSpan((int)dataStart);
        switch (data)
        {
            case float[] f: MemoryMarshal.Cast<byte, float>(bytes).CopyTo(f); break;
            case double[] f: MemoryMarshal.Cast<byte, double>(bytes).CopyTo(f); break;
            case byte[] f: bytes.CopyTo(f); break;
            case int[] f: MemoryMarshal.Cast<byte, int>(bytes).CopyTo(f); break;
            case long[] f: MemoryMarshal.Cast<byte, long>(bytes).CopyTo(f); break;
        }
        return (shape, data, Types[ti].Descr);
    }

    /// <summary>Writes a C-order array (float[], double[], byte[], int[] or long[]) with a version 1.0 header.</summary>
    public static void Write(string path, int[] shape, Array data) => File.WriteAllBytes(path, Encode(shape, data));

    /// <summary>Encodes a C-order array as .npy bytes (version 1.0 header, or 2.0 if it is too long).</summary>
    public static byte[] Encode(int[] shape, Array data)
    {
        int ti = Array.FindIndex(Types, t => t.Type == data.GetType().GetElementType());
        if (ti < 0 || data.Rank != 1) throw new RawConvException($"npy: cannot write {data.GetType().Name} (use float[], double[], byte[], int[] or long[])");
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != data.Length) throw new RawConvException($"npy: shape ({string.Join(", ", shape)}) holds {count} elements, data has {data.Length}");
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string h = $"{{'descr': '{Types[ti].Descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        bool v2 = h.Length + 11 > 65535;
        int pre = v2 ? 12 : 10, total = (pre + h.Length + 1 + 63) / 64 * 64;
        h = h.PadRight(total - pre - 1) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)(v2 ? 2 : 1), 0]);
        if (v2) ms.Write(BitConverter.GetBytes((uint)h.Length)); else ms.Write(BitConverter.GetBytes((ushort)h.Length));
        ms.Write(Encoding.ASCII.GetBytes(h));
        ms.Write(data switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            double[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            byte[] f => f.AsSpan(),
            int[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            long[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            _ => throw new RawConvException("npy: unreachable"),
        });
        return ms.ToArray();
    }

    /// <summary>Loads a .npy file as a float32 tensor of the same shape (other dtypes are converted).</summary>
    public static Tensor ReadTensor(IBackend backend, string path)
    {
        var (shape, data, _) = Read(path);
        var f = data as float[] ?? new float[data.Length];
        if (data is not float[])
            for (int i = 0; i < f.Length; i++) f[i] = Convert.ToSingle(data.GetValue(i));
        return Tensor.FromArray(backend, new Shape(shape), f);
    }

    /// <summary>Writes a float32 tensor as <c>&lt;f4</c> with its shape.</summary>
    public static void WriteTensor(string path, Tensor t) => Write(path, t.Shape.Dims, t.ToArray());

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrRe();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();
}
