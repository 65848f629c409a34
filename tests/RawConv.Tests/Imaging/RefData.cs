using System.Diagnostics;

namespace RawConv.Tests.Imaging;

/// <summary>
/// Pillow/numpy reference dumps made by tools/dump_images.py under the temp directory (not committed), one
/// folder per version of the script; generated on first use into a scratch folder that is then renamed, so
/// concurrent test runs never see half-written files. Skipped with the reason when /usr/bin/python3 with
/// Pillow and numpy is missing.
/// </summary>
public static class RefData
{
    private static readonly Lazy<(string? Dir, string Reason)> Made = new(Make);

    /// <summary>Python with Pillow 9.4 and numpy (the Debian one).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The reference directory; skips the calling test when it cannot be made.</summary>
    public static string Dir
    {
        get
        {
            var (dir, reason) = Made.Value;
            Skip.If(dir is null, reason);
            return dir!;
        }
    }

    /// <summary>Manifest entries (name, kind, absolute input path).</summary>
    public static IEnumerable<(string Name, string Kind, string Path)> Entries(string kind) =>
        File.ReadAllLines(System.IO.Path.Combine(Dir, "manifest.tsv")).Where(l => l.Length > 0)
            .Select(l => l.Split('\t')).Where(p => p[1] == kind).Select(p => (p[0], p[1], System.IO.Path.Combine(Dir, p[2])));

    /// <summary>Runs python3 with arguments; returns stdout, or null and the reason.</summary>
    public static (string? Stdout, string Error) RunPython(params string[] args)
    {
        if (!File.Exists(Python)) return (null, $"{Python} not found");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(); return (null, "python timed out"); }
        return p.ExitCode == 0 ? (stdout.Result, "") : (null, $"python exited {p.ExitCode}: {stderr.Result}");
    }

    /// <summary>tools/dump_images.py in the repository.</summary>
    public static string Script => System.IO.Path.Combine(Repo.RepoRulesTests.Root(), "tools", "dump_images.py");

    private static (string?, string) Make()
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Script)))[..12];
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rawconv-imaging-ref", hash);
        if (File.Exists(System.IO.Path.Combine(dir, "manifest.tsv"))) return (dir, "");
        var probe = RunPython("-c", "import PIL, numpy");
        if (probe.Stdout is null) return (null, "python3 with Pillow and numpy unavailable: " + probe.Error);
        var scratch = $"{dir}.tmp-{Environment.ProcessId}";
        var (o, err) = RunPython(Script, scratch);
        if (o is null) return (null, "tools/dump_images.py failed: " + err);
        try { Directory.Move(scratch, dir); }
        catch (IOException) when (File.Exists(System.IO.Path.Combine(dir, "manifest.tsv"))) { Directory.Delete(scratch, true); }
        return (dir, "");
    }
}
