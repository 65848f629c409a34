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

    private const string ExpandedSoftmax = "uses ReduceMax, Sub, Exp, ReduceSum, Div (not RawConv ops)";
    private const string ExpandedLogSoftmax = "uses ReduceMax, Sub, Exp, ReduceSum, Log (not RawConv ops)";
    private const string OneD = CaseRunner.OneD, ThreeD = CaseRunner.ThreeD;

    private static string TrainingDropout(string ratio) =>
        $"training-mode dropout with ratio {ratio}: the mask is random and ONNX's generator is unspecified";

    /// <summary>
    /// The only cases that may skip, each with the reason RawConv's ops cannot express it. The runner must reach
    /// the same reason; a listed case that runs, and an unlisted case the runner calls not applicable, fail.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotApplicable = new Dictionary<string, string>
    {
        ["node/test_averagepool_1d_default"] = OneD,
        ["node/test_averagepool_3d_default"] = ThreeD,
        ["node/test_convtranspose_1d"] = OneD,
        ["node/test_convtranspose_3d"] = ThreeD,
        ["node/test_gridsample_bicubic"] = "mode bicubic (Warp is bilinear)",
        ["node/test_gridsample_nearest"] = "mode nearest (Warp is bilinear)",
        ["node/test_gridsample_reflection_padding"] = "padding_mode reflection (Warp pads with zeros or the border)",
        ["node/test_logsoftmax_axis_0_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_axis_1_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_axis_2_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_default_axis_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_example_1_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_large_number_expanded"] = ExpandedLogSoftmax,
        ["node/test_logsoftmax_negative_axis_expanded"] = ExpandedLogSoftmax,
        ["node/test_maxpool_1d_default"] = OneD,
        ["node/test_maxpool_2d_uint8"] = "uint8 input (RawConv's tensors are float32)",
        ["node/test_maxpool_3d_default"] = ThreeD,
        ["node/test_softmax_axis_0_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_axis_1_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_axis_2_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_default_axis_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_example_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_large_number_expanded"] = ExpandedSoftmax,
        ["node/test_softmax_negative_axis_expanded"] = ExpandedSoftmax,
        ["node/test_training_dropout"] = TrainingDropout("0.75"),
        ["node/test_training_dropout_default"] = TrainingDropout("0.5"),
        ["node/test_training_dropout_default_mask"] = TrainingDropout("0.5"),
        ["node/test_training_dropout_mask"] = TrainingDropout("0.75"),
        ["pytorch-converted/test_AvgPool3d"] = ThreeD,
        ["pytorch-converted/test_AvgPool3d_stride"] = ThreeD,
        ["pytorch-converted/test_AvgPool3d_stride1_pad0_gpu_input"] = ThreeD,
        ["pytorch-converted/test_Conv1d"] = OneD,
        ["pytorch-converted/test_Conv1d_dilated"] = OneD,
        ["pytorch-converted/test_Conv1d_groups"] = OneD,
        ["pytorch-converted/test_Conv1d_pad1"] = OneD,
        ["pytorch-converted/test_Conv1d_pad1size1"] = OneD,
        ["pytorch-converted/test_Conv1d_pad2"] = OneD,
        ["pytorch-converted/test_Conv1d_pad2size1"] = OneD,
        ["pytorch-converted/test_Conv1d_stride"] = OneD,
        ["pytorch-converted/test_Conv3d"] = ThreeD,
        ["pytorch-converted/test_Conv3d_dilated"] = ThreeD,
        ["pytorch-converted/test_Conv3d_dilated_strided"] = ThreeD,
        ["pytorch-converted/test_Conv3d_groups"] = ThreeD,
        ["pytorch-converted/test_Conv3d_no_bias"] = ThreeD,
        ["pytorch-converted/test_Conv3d_stride"] = ThreeD,
        ["pytorch-converted/test_Conv3d_stride_padding"] = ThreeD,
        ["pytorch-converted/test_MaxPool1d"] = OneD,
        ["pytorch-converted/test_MaxPool1d_stride"] = OneD,
        ["pytorch-converted/test_MaxPool1d_stride_padding_dilation"] = OneD,
        ["pytorch-converted/test_MaxPool3d"] = ThreeD,
        ["pytorch-converted/test_MaxPool3d_stride"] = ThreeD,
        ["pytorch-converted/test_MaxPool3d_stride_padding"] = ThreeD,
        ["pytorch-operator/test_operator_maxpool"] = OneD,
    };

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
        sb.AppendLine("shapes and switch indices exactly. \"n/a\" cases are the ones `ConformanceTable.NotApplicable`");
        sb.AppendLine("(tests/RawConv.Tests/Conformance/ConformanceTable.cs) lists, with the reason RawConv's ops cannot express them;");
        sb.AppendLine("the runner must reach that same reason. Every other case must pass: an exception thrown by an op fails it. The");
        sb.AppendLine("last column runs the same conversions on textbook host loops (NaiveOps.cs): where it passes and a backend fails,");
        sb.AppendLine("the op is at fault.");
        sb.AppendLine();
        sb.AppendLine("| Backend | Cases | Passed | Failed | Not applicable |");
        sb.AppendLine("|---|---|---|---|---|");
        for (int b = 0; b < columns.Length; b++)
        {
            int Count(CaseStatus s) => results.Count(r => r[b].Status == s);
            sb.AppendLine($"| {columns[b]} | {cases.Count} | {Count(CaseStatus.Passed)} | {Count(CaseStatus.Failed)} | {Count(CaseStatus.NotApplicable)} |");
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
