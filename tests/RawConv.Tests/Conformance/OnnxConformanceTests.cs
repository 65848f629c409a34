using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Conformance;

/// <summary>
/// The official ONNX backend cases (Debian libonnx-testdata) of every op family RawConv covers, on the reference
/// and OpenCL backends. Not-applicable and pending cases skip with their reason; see tests/CONFORMANCE.md.
/// </summary>
public class OnnxConformanceTests
{
    private static readonly IOnnxOps Ops = new RawConvOps();

    /// <summary>Backends every case runs on.</summary>
    public static readonly string[] BackendNames = ["reference", "opencl"];

    public static IEnumerable<object[]> CaseData()
    {
        if (!CaseRunner.Available) return [["(libonnx-testdata not installed)", "reference"]];
        return CaseRunner.Cases().SelectMany(c => BackendNames.Select(b => new object[] { c, b }));
    }

    [SkippableTheory]
    [MemberData(nameof(CaseData))]
    public void MatchesOnnxOutputs(string caseId, string backend)
    {
        Skip.IfNot(CaseRunner.Available, $"{CaseRunner.Root} is not installed (apt-get install libonnx-testdata)");
        var r = CaseRunner.Run(caseId, Backends.Get(backend), Ops);
        Skip.If(r.Status is CaseStatus.NotApplicable or CaseStatus.Pending, r.ToString());
        Assert.True(r.Status == CaseStatus.Passed, $"{caseId} on {backend}: {r}");
    }
}
