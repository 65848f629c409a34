using System.Text.Json;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv evaluate` on the shipped default model.</summary>
public class EvaluateCliTests
{
    [SkippableFact]
    public void EvaluateWithoutArgumentsUsesTheDefaultModelOnTheTestSet()
    {
        DefaultModelTests.SkipWithoutData();
        var (code, stdout, stderr) = CliProcess.Run("evaluate", "--json", "--device", "opencl");
        Assert.True(code == 0, stderr);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(10000, j.GetProperty("n").GetInt32());
        double top1 = j.GetProperty("top1").GetDouble();
        Assert.True(Math.Abs(top1 - DefaultModelTests.Recorded("Test-set top-1 (10,000 images)")) <= 0.005, $"evaluate printed top-1 {top1}");
        Assert.InRange(j.GetProperty("top5").GetDouble(), top1, 1.0);
    }
}
