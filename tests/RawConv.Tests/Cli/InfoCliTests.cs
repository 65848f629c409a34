using System.Text.Json;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv info`.</summary>
public class InfoCliTests
{
    [Fact]
    public void InfoPrintsTheZooAlexNet()
    {
        var (code, stdout, _) = CliProcess.Run("info", "--model", "bvlc_alexnet", "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(60_965_224, j.GetProperty("parameters").GetInt64());
        Assert.Equal(724_406_816, j.GetProperty("multiplyAdds").GetInt64());
        Assert.Equal([1, 1000], j.GetProperty("layers").EnumerateArray().Last().GetProperty("output").EnumerateArray().Select(v => v.GetInt32()));
    }
}
