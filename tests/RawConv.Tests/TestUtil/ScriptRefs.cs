using System.Diagnostics;

namespace RawConv.Tests.TestUtil;

/// <summary>
/// Reference files that a tools/ script (run with Debian's /usr/bin/python3) writes under the temp
/// directory, one folder per version of the script (keyed by its SHA-256); generated on first use into a
/// scratch folder that is then renamed, so concurrent runs never see half-written files. Tests that read
/// them are skipped with the reason when the script's Python packages are missing.
/// </summary>
public sealed class ScriptRefs
{
    /// <summary>Python with Debian's torch, torchvision, onnx, h5py, numpy, Pillow.</summary>
    public const string Python = "/usr/bin/python3";

    private readonly Lazy<(string? Dir, string Reason)> made;

    /// <param name="script">file name under tools/</param>
    /// <param name="cacheName">folder under the temp directory</param>
    /// <param name="doneFile">a file the script writes last: present means complete</param>
    /// <param name="imports">the Python modules it needs, as an import list</param>
    /// <param name="args">its arguments, given the output folder</param>
    /// <param name="timeoutMs">how long the script may run</param>
    /// <param name="requiredFile">an input file it needs (skip when absent)</param>
    public ScriptRefs(string script, string cacheName, string doneFile, string imports, Func<string, string[]> args,
        int timeoutMs = 120_000, string? requiredFile = null)
    {
        Script = Path.Combine(Repo.RepoRulesTests.Root(), "tools", script);
        made = new(() => Make(cacheName, doneFile, imports, args, timeoutMs, requiredFile));
    }

    /// <summary>The script's path in the repository.</summary>
    public string Script { get; }

    /// <summary>The reference directory; skips the calling test when it cannot be made.</summary>
    public string Dir
    {
        get
        {
            var (dir, reason) = made.Value;
            Skip.If(dir is null, reason);
            return dir!;
        }
    }

    /// <summary>Runs python3 with arguments; returns stdout, or null and the reason.</summary>
    public static (string? Stdout, string Error) RunPython(int timeoutMs, params string[] args)
    {
        if (!File.Exists(Python)) return (null, $"{Python} not found");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); return (null, "python timed out"); }
        return p.ExitCode == 0 ? (stdout.Result, "") : (null, $"python exited {p.ExitCode}: {stderr.Result}");
    }

    private (string?, string) Make(string cacheName, string doneFile, string imports, Func<string, string[]> args, int timeoutMs, string? requiredFile)
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Script)))[..12];
        var dir = Path.Combine(Path.GetTempPath(), cacheName, hash);
        if (File.Exists(Path.Combine(dir, doneFile))) return (dir, "");
        var probe = RunPython(120_000, "-c", "import " + imports);
        if (probe.Stdout is null) return (null, $"python3 with {imports} unavailable: {probe.Error}");
        if (requiredFile != null && !File.Exists(requiredFile)) return (null, $"{requiredFile} not installed");
        var scratch = $"{dir}.tmp-{Environment.ProcessId}";
        Directory.CreateDirectory(scratch);
        var (o, err) = RunPython(timeoutMs, [Script, .. args(scratch)]);
        if (o is null) return (null, $"tools/{Path.GetFileName(Script)} failed: {err}");
        try { Directory.Move(scratch, dir); }
        catch (IOException) when (File.Exists(Path.Combine(dir, doneFile))) { Directory.Delete(scratch, true); }
        return (dir, "");
    }
}
