using System.Diagnostics;
using System.Text.Json;

namespace RawConv.Bench;

/// <summary>Runs a PyTorch peer script from tools/ and reads its one JSON object; command-line argument lookup.</summary>
public static class Peer
{
    /// <summary>Runs /usr/bin/python3 tools/<paramref name="script"/> with <paramref name="args"/>; its stdout must be one JSON object.</summary>
    public static JsonElement Run(string script, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Compare.RepoRoot(), "tools", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"tools/{script} failed (is python3-torch installed?):\n{stderr.Result}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>
    /// The peer as the table headers state it, measured by tools/peer_blas.py inside the peer's own process, e.g.
    /// "PyTorch 1.13.0a0, 2 threads (oneDNN for conv; BLAS: OpenBLAS 0.3.21 pthread, its own 2 threads)": the
    /// reference BLAS makes PyTorch several times slower, so no comparison goes out without naming the one it ran on.
    /// </summary>
    public static string Describe(JsonElement peer) =>
        peer.TryGetProperty("backend", out var b) && b.TryGetProperty("summary", out var s) && s.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidOperationException("the peer did not report its backend (tools/peer_blas.py): its BLAS is unknown, so its times cannot be compared");

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    public static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
