using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawConv.Graph.Hdf5;

/// <summary>
/// P/Invoke bindings to the HDF5 1.10 C library (Debian <c>libhdf5-103-1</c>): only what the weights
/// files need. hid_t is int64 in 1.10; the predefined type and property-class ids are global variables
/// read after <c>H5open()</c>. The serial library is not thread-safe: every call goes through
/// <see cref="Enter"/>.
/// </summary>
internal static unsafe partial class H5
{
    private const string Lib = "rawconv-hdf5";
    private static readonly string[] Candidates = ["libhdf5_serial.so.103", "libhdf5.so.103", "libhdf5.so"];
    private static nint handle;
    private static string? loadError;

    private static readonly object Sync = new();
    [ThreadStatic] private static bool quiet;

    /// <summary>
    /// Takes the library lock (re-entrant) for the calls of one operation and, once per thread, turns off
    /// HDF5's automatic error printing (the library is built thread-safe, so that setting is per thread).
    /// </summary>
    public static Scope Enter()
    {
        Monitor.Enter(Sync);
        if (!quiet && loadError == null)
        {
            H5Eset_auto2(Default, 0, 0);
            quiet = true;
        }
        return new Scope();
    }

    /// <summary>Releases the lock taken by <see cref="Enter"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        public void Dispose() => Monitor.Exit(Sync);
    }

    public const long Default = 0;              // H5P_DEFAULT, H5E_DEFAULT, H5S_ALL
    public const uint AccRdonly = 0, AccRdwr = 1, AccExcl = 4;
    public const int LibverV110 = 2;            // H5F_LIBVER_LATEST in 1.10
    public const int ClassInteger = 0, ClassFloat = 1, ClassString = 3;
    public const int StrNullterm = 0, StrNullpad = 1, StrSpacepad = 2, CsetUtf8 = 1;
    public const int SpaceScalar = 0, SpaceSimple = 1;
    public const int LayoutChunked = 2, LinkHard = 0;
    public const int IdGroup = 2, IdDataset = 5;
    public const int FilterFletcher32 = 3;

    /// <summary>H5G_info_t (1.10): storage type, link count, max creation order, mounted.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GroupInfo { public int StorageType; public ulong NLinks; public long MaxCorder; public byte Mounted; }

    /// <summary>H5L_info_t (1.10): link type first; the rest is read but not used.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LinkInfo { public int Type; public byte CorderValid; public long Corder; public int Cset; public ulong Address; }

    /// <summary>H5E_error2_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ErrorRecord { public long ClsId, MajNum, MinNum; public uint Line; public byte* FuncName, FileName, Desc; }

    public static long NativeFloat, NativeInt, NativeLlong, IeeeF32Le, StdI32Le, StdI64Le, CS1, FileAccessClass, DatasetCreateClass, GroupCreateClass, FileCreateClass;

    static H5()
    {
        NativeLibrary.SetDllImportResolver(typeof(H5).Assembly, Resolve);
        try
        {
            foreach (var name in Candidates)
                if (NativeLibrary.TryLoad(name, out handle)) break;
            if (handle == 0)
            {
                loadError = $"the HDF5 library could not be loaded (tried {string.Join(", ", Candidates)}); install libhdf5-103-1 (Debian/Ubuntu: apt-get install libhdf5-103-1)";
                return;
            }
            uint maj, min, rel;
            if (H5open() < 0 || H5get_libversion(&maj, &min, &rel) < 0)
            {
                loadError = "the HDF5 library failed to initialise (H5open)";
                return;
            }
            if (maj != 1 || min != 10)
            {
                loadError = $"found HDF5 {maj}.{min}.{rel}; RawConv's bindings target the 1.10 ABI: install libhdf5-103-1";
                return;
            }
            H5Eset_auto2(Default, 0, 0);
            NativeFloat = Global("H5T_NATIVE_FLOAT_g");
            NativeInt = Global("H5T_NATIVE_INT_g");
            NativeLlong = Global("H5T_NATIVE_LLONG_g");
            IeeeF32Le = Global("H5T_IEEE_F32LE_g");
            StdI32Le = Global("H5T_STD_I32LE_g");
            StdI64Le = Global("H5T_STD_I64LE_g");
            CS1 = Global("H5T_C_S1_g");
            FileAccessClass = Global("H5P_CLS_FILE_ACCESS_ID_g");
            DatasetCreateClass = Global("H5P_CLS_DATASET_CREATE_ID_g");
            GroupCreateClass = Global("H5P_CLS_GROUP_CREATE_ID_g");
            FileCreateClass = Global("H5P_CLS_FILE_CREATE_ID_g");
            if (NativeLibrary.TryGetExport(handle, "H5Pset_file_locking", out var fl))
                setFileLocking = (delegate* unmanaged<long, byte, byte, int>)fl;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            loadError = $"the HDF5 library is unusable ({e.Message}); install libhdf5-103-1";
        }
    }

    private static delegate* unmanaged<long, byte, byte, int> setFileLocking;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name == Lib ? handle : 0;

    private static long Global(string symbol) => *(long*)NativeLibrary.GetExport(handle, symbol);

    /// <summary>Throws a <see cref="RawConvException"/> saying how to install HDF5 when the library did not load.</summary>
    public static void EnsureLoaded()
    {
        if (loadError != null) throw new RawConvException("hdf5: " + loadError);
    }

    /// <summary>Turns off HDF5's file locking (the weights files are written to a temp name and renamed).</summary>
    public static void NoFileLocking(long fapl)
    {
        if (setFileLocking != null) setFileLocking(fapl, 0, 1);
    }

    [ThreadStatic] private static List<(string Func, string Desc, long Minor)>? walked;

    /// <summary>The current error stack as text, innermost cause last ("H5Fopen: unable to open file; ...").</summary>
    public static string ErrorText()
    {
        walked = new();
        H5Ewalk2(Default, 1, &Walk, null);
        var parts = new List<string>();
        for (int i = 0; i < walked.Count; i++)
        {
            var (func, desc, minor) = walked[i];
            var text = $"{func}: {desc}";
            // Only the innermost record's minor message adds information; the outer ones repeat "Read failed".
            var msg = i == walked.Count - 1 ? MinorMessage(minor) : "";
            if (msg.Length > 0 && !desc.Contains(msg, StringComparison.OrdinalIgnoreCase)) text += $" ({msg})";
            if (!parts.Contains(text)) parts.Add(text);
        }
        H5Eclear2(Default);
        walked = null;
        return parts.Count switch
        {
            0 => "no detail from the HDF5 library",
            <= 2 => string.Join("; ", parts),
            _ => $"{parts[0]}; …; {parts[^1]}",
        };
    }

    private static string MinorMessage(long id)
    {
        var buf = stackalloc byte[256];
        int type;
        var n = H5Eget_msg(id, &type, buf, 256);
        return n > 0 ? Marshal.PtrToStringUTF8((nint)buf) ?? "" : "";
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Walk(uint n, ErrorRecord* e, void* client)
    {
        walked?.Add((Marshal.PtrToStringUTF8((nint)e->FuncName) ?? "?", Marshal.PtrToStringUTF8((nint)e->Desc) ?? "?", e->MinNum));
        return 0;
    }

    [LibraryImport(Lib)] public static partial int H5open();
    [LibraryImport(Lib)] public static partial int H5get_libversion(uint* maj, uint* min, uint* rel);
    [LibraryImport(Lib)] public static partial int H5Eset_auto2(long stack, nint func, nint data);
    [LibraryImport(Lib)] public static partial int H5Ewalk2(long stack, int direction, delegate* unmanaged[Cdecl]<uint, ErrorRecord*, void*, int> func, void* data);
    [LibraryImport(Lib)] public static partial nint H5Eget_msg(long id, int* type, byte* msg, nuint size);
    [LibraryImport(Lib)] public static partial int H5Eclear2(long stack);

    [LibraryImport(Lib)] public static partial long H5Pcreate(long cls);
    [LibraryImport(Lib)] public static partial int H5Pclose(long plist);
    [LibraryImport(Lib)] public static partial int H5Pset_libver_bounds(long fapl, int low, int high);
    [LibraryImport(Lib)] public static partial int H5Pset_chunk(long dcpl, int rank, ulong* dims);
    [LibraryImport(Lib)] public static partial int H5Pset_fletcher32(long dcpl);
    /// <summary>track: hbool_t (C bool in HDF5 1.10). Off, objects carry no access/modify/change/birth times.</summary>
    [LibraryImport(Lib)] public static partial int H5Pset_obj_track_times(long ocpl, byte track);
    [LibraryImport(Lib)] public static partial int H5Pget_layout(long dcpl);
    [LibraryImport(Lib)] public static partial int H5Pget_nfilters(long dcpl);
    [LibraryImport(Lib)] public static partial int H5Pget_filter2(long dcpl, uint idx, uint* flags, nuint* cdNelmts, uint* cdValues, nuint nameLen, byte* name, uint* config);
    [LibraryImport(Lib)] public static partial int H5Pget_external_count(long dcpl);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Fcreate(string name, uint flags, long fcpl, long fapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Fopen(string name, uint flags, long fapl);
    [LibraryImport(Lib)] public static partial int H5Fclose(long file);
    [LibraryImport(Lib)] public static partial nint H5Fget_obj_count(long file, uint types);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Gcreate2(long loc, string name, long lcpl, long gcpl, long gapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Gopen2(long loc, string name, long gapl);
    [LibraryImport(Lib)] public static partial int H5Gclose(long group);
    [LibraryImport(Lib)] public static partial int H5Gget_info(long group, GroupInfo* info);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial nint H5Lget_name_by_idx(long loc, string group, int indexType, int order, ulong n, byte* name, nuint size, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int H5Lget_info(long loc, string name, LinkInfo* info, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int H5Lexists(long loc, string name, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int H5Ldelete(long loc, string name, long lapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Oopen(long loc, string name, long lapl);
    [LibraryImport(Lib)] public static partial int H5Oclose(long obj);
    [LibraryImport(Lib)] public static partial int H5Iget_type(long id);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Dcreate2(long loc, string name, long type, long space, long lcpl, long dcpl, long dapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Dopen2(long loc, string name, long dapl);
    [LibraryImport(Lib)] public static partial int H5Dclose(long dset);
    [LibraryImport(Lib)] public static partial long H5Dget_space(long dset);
    [LibraryImport(Lib)] public static partial long H5Dget_type(long dset);
    [LibraryImport(Lib)] public static partial long H5Dget_create_plist(long dset);
    [LibraryImport(Lib)] public static partial int H5Dread(long dset, long memType, long memSpace, long fileSpace, long xfer, void* buf);
    [LibraryImport(Lib)] public static partial int H5Dwrite(long dset, long memType, long memSpace, long fileSpace, long xfer, void* buf);

    [LibraryImport(Lib)] public static partial long H5Screate(int type);
    [LibraryImport(Lib)] public static partial long H5Screate_simple(int rank, ulong* dims, ulong* maxDims);
    [LibraryImport(Lib)] public static partial int H5Sclose(long space);
    [LibraryImport(Lib)] public static partial int H5Sget_simple_extent_type(long space);
    [LibraryImport(Lib)] public static partial int H5Sget_simple_extent_ndims(long space);
    [LibraryImport(Lib)] public static partial int H5Sget_simple_extent_dims(long space, ulong* dims, ulong* maxDims);
    [LibraryImport(Lib)] public static partial long H5Sget_simple_extent_npoints(long space);

    [LibraryImport(Lib)] public static partial long H5Tcopy(long type);
    [LibraryImport(Lib)] public static partial int H5Tclose(long type);
    [LibraryImport(Lib)] public static partial int H5Tset_size(long type, nuint size);
    [LibraryImport(Lib)] public static partial int H5Tset_strpad(long type, int pad);
    [LibraryImport(Lib)] public static partial int H5Tset_cset(long type, int cset);
    [LibraryImport(Lib)] public static partial int H5Tget_class(long type);
    [LibraryImport(Lib)] public static partial nuint H5Tget_size(long type);
    [LibraryImport(Lib)] public static partial int H5Tget_strpad(long type);
    [LibraryImport(Lib)] public static partial int H5Tis_variable_str(long type);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Acreate2(long loc, string name, long type, long space, long acpl, long aapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial long H5Aopen(long obj, string name, long aapl);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int H5Aexists(long obj, string name);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int H5Adelete(long obj, string name);
    [LibraryImport(Lib)] public static partial int H5Aclose(long attr);
    [LibraryImport(Lib)] public static partial long H5Aget_type(long attr);
    [LibraryImport(Lib)] public static partial long H5Aget_space(long attr);
    [LibraryImport(Lib)] public static partial int H5Aread(long attr, long memType, void* buf);
    [LibraryImport(Lib)] public static partial int H5Awrite(long attr, long memType, void* buf);
}
