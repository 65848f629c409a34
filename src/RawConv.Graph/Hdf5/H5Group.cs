using static RawConv.Graph.Hdf5.H5Status;

namespace RawConv.Graph.Hdf5;

/// <summary>What a group member is.</summary>
public enum H5MemberKind
{
    /// <summary>A hard link to a group.</summary>
    Group,
    /// <summary>A hard link to a dataset.</summary>
    Dataset,
    /// <summary>A soft or external link, or a named datatype.</summary>
    Other,
}

/// <summary>An HDF5 group: members, child groups and datasets.</summary>
public unsafe class H5Group : H5Object
{
    private protected H5Group(H5Id id, string file, string path) : base(id, file, path) { }

    /// <summary>Names of the group's links in name order.</summary>
    public IReadOnlyList<string> Members()
    {
        using (H5.Enter())
        {
            H5.GroupInfo info;
            Check(H5.H5Gget_info(Id.Value, &info), Where, "reading group info");
            if (info.NLinks > 1_000_000) throw new RawConvException($"{Where}: group claims {info.NLinks} members");
            var names = new List<string>((int)info.NLinks);
            for (ulong i = 0; i < info.NLinks; i++)
            {
                long n = Check(H5.H5Lget_name_by_idx(Id.Value, ".", 0, 0, i, null, 0, 0), Where, $"reading the name of member {i}");
                if (n > 65536) throw new RawConvException($"{Where}: member {i} has a {n}-byte name");
                var buf = new byte[n + 1];
                fixed (byte* p = buf) Check(H5.H5Lget_name_by_idx(Id.Value, ".", 0, 0, i, p, (nuint)buf.Length, 0), Where, $"reading the name of member {i}");
                names.Add(System.Text.Encoding.UTF8.GetString(buf, 0, (int)n));
            }
            return names;
        }
    }

    /// <summary>Whether a link called <paramref name="name"/> exists in this group.</summary>
    public bool Contains(string name)
    {
        using (H5.Enter()) return Check(H5.H5Lexists(Id.Value, name, 0), Where, $"looking up '{name}'") > 0;
    }

    /// <summary>Whether member <paramref name="name"/> is a group, a dataset or something else; follows no soft or external links.</summary>
    public H5MemberKind KindOf(string name)
    {
        using (H5.Enter())
        {
            H5.LinkInfo li;
            Check(H5.H5Lget_info(Id.Value, name, &li, 0), Where, $"reading link '{name}'");
            if (li.Type != H5.LinkHard) return H5MemberKind.Other;
            using var obj = H5Id.Check(H5.H5Oopen(Id.Value, name, 0), H5IdKind.Object, Where, $"opening '{name}'");
            return H5.H5Iget_type(obj.Value) switch
            {
                H5.IdGroup => H5MemberKind.Group,
                H5.IdDataset => H5MemberKind.Dataset,
                _ => H5MemberKind.Other,
            };
        }
    }

    /// <summary>Removes the link <paramref name="name"/>.</summary>
    public void Delete(string name)
    {
        using (H5.Enter()) Check(H5.H5Ldelete(Id.Value, name, 0), Where, $"deleting '{name}'");
    }

    /// <summary>Creates a child group.</summary>
    public H5Group CreateGroup(string name)
    {
        using (H5.Enter())
        {
            using var gcpl = Untimed(H5.GroupCreateClass, Where, "creating group properties");
            return new H5Group(H5Id.Check(H5.H5Gcreate2(Id.Value, name, 0, gcpl.Value, 0), H5IdKind.Group, Where, $"creating group '{name}'"), File, Child(name));
        }
    }

    /// <summary>
    /// A creation property list of <paramref name="cls"/> with object times off: HDF5 otherwise stamps every
    /// object header with the clock, so two files of identical content (a training run and its rerun) differ.
    /// </summary>
    internal static H5Id Untimed(long cls, string where, string what)
    {
        var pl = H5Id.Check(H5.H5Pcreate(cls), H5IdKind.PropertyList, where, what);
        Check(H5.H5Pset_obj_track_times(pl.Value, 0), where, "turning off object times");
        return pl;
    }

    /// <summary>Opens a child group.</summary>
    public H5Group OpenGroup(string name)
    {
        using (H5.Enter()) return new H5Group(H5Id.Check(H5.H5Gopen2(Id.Value, name, 0), H5IdKind.Group, Where, $"opening group '{name}'"), File, Child(name));
    }

    /// <summary>Opens a child dataset.</summary>
    public H5Dataset OpenDataset(string name)
    {
        using (H5.Enter()) return new H5Dataset(H5Id.Check(H5.H5Dopen2(Id.Value, name, 0), H5IdKind.Dataset, Where, $"opening dataset '{name}'"), File, Child(name));
    }

    /// <summary>Creates a float32 (little-endian) dataset of <paramref name="shape"/>, one chunk with a Fletcher-32 checksum.</summary>
    public H5Dataset CreateDataset(string name, ReadOnlySpan<float> data, params int[] shape)
    {
        fixed (float* p = data) return Create(name, p, data.Length, 4, shape, H5.IeeeF32Le, H5.NativeFloat);
    }

    /// <summary>Creates an int32 (little-endian) dataset of <paramref name="shape"/>, one chunk with a Fletcher-32 checksum.</summary>
    public H5Dataset CreateDataset(string name, ReadOnlySpan<int> data, params int[] shape)
    {
        fixed (int* p = data) return Create(name, p, data.Length, 4, shape, H5.StdI32Le, H5.NativeInt);
    }

    private H5Dataset Create(string name, void* data, int length, int elementSize, int[] shape, long fileType, long memType)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new RawConvException($"{Where}: dataset '{name}' shape ({string.Join(", ", shape)}) has a negative dimension");
            count *= d;
        }
        if (count != length) throw new RawConvException($"{Where}: dataset '{name}' shape ({string.Join(", ", shape)}) holds {count} values, got {length}");
        if (count * elementSize >= uint.MaxValue) throw new RawConvException($"{Where}: dataset '{name}' is over 4 GiB, the limit of one HDF5 chunk");
        var dims = shape.Select(d => (ulong)d).ToArray();
        using (H5.Enter())
        {
            using var dcpl = Untimed(H5.DatasetCreateClass, Where, "creating dataset properties");
            fixed (ulong* pd = dims)
            {
                if (count > 0 && shape.Length > 0)
                {
                    Check(H5.H5Pset_chunk(dcpl.Value, shape.Length, pd), Where, $"setting the chunk of '{name}'");
                    Check(H5.H5Pset_fletcher32(dcpl.Value), Where, $"adding a Fletcher-32 checksum to '{name}'");
                }
                using var space = H5Id.Check(H5.H5Screate_simple(shape.Length, pd, null), H5IdKind.Dataspace, Where, $"creating the dataspace of '{name}'");
                var ds = new H5Dataset(H5Id.Check(H5.H5Dcreate2(Id.Value, name, fileType, space.Value, 0, dcpl.Value, 0), H5IdKind.Dataset, Where, $"creating dataset '{name}'"), File, Child(name));
                try
                {
                    if (count > 0) Check(H5.H5Dwrite(ds.Id.Value, memType, 0, 0, 0, data), Where, $"writing dataset '{name}'");
                }
                catch
                {
                    ds.Dispose();
                    throw;
                }
                return ds;
            }
        }
    }
}

/// <summary>An open HDF5 file (its root group). Files are created in the 1.10 format ("libver latest"): checksummed metadata.</summary>
public sealed class H5File : H5Group
{
    private H5File(H5Id id, string path) : base(id, path, "/") { }

    /// <summary>Creates a new file; fails if <paramref name="path"/> exists.</summary>
    public static H5File Create(string path)
    {
        H5.EnsureLoaded();
        using (H5.Enter())
        {
            using var fapl = Fapl(path, latest: true);
            using var fcpl = Untimed(H5.FileCreateClass, path, "creating file-creation properties"); // the root group's times
            return new H5File(H5Id.Check(H5.H5Fcreate(path, H5.AccExcl, fcpl.Value, fapl.Value), H5IdKind.File, path, "creating the HDF5 file"), path);
        }
    }

    /// <summary>Opens an existing file, read-only unless <paramref name="writable"/>.</summary>
    public static H5File Open(string path, bool writable = false)
    {
        H5.EnsureLoaded();
        using (H5.Enter())
        {
            using var fapl = Fapl(path, latest: writable);
            return new H5File(H5Id.Check(H5.H5Fopen(path, writable ? H5.AccRdwr : H5.AccRdonly, fapl.Value), H5IdKind.File, path, "opening the HDF5 file"), path);
        }
    }

    /// <summary>Files, groups, datasets, datatypes and attributes open in the HDF5 library right now (a leak check).</summary>
    public static long OpenObjectCount()
    {
        H5.EnsureLoaded();
        using (H5.Enter()) return H5.H5Fget_obj_count(0x1F, 0x1F);
    }

    private static H5Id Fapl(string path, bool latest)
    {
        var fapl = H5Id.Check(H5.H5Pcreate(H5.FileAccessClass), H5IdKind.PropertyList, path, "creating file-access properties");
        if (latest) Check(H5.H5Pset_libver_bounds(fapl.Value, H5.LibverV110, H5.LibverV110), path, "asking for the 1.10 file format");
        H5.NoFileLocking(fapl.Value);
        return fapl;
    }
}
