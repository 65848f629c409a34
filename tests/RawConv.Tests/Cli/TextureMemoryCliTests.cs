using System.Text.Json;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv texture`'s memory and time estimate: printed before the run, in the JSON, and `--max-memory` refusing a run over it.</summary>
public class TextureMemoryCliTests
{
    private const string Brick = "/usr/lib/python3/dist-packages/skimage/data/brick.png";
    private static string Image => File.Exists(Brick) ? Brick : "/usr/share/darknet/data/dog.jpg";

    [Fact]
    public void TheEstimateIsReportedAndMatchesThePeakTheRunHeld()
    {
        using var dir = new TempDir();
        var (code, stdout, err) = CliProcess.Run("texture", "--image", Image, "--layers", "relu1,pool1", "--size", "40,48", "--iterations", "2",
            "--max-memory", "1G", "--out", Path.Combine(dir.Path, "t.png"), "--json");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        long estimate = j.GetProperty("memoryEstimateBytes").GetInt64(), peak = j.GetProperty("memoryPeakBytes").GetInt64();
        Assert.InRange((double)estimate / peak, 0.8, 1.2);
        Assert.True(j.GetProperty("timeEstimateSeconds").GetDouble() > 0);
        Assert.True(j.GetProperty("hostMemoryEstimateBytes").GetInt64() > 0);
        // Redirected, stderr stays empty (the estimate line, like the progress bar, is for a terminal; the JSON has the numbers).
        Assert.Equal("", err.Trim());
        var side = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "t.json"))).RootElement;
        Assert.Equal(estimate, side.GetProperty("memoryEstimateBytes").GetInt64());
    }

    [Fact]
    public void ARunOverMaxMemoryIsRefusedInOneLineNamingEstimateLimitSizeAndRemedyAndWritesNothing()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "t.png");
        var (code, stdout, err) = CliProcess.Run("texture", "--image", Image, "--layers", "relu1,pool1", "--size", "256,256", "--iterations", "1",
            "--max-memory", "512K", "--out", png);
        Assert.Equal(1, code);
        var lines = err.Trim().Split('\n');
        var refusal = lines[^1];
        Assert.StartsWith("rawconv: --max-memory: texture at 256×256", refusal);
        Assert.Contains("over the limit of 512.0 KiB (524288 bytes)", refusal);
        Assert.Contains("smaller --size", refusal);
        Assert.Contains("--tile", refusal);
        Assert.Matches(@"needs an estimated [\d.]+ MiB \(\d+ bytes\)", refusal);
        Assert.DoesNotContain("Exception", err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out")).Any());
    }

    [Theory]
    [InlineData("12X", "--max-memory: '12X' is not a size")]
    [InlineData("-5M", "--max-memory: '-5M' is not a size")]
    [InlineData("0", "--max-memory: '0' is not a size")]
    public void BadSizesAreOneLineNamingTheOption(string value, string says)
    {
        using var dir = new TempDir();
        var (code, _, err) = CliProcess.Run("texture", "--image", Image, "--max-memory", value, "--iterations", "1", "--out", Path.Combine(dir.Path, "t.png"), "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(says, err);
    }

    [Theory]
    [InlineData("1048576", 1L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("2G", 2L << 30)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("64KiB", 64L << 10)]
    public void SizesParseInBinaryUnits(string text, long bytes) => Assert.Equal(bytes, RawConv.Cli.MemoryLimit.Parse(text));
}

/// <summary>`rawconv texture --tile`: a fixed tile and auto under --max-memory, and bad tile settings.</summary>
public class TextureTileCliTests
{
    private const string Brick = "/usr/lib/python3/dist-packages/skimage/data/brick.png";
    private static string Image => File.Exists(Brick) ? Brick : "/usr/share/darknet/data/dog.jpg";

    [Fact]
    public void AutoPicksTheLargestTileThatFitsAndTheRunStaysUnderTheLimit()
    {
        using var dir = new TempDir();
        string[] common = ["texture", "--image", Image, "--layers", "relu1,pool1", "--size", "192,160", "--iterations", "1"];
        var (code0, out0, err0) = CliProcess.Run([.. common, "--out", Path.Combine(dir.Path, "whole.png"), "--json"]);
        Assert.True(code0 == 0, err0);
        long whole = JsonDocument.Parse(out0).RootElement.GetProperty("memoryEstimateBytes").GetInt64();
        long limit = whole * 2 / 3;
        var (code, stdout, err) = CliProcess.Run([.. common, "--tile", "auto", "--max-memory", limit.ToString(), "--out", Path.Combine(dir.Path, "t.npy"), "--json"]);
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        var tile = j.GetProperty("tile");
        int side = tile.GetProperty("side").GetInt32();
        Assert.Equal(0, side % 16);
        Assert.InRange(side, 16, 176);
        Assert.True(j.GetProperty("memoryEstimateBytes").GetInt64() <= limit);
        Assert.True(j.GetProperty("memoryPeakBytes").GetInt64() <= limit);
        Assert.Equal([1, 1, 192, 160], RawConv.Imaging.Npy.Read(Path.Combine(dir.Path, "t.npy")).Shape);
        // The next larger tile would not have fitted: its run is refused under the same limit.
        var (bigger, _, refusal) = CliProcess.Run([.. common, "--tile", (side + 16).ToString(), "--max-memory", limit.ToString(), "--out", Path.Combine(dir.Path, "b.png")]);
        Assert.Equal(1, bigger);
        Assert.Contains("--max-memory:", refusal);
    }

    [Theory]
    [InlineData("8", "--tile: '8' is not T, T,OVERLAP or auto")]
    [InlineData("64,x", "--tile: '64,x' is not T, T,OVERLAP or auto")]
    [InlineData("64,40", "--tile: overlap 40 must lie in [0, 32)")]
    [InlineData("auto", "--tile: auto picks the largest tile that fits --max-memory")]
    public void BadTileSettingsAreOneLineNamingTheOption(string value, string says)
    {
        using var dir = new TempDir();
        var (code, _, err) = CliProcess.Run("texture", "--image", Image, "--size", "128,128", "--tile", value, "--iterations", "1", "--out", Path.Combine(dir.Path, "t.png"), "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("rawconv: ", err);
        Assert.Contains(says, err);
    }
}
