using System.Text.Json;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>The random multi-scale network by name on the command line: no weights file, `info` and `texture` run on it.</summary>
public class MultiScaleCliTests
{
    private const string Brick = "/usr/lib/python3/dist-packages/skimage/data/brick.png";

    [Fact]
    public void InfoDescribesTheDefaultEntry()
    {
        var (code, stdout, err) = CliProcess.Run("info", "--model", "random-multiscale", "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        // 32 filters of 3, 5, 7, 11, 15 and 23 on 3 channels, stored 23×23, no bias; 32·3·958 multiply-adds per pixel at 128×128
        Assert.Equal(6L * 32 * 3 * 23 * 23, j.GetProperty("parameters").GetInt64());
        Assert.Equal(32L * 3 * 958 * 128 * 128, j.GetProperty("multiplyAdds").GetInt64());
        Assert.Equal(["conv", "relu"], j.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
    }

    [SkippableFact]
    public void TextureRunsOnASmallConfigurationWithTheDefaultLayers()
    {
        Skip.IfNot(File.Exists(Brick), $"{Brick} (python3-skimage) not installed");
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "t.png");
        var (code, stdout, err) = CliProcess.Run("texture", "--model", "random-multiscale:1:4:3,5", "--image", Brick, "--size", "24,24",
            "--iterations", "5", "--out", png, "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["relu"], j.GetProperty("settings").GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        Assert.True(j.GetProperty("finalLoss").GetDouble() < j.GetProperty("initialLoss").GetDouble());
        Assert.Equal("random-multiscale:1:4:3,5", j.GetProperty("model").GetString());
        Assert.True(File.Exists(png) && File.Exists(Path.ChangeExtension(png, ".json")));
    }

    [Fact]
    public void ABadNameExitsOneWithOneLine()
    {
        var (code, _, err) = CliProcess.Run("info", "--model", "random-multiscale:0:4:3,4");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("kernel sizes 3, 4 must all be odd", err);
    }
}
