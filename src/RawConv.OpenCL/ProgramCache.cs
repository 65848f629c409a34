using System.Security.Cryptography;
using System.Text;

namespace RawConv.OpenCL;

/// <summary>
/// On-disk cache of built OpenCL program binaries, keyed by SHA-256 of the source, build options,
/// device and driver version. Directory: RAWCONV_CACHE_DIR, else ~/.cache/rawconv/opencl; set
/// RAWCONV_CACHE_DIR=off to disable. A binary the driver rejects is ignored and rebuilt from source.
/// </summary>
internal static unsafe class ProgramCache
{
    public static string? Dir
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("RAWCONV_CACHE_DIR");
            if (env == "off") return null;
            if (!string.IsNullOrEmpty(env)) return env;
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "rawconv", "opencl");
        }
    }

    public static string Key(string source, string options, DeviceInfo info) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{source}\n{options}\n{info.Name}\n{info.Vendor}\n{info.Version}")));

    public static int Build(nint program, nint device, string options)
    {
        var o = Encoding.ASCII.GetBytes(options + "\0");
        fixed (byte* op = o) return Cl.clBuildProgram(program, 1, &device, op, 0, 0);
    }

    /// <summary>A built program from the cache, or 0 when absent or rejected.</summary>
    public static nint TryLoad(nint context, nint device, string key, string options)
    {
        if (Dir is not { } dir) return 0;
        var path = Path.Combine(dir, key + ".bin");
        byte[] bin;
        try { bin = File.ReadAllBytes(path); }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
        if (bin.Length == 0) return 0;
        int status, err;
        nint p;
        fixed (byte* b = bin)
        {
            byte* ptr = b;
            nuint len = (nuint)bin.Length;
            p = Cl.clCreateProgramWithBinary(context, 1, &device, &len, &ptr, &status, &err);
        }
        if (err != Cl.Success || status != Cl.Success) { if (p != 0) Cl.clReleaseProgram(p); return 0; }
        if (Build(p, device, options) != Cl.Success) { Cl.clReleaseProgram(p); return 0; }
        return p;
    }

    /// <summary>Writes the program's binary to the cache (atomically: temp file, then rename); failures are ignored.</summary>
    public static void Save(nint program, string key)
    {
        if (Dir is not { } dir) return;
        nuint size;
        if (Cl.clGetProgramInfo(program, Cl.ProgramBinarySizes, (nuint)sizeof(nuint), &size, null) != Cl.Success || size == 0) return;
        var bin = new byte[(int)size];
        fixed (byte* b = bin)
        {
            byte* ptr = b;
            if (Cl.clGetProgramInfo(program, Cl.ProgramBinaries, (nuint)sizeof(nint), &ptr, null) != Cl.Success) return;
        }
        try
        {
            Directory.CreateDirectory(dir);
            var tmp = Path.Combine(dir, $"{key}.{Environment.ProcessId}.tmp");
            File.WriteAllBytes(tmp, bin);
            File.Move(tmp, Path.Combine(dir, key + ".bin"), overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
