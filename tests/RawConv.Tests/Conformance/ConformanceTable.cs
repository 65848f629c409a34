using System.Text;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Conformance;

/// <summary>Builds tests/CONFORMANCE.md by running every case on every backend; never written by hand.</summary>
public static class ConformanceTable
{
    /// <summary>The command that regenerates the file.</summary>
    public const string Command =
        "RAWCONV_WRITE_CONFORMANCE=1 dotnet test tests/RawConv.Tests -c Release --filter FullyQualifiedName~ConformanceTableTests";

    /// <summary>Name of the last column: the runner's conversions checked with <see cref="NaiveOps"/>.</summary>
    public const string RunnerCheck = "runner check (naive host ops)";

    /// <summary>
    /// Runs all cases with <paramref name="ops"/> on each backend, plus once with <see cref="NaiveOps"/> on the
    /// reference backend, and renders the Markdown table with per-column counts.
    /// </summary>
    public static string Build(IOnnxOps ops, IReadOnlyList<(string Name, IBackend? Backend)> backends)
    {
        var cases = CaseRunner.Cases();
        var naive = new NaiveOps();
        var results = cases.Select(c => backends.Select(b => b.Backend is null
            ? new CaseResult(CaseStatus.Failed, "backend unavailable") : CaseRunner.Run(c, b.Backend, ops))
            .Append(CaseRunner.Run(c, Backends.Reference, naive)).ToArray()).ToArray();
        var columns = backends.Select(b => b.Name).Append(RunnerCheck).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("# ONNX backend conformance");
        sb.AppendLine();
        sb.AppendLine("Generated, never edited by hand: `" + Command + "`.");
        sb.AppendLine();
        sb.AppendLine($"Cases: every directory of `{CaseRunner.Root}/{{{string.Join(",", CaseRunner.Folders)}}}` whose name belongs to an op");
        sb.AppendLine("family RawConv covers (Debian package libonnx-testdata). Each runs `model.onnx` on every `test_data_set_*`");
        sb.AppendLine($"and compares every output with `output_K.pb`: |ours − onnx| ≤ {CaseRunner.Atol:g2} + {CaseRunner.Rtol:g2}·|onnx|,");
        sb.AppendLine("shapes and switch indices exactly. \"n/a\" says why RawConv's ops cannot express the case; \"pending\" means the");
        sb.AppendLine("op family was not merged into this build (tests/RawConv.Tests/Conformance/RawConvOps.cs). The last column runs the");
        sb.AppendLine("same conversions on textbook host loops (NaiveOps.cs): where it passes and a backend fails, the op is at fault.");
        sb.AppendLine();
        sb.AppendLine("| Backend | Cases | Passed | Failed | Pending | Not applicable |");
        sb.AppendLine("|---|---|---|---|---|---|");
        for (int b = 0; b < columns.Length; b++)
        {
            int Count(CaseStatus s) => results.Count(r => r[b].Status == s);
            sb.AppendLine($"| {columns[b]} | {cases.Count} | {Count(CaseStatus.Passed)} | {Count(CaseStatus.Failed)} | {Count(CaseStatus.Pending)} | {Count(CaseStatus.NotApplicable)} |");
        }
        sb.AppendLine();
        sb.AppendLine("| Case | ONNX ops | " + string.Join(" | ", columns) + " |");
        sb.AppendLine("|---|---|" + string.Concat(columns.Select(_ => "---|")));
        for (int c = 0; c < cases.Count; c++)
            sb.AppendLine($"| {cases[c]} | {Cell(CaseRunner.OpTypes(cases[c]))} | {string.Join(" | ", results[c].Select(r => Cell(r.ToString())))} |");
        return sb.ToString();
    }

    private static string Cell(string s)
    {
        s = s.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
        return s.Length > 240 ? s[..240] + "…" : s;
    }

    /// <summary>The repository root: the nearest folder above the test binaries holding RawConv.sln.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "RawConv.sln"))) return d.FullName;
        throw new InvalidOperationException("RawConv.sln not found above " + AppContext.BaseDirectory);
    }
}

public class ConformanceTableTests
{
    /// <summary>
    /// With RAWCONV_WRITE_CONFORMANCE=1 writes tests/CONFORMANCE.md; otherwise checks that the committed file
    /// matches what the harness produces now (skipped where OpenCL or the test data are missing).
    /// </summary>
    [SkippableFact]
    public void TableMatchesTheHarness()
    {
        Skip.IfNot(CaseRunner.Available, $"{CaseRunner.Root} is not installed");
        var backends = OnnxConformanceTests.BackendNames.Select(n => (n, TryGet(n))).ToList();
        bool write = Environment.GetEnvironmentVariable("RAWCONV_WRITE_CONFORMANCE") == "1";
        Skip.If(!write && backends.Any(b => b.Item2 is null), "a backend is unavailable; the table would differ");
        var text = ConformanceTable.Build(new RawConvOps(), backends);
        var path = Path.Combine(ConformanceTable.RepoRoot(), "tests", "CONFORMANCE.md");
        if (write) { File.WriteAllText(path, text); return; }
        Assert.True(File.Exists(path) && File.ReadAllText(path) == text,
            $"{path} is missing or stale; regenerate it with: {ConformanceTable.Command}");
    }

    private static IBackend? TryGet(string name)
    {
        try { return Backends.Get(name); }
        catch (SkipException) { return null; }
    }
}
