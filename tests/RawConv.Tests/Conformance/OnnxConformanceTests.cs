using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Conformance;

/// <summary>
/// The official ONNX backend cases (Debian libonnx-testdata) of every op family RawConv covers, on the reference
/// and OpenCL backends. Only the cases <see cref="ConformanceTable.NotApplicable"/> lists skip, with the listed
/// reason; everything else, exceptions thrown by an op included, must pass. See tests/CONFORMANCE.md.
/// </summary>
public class OnnxConformanceTests
{
    private static readonly IOnnxOps Ops = new RawConvOps();

    /// <summary>Backends of tests/CONFORMANCE.md's columns.</summary>
    public static readonly string[] BackendNames = ["reference", "opencl"];

    /// <summary>Every case on the table's backends, and on CUDA where a GPU answers (skipped elsewhere).</summary>
    public static IEnumerable<object[]> CaseData()
    {
        if (!CaseRunner.Available) return [["(libonnx-testdata not installed)", "reference"]];
        return CaseRunner.Cases().SelectMany(c => BackendNames.Append("cuda").Select(b => new object[] { c, b }));
    }

    [SkippableTheory]
    [MemberData(nameof(CaseData))]
    public void MatchesOnnxOutputs(string caseId, string backend)
    {
        Skip.IfNot(CaseRunner.Available, $"{CaseRunner.Root} is not installed (apt-get install libonnx-testdata)");
        var r = CaseRunner.Run(caseId, Backends.Get(backend), Ops);
        Skip.If(r.Status == CaseStatus.NotApplicable, r.ToString());
        Assert.True(r.Status == CaseStatus.Passed, $"{caseId} on {backend}: {r}");
    }
}

/// <summary>The runner's ONNX conversions checked with textbook host ops: every applicable case must pass.</summary>
public class CaseRunnerTests
{
    [SkippableFact]
    public void EveryApplicableCasePassesWithNaiveOps()
    {
        Skip.IfNot(CaseRunner.Available, $"{CaseRunner.Root} is not installed");
        var ops = new NaiveOps();
        var bad = new List<string>();
        int passed = 0;
        var cases = CaseRunner.Cases();
        foreach (var c in cases)
        {
            var r = CaseRunner.Run(c, Backends.Reference, ops);
            if (r.Status == CaseStatus.Passed) passed++;
            else if (r.Status != CaseStatus.NotApplicable) bad.Add($"{c}: {r}");
        }
        Assert.True(bad.Count == 0, string.Join("\n", bad));
        Assert.True(passed >= 100, $"only {passed} cases passed");
        Assert.Equal(cases.Count - ConformanceTable.NotApplicable.Count, passed);
    }

    [SkippableFact]
    public void MaxPoolIndicesFollowStorageOrder()
    {
        // test_maxpool_with_argmax_2d_precomputed_strides has storage_order = 1 (column-major indices).
        const string id = "node/test_maxpool_with_argmax_2d_precomputed_strides";
        Skip.IfNot(Directory.Exists(Path.Combine(CaseRunner.Root, id)), "case not installed");
        Assert.Equal(CaseStatus.Passed, CaseRunner.Run(id, Backends.Reference, new NaiveOps()).Status);
    }
}
