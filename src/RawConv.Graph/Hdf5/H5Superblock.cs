using System.Buffers.Binary;

namespace RawConv.Graph.Hdf5;

/// <summary>
/// Checks an HDF5 file's superblock in C# before libhdf5 sees the file: the signature at offset 0, a
/// superblock of version 2 or 3 (the versions whose metadata all carries checksums), 8-byte offsets and
/// lengths, the superblock checksum, and an end-of-file address equal to the file's length.
/// </summary>
public static class H5Superblock
{
    /// <summary>Bytes of a version 2/3 superblock with 8-byte offsets.</summary>
    public const int Size = 48;
    /// <summary>Offset of the end-of-file address in a version 2/3 superblock.</summary>
    public const int EofOffset = 28;

    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];

    /// <summary>Throws a <see cref="RawConvException"/> naming <paramref name="path"/> unless the superblock passes every check.</summary>
    public static void Check(string path)
    {
        long length;
        var head = new byte[Size];
        int got;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            length = f.Length;
            got = f.ReadAtLeast(head, Size, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RawConvException($"{path}: cannot read: {e.Message}", e);
        }
        if (got < Signature.Length || !head.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw new RawConvException($"{path}: not an HDF5 file (no HDF5 signature at offset 0)");
        if (got < 9) throw new RawConvException($"{path}: truncated: {length} bytes, too short for an HDF5 superblock");
        int version = head[8];
        if (version is 0 or 1)
            throw new RawConvException($"{path}: HDF5 superblock version {version} (HDF5 1.8-compatible layout) has no metadata checksums; "
                + "RawConv weights files use the 1.10 layout (h5py: libver='latest'): rewrite the file, see weights/README.md");
        if (version is not (2 or 3)) throw new RawConvException($"{path}: unknown HDF5 superblock version {version}");
        if (got < Size) throw new RawConvException($"{path}: truncated: {length} bytes, too short for an HDF5 superblock");
        if (head[9] != 8 || head[10] != 8)
            throw new RawConvException($"{path}: HDF5 offsets of {head[9]} and lengths of {head[10]} bytes (RawConv reads 8-byte ones)");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(Size - 4));
        uint computed = Lookup3(head.AsSpan(0, Size - 4));
        if (stored != computed)
            throw new RawConvException($"{path}: corrupt: HDF5 superblock checksum 0x{stored:x8} does not match its contents (0x{computed:x8})");
        ulong baseAddress = BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(12));
        ulong eof = BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(EofOffset));
        if (baseAddress != 0) throw new RawConvException($"{path}: HDF5 base address {baseAddress} (a user block); RawConv reads files that start with the superblock");
        if (eof != (ulong)length)
            throw new RawConvException($"{path}: {(eof > (ulong)length ? "truncated" : "corrupt")}: the HDF5 superblock says the file ends at byte {eof}, the file has {length} bytes");
    }

    /// <summary>Bob Jenkins' lookup3 hash (hashlittle), as HDF5 computes its metadata checksums (initial value 0).</summary>
    public static uint Lookup3(ReadOnlySpan<byte> key, uint initval = 0)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)key.Length + initval;
        while (key.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(key);
            b += BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
            a -= c; a ^= Rot(c, 4); c += b;
            b -= a; b ^= Rot(a, 6); a += c;
            c -= b; c ^= Rot(b, 8); b += a;
            a -= c; a ^= Rot(c, 16); c += b;
            b -= a; b ^= Rot(a, 19); a += c;
            c -= b; c ^= Rot(b, 4); b += a;
            key = key[12..];
        }
        if (key.Length == 0) return c;
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        key.CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        c ^= b; c -= Rot(b, 14);
        a ^= c; a -= Rot(c, 11);
        b ^= a; b -= Rot(a, 25);
        c ^= b; c -= Rot(b, 16);
        a ^= c; a -= Rot(c, 4);
        b ^= a; b -= Rot(a, 14);
        c ^= b; c -= Rot(b, 24);
        return c;
    }

    private static uint Rot(uint x, int k) => (x << k) | (x >> (32 - k));
}
