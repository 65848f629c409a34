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

/// <summary>`rawconv info` on the zoo's VGG-19, by name.</summary>
public class InfoVggCliTests
{
    [Fact]
    public void InfoPrintsTheZooVgg19()
    {
        var (code, stdout, _) = CliProcess.Run("info", "--model", "vgg19", "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(143_667_240, j.GetProperty("parameters").GetInt64());
        var names = j.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()).ToList();
        Assert.Contains("relu5_1", names);
        Assert.Equal(names.IndexOf("relu3_4") + 1, names.IndexOf("pool3"));
    }
}

/// <summary>`rawconv info` on a code-input network: the zoo generator by name.</summary>
public class InfoGeneratorCliTests
{
    [Fact]
    public void InfoPrintsTheZooGenerator()
    {
        var (code, stdout, _) = CliProcess.Run("info", "--model", "generator:256:1:40:40", "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal([1, 256], j.GetProperty("input").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(1_060_481, j.GetProperty("parameters").GetInt64());
        var layers = j.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal([1, 1, 40, 40], layers.Last().GetProperty("output").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("leaky_relu", layers[1].GetProperty("type").GetString());
        (code, stdout, _) = CliProcess.Run("info", "--model", "generator:256:1:40:40");
        Assert.Equal(0, code);
        Assert.Contains("generator: input (1, 256)", stdout);
        Assert.Contains("reshape 128×5×5", stdout);
    }
}
