using System.Diagnostics;

namespace RawConv.Tests.Graph.Import;

/// <summary>
/// Model files and PyTorch references made by tools/make_alexnet_refs.py under the temp directory (about
/// 1.5 GB, not committed), one folder per version of the script; generated on first use into a scratch
/// folder that is then renamed, so concurrent runs never see half-written files. Skipped with the reason
/// when /usr/bin/python3 with torch, torchvision, onnx and h5py is missing.
/// </summary>
public static class AlexRefs
{
    private static readonly Lazy<(string? Dir, string Reason)> Made = new(Make);

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

    /// <summary>A file under the reference directory.</summary>
    public static string File(string name) => Path.Combine(Dir, name);

    /// <summary>tools/make_alexnet_refs.py in the repository.</summary>
    public static string Script => Path.Combine(Repo.RepoRulesTests.Root(), "tools", "make_alexnet_refs.py");

    private static (string? Stdout, string Error) Run(int timeoutMs, params string[] args)
    {
        const string python = "/usr/bin/python3";
        if (!System.IO.File.Exists(python)) return (null, $"{python} not found");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); return (null, "python timed out"); }
        return p.ExitCode == 0 ? (stdout.Result, "") : (null, $"python exited {p.ExitCode}: {stderr.Result}");
    }

    private static (string?, string) Make()
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(Script)))[..12];
        var dir = Path.Combine(Path.GetTempPath(), "rawconv-alexnet-ref", hash);
        const string done = "torchvision_alexnet/top5.json";
        if (System.IO.File.Exists(Path.Combine(dir, done))) return (dir, "");
        var probe = Run(60_000, "-c", "import torch, torchvision, onnx, h5py, numpy, PIL");
        if (probe.Stdout is null) return (null, "python3 with torch, torchvision, onnx, h5py unavailable: " + probe.Error);
        var scratch = $"{dir}.tmp-{Environment.ProcessId}";
        var (o, err) = Run(900_000, Script, "--out", scratch);
        if (o is null) return (null, "tools/make_alexnet_refs.py failed: " + err);
        try { Directory.Move(scratch, dir); }
        catch (IOException) when (System.IO.File.Exists(Path.Combine(dir, done))) { Directory.Delete(scratch, true); }
        return (dir, "");
    }
}
