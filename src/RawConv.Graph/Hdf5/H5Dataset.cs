using static RawConv.Graph.Hdf5.H5Status;

namespace RawConv.Graph.Hdf5;

/// <summary>An open HDF5 dataset: its shape, element type, storage, and its data as float32 or int32.</summary>
public sealed unsafe class H5Dataset : H5Object
{
    internal H5Dataset(H5Id id, string file, string path) : base(id, file, path) { }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public long[] Dims
    {
        get
        {
            using (H5.Enter())
            {
                using var space = H5Id.Check(H5.H5Dget_space(Id.Value), H5IdKind.Dataspace, Where, "reading the dataspace");
                int type = H5.H5Sget_simple_extent_type(space.Value);
                if (type == H5.SpaceScalar) return [];
                if (type != H5.SpaceSimple) throw new RawConvException($"{Where}: dataspace of kind {type} has no dimensions");
                int rank = (int)Check(H5.H5Sget_simple_extent_ndims(space.Value), Where, "reading the rank");
                if (rank > 32) throw new RawConvException($"{Where}: rank {rank}");
                var dims = new ulong[rank];
                fixed (ulong* p = dims) Check(H5.H5Sget_simple_extent_dims(space.Value, p, null), Where, "reading the dimensions");
                return dims.Select(d => d > long.MaxValue ? -1 : (long)d).ToArray();
            }
        }
    }

    /// <summary>"float32", "int32", "float64", "a string", ...</summary>
    public string ElementType
    {
        get
        {
            using (H5.Enter())
            {
                using var type = H5Id.Check(H5.H5Dget_type(Id.Value), H5IdKind.Datatype, Where, "reading the element type");
                return Describe(type.Value);
            }
        }
    }

    /// <summary>
    /// Null when the data sits in chunks guarded by a Fletcher-32 checksum and nothing else (no compression,
    /// no external or virtual storage); otherwise what is wrong.
    /// </summary>
    public string? StorageProblem()
    {
        using (H5.Enter())
        {
            using var dcpl = H5Id.Check(H5.H5Dget_create_plist(Id.Value), H5IdKind.PropertyList, Where, "reading the storage properties");
            int layout = H5.H5Pget_layout(dcpl.Value);
            if (layout != H5.LayoutChunked) return $"its storage layout is {layout switch { 0 => "compact", 1 => "contiguous", 3 => "virtual", _ => layout.ToString() }}, not chunked with a Fletcher-32 checksum";
            if (H5.H5Pget_external_count(dcpl.Value) != 0) return "it keeps its data in external files";
            int n = H5.H5Pget_nfilters(dcpl.Value);
            bool fletcher = false;
            for (uint i = 0; i < Math.Max(n, 0); i++)
            {
                uint flags, config;
                nuint nelmts = 0;
                int filter = H5.H5Pget_filter2(dcpl.Value, i, &flags, &nelmts, null, 0, null, &config);
                if (filter == H5.FilterFletcher32) fletcher = true;
                else return $"it uses HDF5 filter {filter} (only Fletcher-32 is allowed)";
            }
            return fletcher ? null : "it has no Fletcher-32 checksum";
        }
    }

    /// <summary>The data as float32 (the dataset must hold floats).</summary>
    public float[] ReadFloats() => Read<float>(H5.ClassFloat, H5.NativeFloat, "float");

    /// <summary>The data as int32 (the dataset must hold integers).</summary>
    public int[] ReadInts() => Read<int>(H5.ClassInteger, H5.NativeInt, "integer");

    private T[] Read<T>(int cls, long memType, string what) where T : unmanaged
    {
        using (H5.Enter())
        {
            using (var type = H5Id.Check(H5.H5Dget_type(Id.Value), H5IdKind.Datatype, Where, "reading the element type"))
                if (H5.H5Tget_class(type.Value) != cls)
                    throw new RawConvException($"{Where}: holds {Describe(type.Value)}, not {what} data");
            long count = 1;
            foreach (var d in Dims) count = d < 0 || count * (double)d > Array.MaxLength ? throw new RawConvException($"{Where}: too large ({string.Join("×", Dims)})") : count * d;
            var data = new T[count];
            if (count > 0)
                fixed (T* p = data) Check(H5.H5Dread(Id.Value, memType, 0, 0, 0, p), Where, "reading the data");
            return data;
        }
    }
}
