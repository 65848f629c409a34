using System.Runtime.InteropServices;

namespace RawConv.Graph.Hdf5;

/// <summary>What an HDF5 id refers to, which decides how it is closed.</summary>
internal enum H5IdKind { File, Group, Dataset, Attribute, Dataspace, Datatype, PropertyList, Object }

/// <summary>An owned HDF5 id (hid_t) that is closed exactly once, under <see cref="H5.Enter"/>, even from the finalizer.</summary>
internal sealed class H5Id : SafeHandle
{
    private readonly H5IdKind kind;

    private H5Id(long id, H5IdKind kind) : base(0, true)
    {
        this.kind = kind;
        SetHandle((nint)id);
    }

    /// <summary>The raw id for calls.</summary>
    public long Value => handle;

    public override bool IsInvalid => handle <= 0;

    /// <summary>Wraps <paramref name="id"/>; a negative id throws with HDF5's error text and <paramref name="where"/>.</summary>
    public static H5Id Check(long id, H5IdKind kind, string where, string what)
    {
        if (id < 0) throw new RawConvException($"{where}: {what} failed: {H5.ErrorText()}");
        return new H5Id(id, kind);
    }

    protected override bool ReleaseHandle()
    {
        long id = handle;
        using (H5.Enter())
        {
            _ = kind switch
            {
                H5IdKind.File => H5.H5Fclose(id),
                H5IdKind.Group => H5.H5Gclose(id),
                H5IdKind.Dataset => H5.H5Dclose(id),
                H5IdKind.Attribute => H5.H5Aclose(id),
                H5IdKind.Dataspace => H5.H5Sclose(id),
                H5IdKind.Datatype => H5.H5Tclose(id),
                H5IdKind.PropertyList => H5.H5Pclose(id),
                _ => H5.H5Oclose(id),
            };
        }
        return true;
    }
}

/// <summary>Throws with HDF5's error text when a call returns a negative status.</summary>
internal static class H5Status
{
    public static long Check(long status, string where, string what) =>
        status < 0 ? throw new RawConvException($"{where}: {what} failed: {H5.ErrorText()}") : status;
}
