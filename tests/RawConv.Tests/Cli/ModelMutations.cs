using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RawConv.Graph.Hdf5;

namespace RawConv.Tests.Cli;

/// <summary>One damaged copy of a model file: what was done to it (enough to redo it) and its bytes.</summary>
internal sealed record Mutant(string What, byte[] Data);

/// <summary>
/// Seeded damage for model files, by kind so every kind is represented: truncations, single and burst bit flips
/// (in headers and in float data), float values set to NaN/±Inf/±1e38/denormals, protobuf varints (lengths,
/// dims, attributes) set to extremes, HDF5 damage behind a re-validated superblock; and for prototxt text,
/// numbers replaced by hostile values, lines deleted or duplicated, layer names swapped.
/// </summary>
internal static class ModelMutations
{
    /// <summary>Float values written over weights: non-finite, overflow-prone, denormal and signed zero.</summary>
    public static readonly float[] SpecialFloats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e38f, -1e38f, 1e-42f, float.Epsilon, -0f];

    private static readonly string[] HostileNumbers = ["0", "-1", "2147483647", "99999999999999999999", "nan", "inf", "1e38", "-1e38", "2.5", "-7", "4294967296"];

    /// <summary>How many binary kinds <see cref="Binary"/> cycles through.</summary>
    public const int BinaryKinds = 10;

    /// <summary>How many text kinds <see cref="Text"/> cycles through.</summary>
    public const int TextKinds = 8;

    /// <summary>
    /// Damage of kind <paramref name="kind"/> to a binary file. <paramref name="floats"/>: (offset, count) of float32
    /// runs (the weights); <paramref name="varints"/>: (offset, length) of protobuf varints, empty for HDF5.
    /// </summary>
    public static Mutant Binary(byte[] original, int kind, Random rng, IReadOnlyList<(int Offset, int Count)> floats,
        IReadOnlyList<(int Offset, int Length)> varints, bool hdf5)
    {
        var m = (byte[])original.Clone();
        int n = m.Length, header = Math.Min(n, hdf5 ? 2048 : 512);
        switch (kind)
        {
            case 0:
            {
                int len = rng.Next(n);
                return new($"truncated to {len} of {n} bytes", m[..len]);
            }
            case 1:
            {
                int len = rng.Next(header);
                return new($"truncated inside the header to {len} bytes", m[..len]);
            }
            case 2:
            {
                int at = rng.Next(header), bit = rng.Next(8);
                m[at] ^= (byte)(1 << bit);
                return Patched(new($"bit {bit} of byte {at} flipped (header)", m), hdf5);
            }
            case 3:
            {
                var (off, cnt) = floats[rng.Next(floats.Count)];
                int flips = 1 + rng.Next(8);
                var where = new List<string>();
                for (int i = 0; i < flips; i++)
                {
                    int at = off + rng.Next(cnt * 4), bit = rng.Next(8);
                    m[at] ^= (byte)(1 << bit);
                    where.Add($"{at}.{bit}");
                }
                return new($"{flips} bit(s) flipped in float data at byte.bit {string.Join(", ", where)}", m);
            }
            case 4:
            {
                int len = 2 + rng.Next(63), at = rng.Next(2) == 0 ? rng.Next(Math.Max(1, header - len)) : rng.Next(Math.Max(1, n - len));
                for (int i = at; i < Math.Min(n, at + len); i++) m[i] = (byte)rng.Next(256);
                return Patched(new($"burst of {len} random bytes at {at}", m), hdf5);
            }
            case 5 when !hdf5:
            {
                var (off, cnt) = floats[rng.Next(floats.Count)];
                float v = SpecialFloats[rng.Next(SpecialFloats.Length)];
                int k = rng.Next(cnt), count = rng.Next(4) == 0 ? cnt - k : 1;
                for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(m.AsSpan(off + 4 * (k + i)), v);
                return new($"float {k}{(count > 1 ? $"..{k + count - 1}" : "")} of the run at byte {off} set to {v.ToString("R", CultureInfo.InvariantCulture)}", m);
            }
            case 6 when varints.Any(v => v.Length > 0):
            {
                var (at, len) = Pick(varints, rng);
                ulong max = len >= 10 ? ulong.MaxValue : (1UL << (7 * len)) - 1;
                ulong v = rng.Next(3) switch { 0 => max, 1 => 0, _ => (ulong)rng.NextInt64(0, (long)Math.Min(max, long.MaxValue)) };
                WriteVarintFixed(m, at, len, v);
                return new($"varint at byte {at} ({len} bytes) set to {v}", m);
            }
            case 7 when varints.Any(v => v.Length > 0):
            {
                var (at, len) = Pick(varints, rng);
                ulong[] values = [int.MaxValue, 1UL << 32, long.MaxValue, ulong.MaxValue, (ulong)int.MaxValue + 1, 1UL << 40];
                ulong v = values[rng.Next(values.Length)];
                var enc = Varint(v);
                return new($"varint at byte {at} ({len} bytes) re-encoded as {v} ({enc.Length} bytes)", [.. m[..at], .. enc, .. m[(at + len)..]]);
            }
            case 8 when varints.Any(v => v.Length == 0):
            {
                // Fixed32 fields (recorded with length 0): ONNX float attributes such as LRN alpha/beta, Gemm alpha/beta, Dropout ratio.
                var fixeds = varints.Where(v => v.Length == 0).ToList();
                int at = fixeds[rng.Next(fixeds.Count)].Offset;
                float v = SpecialFloats[rng.Next(SpecialFloats.Length)];
                BinaryPrimitives.WriteSingleLittleEndian(m.AsSpan(at), v);
                return new($"fixed32 field at byte {at} set to {v.ToString("R", CultureInfo.InvariantCulture)}", m);
            }
            default:
            {
                // HDF5 (no varints, checksummed data): flips in the metadata after the superblock, with the superblock
                // valid again so libhdf5 parses the damage; protobuf: a random byte anywhere.
                int from = hdf5 ? H5Superblock.Size : 0, at = from + rng.Next(Math.Max(1, Math.Min(n, 4096) - from));
                int flips = 1 + rng.Next(4);
                for (int i = 0; i < flips; i++) m[Math.Min(n - 1, at + rng.Next(16))] ^= (byte)(1 << rng.Next(8));
                return Patched(new($"{flips} bit(s) flipped near byte {at}", m), hdf5);
            }
        }
    }

    /// <summary>Damage of kind <paramref name="kind"/> to a prototxt.</summary>
    public static Mutant Text(string original, int kind, Random rng)
    {
        var lines = original.Split('\n').ToList();
        switch (kind)
        {
            case 0:
            case 1:
            {
                var numbers = Regex.Matches(original, @"(?<=:\s*)-?[0-9][0-9.e+-]*");
                var hit = numbers[rng.Next(numbers.Count)];
                string v = HostileNumbers[rng.Next(HostileNumbers.Length)];
                return new($"number '{hit.Value}' at char {hit.Index} replaced by {v}", Bytes(original[..hit.Index] + v + original[(hit.Index + hit.Length)..]));
            }
            case 2:
            {
                int i = rng.Next(lines.Count);
                string gone = lines[i];
                lines.RemoveAt(i);
                return new($"line {i + 1} deleted ('{gone.Trim()}')", Bytes(string.Join('\n', lines)));
            }
            case 3:
            {
                var names = Regex.Matches(original, "name: \"([^\"]+)\"").Skip(1).Select(x => x.Groups[1].Value).Distinct().ToList();
                if (names.Count < 2) goto case 0;   // JSON text (an .h5's architecture) has no prototxt names
                string a = names[rng.Next(names.Count)], b = names[rng.Next(names.Count)];
                string swapped = original.Replace($"\"{a}\"", "\"\u0001\"").Replace($"\"{b}\"", $"\"{a}\"").Replace("\"\u0001\"", $"\"{b}\"");
                return new($"every \"{a}\" and \"{b}\" swapped (names, bottoms, tops)", Bytes(swapped));
            }
            case 4:
            {
                int len = rng.Next(original.Length);
                return new($"truncated to {len} of {original.Length} chars", Bytes(original[..len]));
            }
            case 5:
            {
                int i = rng.Next(lines.Count);
                lines.Insert(i, lines[i]);
                return new($"line {i + 1} duplicated ('{lines[i].Trim()}')", Bytes(string.Join('\n', lines)));
            }
            case 6:
            {
                var strings = Regex.Matches(original, "\"[^\"]*\"");
                var hit = strings[rng.Next(strings.Count)];
                string[] values = ["\"\"", "\"Bogus\"", "\"data\"", "\"prob\"", "\"conv1\"", "\"" + new string('x', 5000) + "\""];
                string v = values[rng.Next(values.Length)];
                return new($"string {hit.Value} at char {hit.Index} replaced by {(v.Length > 20 ? "5000 x's" : v)}", Bytes(original[..hit.Index] + v + original[(hit.Index + hit.Length)..]));
            }
            default:
            {
                int at = rng.Next(original.Length);
                char[] chars = ['{', '}', '"', ':', '#', '\\', '\0', '\u00e9', ' ', '\n', '-', '9'];
                char c = chars[rng.Next(chars.Length)];
                return new($"char {at} ('{original[at]}') replaced by U+{(int)c:X4}", Bytes(original[..at] + c + original[(at + 1)..]));
            }
        }
    }

    /// <summary>(offset, count) of each run of <paramref name="arrays"/> found as little-endian float32 in <paramref name="file"/>.</summary>
    public static List<(int Offset, int Count)> FloatRuns(byte[] file, IEnumerable<float[]> arrays)
    {
        var runs = new List<(int, int)>();
        foreach (var a in arrays)
        {
            var bytes = new byte[a.Length * 4];
            for (int i = 0; i < a.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), a[i]);
            int at = file.AsSpan().IndexOf(bytes);
            if (at >= 0) runs.Add((at, a.Length));
        }
        return runs;
    }

    /// <summary>(offset, length) of every varint of a protobuf message tree (values and length prefixes, not keys); fixed32 values as (offset, 0).</summary>
    public static List<(int Offset, int Length)> Varints(byte[] d)
    {
        var found = new List<(int, int)>();
        Walk(d, 0, d.Length, found, 0);
        return found;
    }

    private static bool Walk(byte[] d, int p, int end, List<(int, int)>? found, int depth)
    {
        while (p < end)
        {
            if (!ReadVarint(d, ref p, end, out ulong key) || key >> 3 == 0) return false;
            switch ((int)(key & 7))
            {
                case 0:
                {
                    int s = p;
                    if (!ReadVarint(d, ref p, end, out _)) return false;
                    found?.Add((s, p - s));
                    break;
                }
                case 1: p += 8; break;
                case 5:
                    if (p + 4 > end) return false;
                    found?.Add((p, 0));
                    p += 4;
                    break;
                case 2:
                {
                    int s = p;
                    if (!ReadVarint(d, ref p, end, out ulong len) || len > (ulong)(end - p)) return false;
                    found?.Add((s, p - s));
                    int e = p + (int)len;
                    // Nested messages are walked too; strings and packed floats usually fail the dry walk.
                    if (depth < 8 && len > 0 && Walk(d, p, e, null, depth + 1)) Walk(d, p, e, found, depth + 1);
                    p = e;
                    break;
                }
                default: return false;
            }
        }
        return p == end;
    }

    private static (int Offset, int Length) Pick(IReadOnlyList<(int Offset, int Length)> varints, Random rng)
    {
        var real = varints.Where(v => v.Length > 0).ToList();
        return real[rng.Next(real.Count)];
    }

    private static bool ReadVarint(byte[] d, ref int p, int end, out ulong v)
    {
        v = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7)
        {
            byte b = d[p++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    private static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        do
        {
            byte x = (byte)(v & 0x7F);
            v >>= 7;
            b.Add((byte)(x | (v != 0 ? 0x80 : 0)));
        } while (v != 0);
        return [.. b];
    }

    private static void WriteVarintFixed(byte[] m, int at, int len, ulong v)
    {
        for (int i = 0; i < len; i++)
        {
            m[at + i] = (byte)((v & 0x7F) | (i < len - 1 ? 0x80UL : 0));
            v >>= 7;
        }
    }

    /// <summary>HDF5: the superblock's end-of-file address and checksum made valid again, so the damage reaches libhdf5.</summary>
    private static Mutant Patched(Mutant m, bool hdf5)
    {
        if (!hdf5 || m.Data.Length < H5Superblock.Size) return m;
        var d = m.Data;
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(H5Superblock.EofOffset), (ulong)d.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(H5Superblock.Size - 4), H5Superblock.Lookup3(d.AsSpan(0, H5Superblock.Size - 4)));
        return m with { What = m.What + ", superblock re-validated" };
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
