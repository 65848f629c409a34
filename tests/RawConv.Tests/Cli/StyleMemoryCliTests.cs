using System.Text.Json;
using System.Text.RegularExpressions;
using RawConv.Algorithms.Texture;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Optimize;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv style`'s memory and time estimate: printed before the run, in the JSON, against the measured peak, and `--max-memory` refusing a run over it.</summary>
public class StyleMemoryCliTests(ITestOutputHelper output)
{
    private const string Astronaut = StyleCliTests.Astronaut, Scream = StyleCliTests.Scream;

    /// <summary>The run's JSON; asserts the estimate lies within 20% of the device memory the run held at most.</summary>
    private JsonElement WithinAFifth(string what, params string[] args)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "s.png");
        var (code, stdout, err) = CliProcess.Run(["style", .. args, "--max-memory", "4G", "--out", png, "--json"]);
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        long estimate = j.GetProperty("memoryEstimateBytes").GetInt64(), peak = j.GetProperty("memoryPeakBytes").GetInt64();
        output.WriteLine($"{what}: estimate {estimate} bytes, measured peak {peak} bytes ({(double)estimate / peak:F3}×), time ≈ {j.GetProperty("timeEstimateSeconds").GetDouble():G3} s");
        Assert.InRange((double)estimate / peak, 0.8, 1.2);
        Assert.True(j.GetProperty("timeEstimateSeconds").GetDouble() > 0);
        // Redirected, stderr gets no estimate line (it is for a terminal, beside the progress bar); the JSON has the numbers.
        Assert.DoesNotContain("estimated peak device memory", err);
        var side = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "s.json"))).RootElement;
        Assert.Equal(estimate, side.GetProperty("memoryEstimateBytes").GetInt64());
        Assert.Equal(peak, side.GetProperty("memoryPeakBytes").GetInt64());
        return j;
    }

    [SkippableTheory]
    [InlineData("lbfgs", "max")]
    [InlineData("adam", "max")]
    [InlineData("lbfgs", "avg")]
    public void OnTheDefaultModelTheEstimateIsWithinAFifthOfThePeak(string optimizer, string pool)
    {
        StyleCliTests.SkipUnlessPictures();
        var j = WithinAFifth($"default model, {optimizer}, {pool} pooling", "--content", Astronaut, "--style", Scream, "--style", Astronaut, "--size", "48,40",
            "--iterations", "2", "--optimizer", optimizer, "--pool", pool);
        long host = j.GetProperty("hostMemoryEstimateBytes").GetInt64();
        // L-BFGS keeps its history as host doubles of the image (at least 8 bytes per pixel); Adam keeps its moments on the device.
        if (optimizer == "lbfgs") Assert.True(host >= 8L * 48 * 40, $"host {host}");
        else Assert.Equal(0, host);
    }

    [SkippableTheory]
    [InlineData("lbfgs")]
    [InlineData("adam")]
    public void OnATruncatedRandomVgg19TheEstimateIsWithinAFifthOfThePeak(string optimizer)
    {
        var meta = StyleRefs.Meta;
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "vgg19-random.h5");
        using (var net = StyleRefs.Net(Backends.Reference)) WeightsFile.Save(net, model);
        var layers = string.Join(",", meta.GetProperty("styleLayers").EnumerateArray().Select(e => e.GetString()));
        WithinAFifth($"truncated vgg19, {optimizer}", "--model", model, "--content", StyleRefs.File("content.npy"), "--style", StyleRefs.File("style.npy"),
            "--content-layers", meta.GetProperty("contentLayer").GetString()!, "--style-layers", layers, "--iterations", "2", "--optimizer", optimizer);
    }

    [SkippableTheory]
    [InlineData("48")]
    [InlineData("64,56", "--tile", "32")]
    public void OnTheRandomMultiScaleNetworkTheEstimateCountsEachBanksScratch(params string[] size)
    {
        StyleCliTests.SkipUnlessPictures();
        WithinAFifth($"random-multiscale, --size {string.Join(' ', size)}", ["--model", "random-multiscale", "--content", Astronaut, "--style", Scream,
            "--size", .. size, "--iterations", "2"]);
    }

    [SkippableFact]
    public void ARunOverMaxMemoryIsRefusedInOneLineAndWritesNothing()
    {
        StyleCliTests.SkipUnlessPictures();
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "s.png");
        var (code, _, err) = CliProcess.Run("style", "--content", Astronaut, "--style", Scream, "--size", "256", "--iterations", "1", "--max-memory", "512K", "--out", png);
        Assert.Equal(1, code);
        var refusal = err.Trim().Split('\n')[^1];
        Assert.StartsWith("rawconv: --max-memory: style at 256×256", refusal);
        Assert.Contains("over the limit of 512.0 KiB (524288 bytes)", refusal);
        Assert.Matches(@"needs an estimated [\d.]+ MiB \(\d+ bytes\)", refusal);
        Assert.Contains("--tile", refusal);
        Assert.DoesNotContain("Exception", err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out")).Any());
    }

    /// <summary>The untiled run's estimate, read from its refusal under a 1 KiB limit (no run needed).</summary>
    internal static long UntiledEstimate(string[] common)
    {
        using var dir = new TempDir();
        var (code, _, err) = CliProcess.Run([.. common, "--max-memory", "1K", "--out", Path.Combine(dir.Path, "x.png")]);
        Assert.Equal(1, code);
        return long.Parse(Regex.Match(err, @"needs an estimated [\d.]+ \w+ \((\d+) bytes\)").Groups[1].Value);
    }

    [SkippableFact]
    public void AutoTilingKeepsTheMeasuredPeakUnderALimitTheWholeRunWouldExceed()
    {
        StyleCliTests.SkipUnlessPictures();
        using var dir = new TempDir();
        string[] common = ["style", "--content", Astronaut, "--style", Scream, "--style-scale", "0.5", "--size", "160,128", "--iterations", "2"];
        long whole = UntiledEstimate(common);
        long limit = whole * 2 / 3;
        string npy = Path.Combine(dir.Path, "t.npy");
        var (code, stdout, err) = CliProcess.Run([.. common, "--tile", "auto", "--max-memory", limit.ToString(), "--out", npy, "--json"]);
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        var tile = j.GetProperty("tile");
        int side = tile.GetProperty("side").GetInt32();
        long peak = j.GetProperty("memoryPeakBytes").GetInt64(), estimate = j.GetProperty("memoryEstimateBytes").GetInt64();
        output.WriteLine($"160×128: untiled estimate {whole}, limit {limit}; auto tile {side}: estimate {estimate}, measured peak {peak}");
        Assert.Equal(0, side % 16);
        Assert.InRange(side, 16, 144);
        Assert.True(estimate <= limit, $"estimate {estimate} over the limit {limit}");
        Assert.True(peak <= limit, $"measured peak {peak} over the limit {limit}");
        Assert.Equal([160, 128], Npy.Read(npy).Shape[2..]);
    }

    [SkippableFact]
    public void AFixedTileGivesTheRequestedSizeFiniteLossesAndOneHistoryEntryPerStep()
    {
        StyleCliTests.SkipUnlessPictures();
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "t.png");
        var j = StyleCliTests.Run("--content", Astronaut, "--style", Scream, "--size", "64,56", "--tile", "32,8", "--iterations", "2", "--out", png);
        var tile = j.GetProperty("tile");
        int count = Tiling.Plan(64, 56, 32, 8).Count;
        Assert.Equal(count, tile.GetProperty("count").GetInt32());
        Assert.Equal(8, tile.GetProperty("overlap").GetInt32());
        foreach (var l in tile.GetProperty("final").EnumerateArray().Append(j))
            foreach (var name in new[] { "contentLoss", "styleLoss", "tvLoss", "total" })
                Assert.True(double.IsFinite(l.GetProperty(name).GetDouble()) && l.GetProperty(name).GetDouble() >= 0, $"{name} = {l.GetProperty(name)}");
        Assert.Equal(2 * (1 + count) + 1, j.GetProperty("history").GetArrayLength());
        var img = ImageIO.Load(png);
        Assert.Equal((56, 64), (img.Width, img.Height));
    }

    [SkippableTheory]
    [InlineData(new[] { "--tile", "8" }, "--tile: '8' is not T, T,OVERLAP or auto")]
    [InlineData(new[] { "--tile", "64,x" }, "--tile: '64,x' is not T, T,OVERLAP or auto")]
    [InlineData(new[] { "--tile", "64,40" }, "--tile: overlap 40 must lie in [0, 32)")]
    [InlineData(new[] { "--tile", "auto" }, "--tile: auto picks the largest tile that fits --max-memory")]
    [InlineData(new[] { "--tile", "32", "--save-every", "1" }, "--save-every: a tiled run keeps no snapshots")]
    [InlineData(new[] { "--max-memory", "12X" }, "--max-memory: '12X' is not a size")]
    public void BadTileAndMemorySettingsAreOneLineNamingTheOption(string[] extra, string says)
    {
        StyleCliTests.SkipUnlessPictures();
        using var dir = new TempDir();
        var (code, _, err) = CliProcess.Run(["style", "--content", Astronaut, "--style", Scream, "--size", "128", .. extra, "--iterations", "1",
            "--out", Path.Combine(dir.Path, "s.png"), "--device", "reference"]);
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("rawconv: ", err);
        Assert.Contains(says, err);
    }
}
