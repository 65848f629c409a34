using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv fool`: the grid and JSON of a small search, and bad options.</summary>
public class FoolCliTests
{
    [Fact]
    public void ASmallSearchReportsEachClassItWasAskedFor()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "f.png");
        var (code, stdout, err) = CliProcess.Run("fool", "--class", "1,5", "--encoding", "cppn", "--generations", "20", "--offspring", "16", "--seed", "3",
            "--out", png, "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        var images = j.GetProperty("images").EnumerateArray().ToArray();
        Assert.Equal([1, 5], images.Select(i => i.GetProperty("class").GetInt32()));
        Assert.Equal(["Trouser", "Sandal"], images.Select(i => i.GetProperty("label").GetString()));
        Assert.Equal(j.GetProperty("generationsRun").GetInt32() * 16, j.GetProperty("evaluations").GetInt32());
        foreach (var (curve, image) in j.GetProperty("progress").EnumerateArray().Zip(images))
        {
            var v = curve.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.True(v.Zip(v.Skip(1)).All(t => t.Second >= t.First), "an elite got worse");
            Assert.Equal(v[^1], image.GetProperty("probability").GetDouble(), 6);
        }
        var grid = ImageIO.Load(png);
        Assert.True(grid.Width > grid.Height);
    }

    [Theory]
    [InlineData("--encoding", "neat", "--encoding")]
    [InlineData("--class", "x", "--class")]
    [InlineData("--class", "10", "--class")]
    [InlineData("--confidence", "1", "--confidence")]
    [InlineData("--offspring", "0", "--offspring")]
    public void BadOptionsAreOneLine(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "f.png");
        var (code, _, err) = CliProcess.Run("fool", option, value, "--generations", "2", "--out", png, "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(says, err);
        Assert.False(File.Exists(png));
    }
}
