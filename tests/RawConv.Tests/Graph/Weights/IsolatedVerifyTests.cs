using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Weights;

/// <summary>The child-process check: a crash, a hang or a failure of the checker becomes a RawConvException naming the file.</summary>
[Collection("hdf5")]
public sealed class IsolatedVerifyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-verify-").FullName;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    public void Dispose() => Directory.Delete(dir, true);

    private string File(string name = "w.h5") => Path.Combine(dir, name);

    [Fact]
    public void CrashOfTheCheckerIsReportedNamingTheFile()
    {
        var e = Assert.Throws<RawConvException>(() => WeightsFile.VerifyInChildProcess(File(), "/bin/sh", ["-c", "kill -SEGV $$"], Long));
        Assert.Contains(File(), e.Message);
        Assert.Contains("signal 11", e.Message);
    }

    [Fact]
    public void HangOfTheCheckerIsStoppedAndReported()
    {
        var e = Assert.Throws<RawConvException>(() => WeightsFile.VerifyInChildProcess(File(), "/bin/sh", ["-c", "sleep 20"], TimeSpan.FromSeconds(0.5)));
        Assert.Contains(File(), e.Message);
        Assert.Contains("did not finish", e.Message);
    }

    [Fact]
    public void CheckerVerdictIsPassedOn()
    {
        WeightsFile.VerifyInChildProcess(File(), "/bin/sh", ["-c", "exit 0"], Long);
        var e = Assert.Throws<RawConvException>(() => WeightsFile.VerifyInChildProcess(File(), "/bin/sh", ["-c", "echo \"$0: corrupt: bad object header\" >&2; exit 1"], Long));
        Assert.Equal($"{File()}: corrupt: bad object header", e.Message);
        var missing = Assert.Throws<RawConvException>(() => WeightsFile.VerifyInChildProcess(File(), "/no/such/checker", [], Long));
        Assert.Contains(File(), missing.Message);
    }

    [Fact]
    public void VerifyReadsAGoodFileAndRejectsABadOne()
    {
        using var net = WeightsFileTests.TinyNet(Backends.Reference);
        WeightsFile.Save(net, File());
        WeightsFile.Verify(File());
        var bytes = System.IO.File.ReadAllBytes(File());
        System.IO.File.WriteAllBytes(File(), bytes[..^1]);
        Assert.Contains(File(), Assert.Throws<RawConvException>(() => WeightsFile.Verify(File())).Message);
    }
}
