using System.Diagnostics;
using System.Text.Json;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Repo;

/// <summary>
/// tools/peer_blas.py, which the bench tables quote for the peer's BLAS, names the library the dynamic loader
/// really gave PyTorch: the one Debian's libblas.so.3 alternative points to, or the reference BLAS when
/// LD_LIBRARY_PATH puts it first.
/// </summary>
public class PeerBlasTests
{
    private const string LibDir = "/usr/lib/x86_64-linux-gnu";

    [SkippableFact]
    public void TheBlasNamedIsTheOneTheAlternativePointsTo()
    {
        string link = Path.Combine(LibDir, "libblas.so.3");
        Skip.IfNot(File.Exists(link), $"no {link}");
        string expected = RealPath(link);
        var d = Describe(null);
        Assert.Equal(expected, d.GetProperty("blas_library").GetString());
        string blas = d.GetProperty("blas").GetString()!;
        if (expected.Contains("/openblas"))
            Assert.Matches(@"^OpenBLAS \d+\.\d+\.\d+ (pthread|OpenMP|serial), its own \d+ threads?$", blas);
        Assert.Contains($"BLAS: {blas})", d.GetProperty("summary").GetString());
        Assert.StartsWith($"PyTorch {d.GetProperty("torch").GetString()}, ", d.GetProperty("summary").GetString());
    }

    [SkippableFact]
    public void TheReferenceBlasFirstOnTheLibraryPathIsNamedAsSuch()
    {
        string refDir = Path.Combine(LibDir, "blas");
        Skip.IfNot(File.Exists(Path.Combine(refDir, "libblas.so.3")), "the reference BLAS (libblas3) is not installed");
        var d = Describe(refDir);
        string expected = RealPath(Path.Combine(refDir, "libblas.so.3"));
        Assert.Equal(expected, d.GetProperty("blas_library").GetString());
        Assert.Equal($"reference BLAS at {expected}", d.GetProperty("blas").GetString());
    }

    private static string RealPath(string path) => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;

    private static JsonElement Describe(string? libraryPath)
    {
        var psi = new ProcessStartInfo(ScriptRefs.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(RepoRulesTests.Root(), "tools", "peer_blas.py"));
        if (libraryPath != null) psi.Environment["LD_LIBRARY_PATH"] = libraryPath;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "tools/peer_blas.py did not finish in 120 s");
        Skip.If(p.ExitCode != 0 && stderr.Result.Contains("No module named 'torch'"), "python3-torch is not installed");
        Assert.True(p.ExitCode == 0, stderr.Result);
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
