using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Optimize;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv style`: the losses of a given image against PyTorch on a random VGG-19, and the loop on the default model.</summary>
public class StyleCliTests(ITestOutputHelper output)
{
    internal const string Astronaut = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";
    internal const string Scream = "/usr/share/darknet/data/scream.jpg";

    internal static JsonElement Run(params string[] args)
    {
        var (code, stdout, err) = CliProcess.Run(["style", .. args, "--json"]);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(stdout).RootElement;
    }

    internal static void SkipUnlessPictures()
    {
        Skip.IfNot(File.Exists(Astronaut), $"{Astronaut} (python3-skimage) not installed");
        Skip.IfNot(File.Exists(Scream), $"{Scream} (darknet) not installed");
    }

    private static double D(JsonElement j, string name) => j.GetProperty(name).GetDouble();

    [SkippableFact]
    public void TheLossesOfAGivenImageMatchPyTorchOnARandomVgg19()
    {
        var meta = StyleRefs.Meta;
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "vgg19-random.h5");
        using (var net = StyleRefs.Net(Backends.Reference)) WeightsFile.Save(net, model);
        var values = meta.GetProperty("values");
        double content = values.GetProperty("content").GetDouble(), style = values.GetProperty("style").GetDouble(), tv = values.GetProperty("tv").GetDouble();
        var layers = string.Join(",", meta.GetProperty("styleLayers").EnumerateArray().Select(e => e.GetString()));
        var j = Run("--model", model, "--content", StyleRefs.File("content.npy"), "--style", StyleRefs.File("style.npy"), "--init", StyleRefs.File("x.npy"),
            "--content-layers", meta.GetProperty("contentLayer").GetString()!, "--style-layers", layers,
            "--content-weight", "2", "--style-weight", "500", "--tv-weight", "0.01", "--iterations", "0", "--out", Path.Combine(dir.Path, "s.npy"));
        output.WriteLine($"content {D(j, "contentLoss"):G8} vs {content:G8}; style {D(j, "styleLoss"):G8} vs {style:G8}; tv {D(j, "tvLoss"):G8} vs {tv:G8}");
        Assert.True(Math.Abs(D(j, "contentLoss") - content) <= 1e-3 * content, $"content {D(j, "contentLoss")} vs PyTorch {content}");
        Assert.True(Math.Abs(D(j, "styleLoss") - style) <= 1e-3 * style, $"style {D(j, "styleLoss")} vs PyTorch {style}");
        Assert.True(Math.Abs(D(j, "tvLoss") - tv) <= 1e-3 * tv, $"tv {D(j, "tvLoss")} vs PyTorch {tv}");
        double total = 2 * content + 500 * style + 0.01 * tv;
        Assert.True(Math.Abs(D(j, "total") - total) <= 1e-3 * total, $"total {D(j, "total")} vs 2·content + 500·style + 0.01·tv = {total}");
        Assert.Equal(0, j.GetProperty("iterations").GetInt32());
        Assert.Equal(D(j, "total"), D(j.GetProperty("initial"), "total"));
        Assert.Equal(StyleRefs.Array("x"), (float[])Npy.Read(Path.Combine(dir.Path, "s.npy")).Data);
    }

    [SkippableFact]
    public void LbfgsLowersTheTotalLossTenfoldIn20StepsFromNoiseAndBeatsAdam()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "s.png");
        string[] common = ["--content", Astronaut, "--style", Scream, "--size", "40", "--init", "noise", "--iterations", "20"];
        var lbfgs = Run([.. common, "--out", png]);
        var adam = Run([.. common, "--optimizer", "adam", "--out", Path.Combine(dir.Path, "adam.png")]);
        double start = D(lbfgs.GetProperty("initial"), "total"), l = D(lbfgs, "total"), a = D(adam, "total");
        output.WriteLine($"total from noise {start:G4}: L-BFGS {l:G4} ({start / l:F1}×), Adam {a:G4} ({start / a:F1}×) after 20 steps");
        Assert.True(start / l >= 10, $"L-BFGS lowered the total {start / l:F1}× in 20 steps");
        Assert.True(l < a, $"L-BFGS {l} vs Adam {a} after 20 steps");
        Assert.Equal(start, D(adam.GetProperty("initial"), "total"));
        var history = lbfgs.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(21, history.Count);
        Assert.Equal(start, D(history[0], "total"));
        Assert.Equal(l, D(history[^1], "total"));
        foreach (var h in history)
        {
            double sum = StyleDefaults(lbfgs, "contentWeight") * D(h, "contentLoss") + StyleDefaults(lbfgs, "styleWeight") * D(h, "styleLoss")
                + StyleDefaults(lbfgs, "tvWeight") * D(h, "tvLoss");
            Assert.Equal(sum, D(h, "total"), 1e-6 * sum);
        }
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.Contains("style --content", side.GetProperty("command").GetString());
        Assert.Equal(l, D(side, "total"));
        Assert.True(File.Exists(Path.Combine(dir.Path, "s-losses.png")) && File.Exists(Path.Combine(dir.Path, "s-losses.svg")));
        Assert.Contains("data-series=\"total\"", File.ReadAllText(Path.Combine(dir.Path, "s-losses.svg")));
        var img = ImageIO.Load(png);
        Assert.Equal((40, 40), (img.Width, img.Height));
    }

    private static double StyleDefaults(JsonElement j, string name) => D(j.GetProperty("settings"), name);

    [SkippableFact]
    public void InitModesStartWhereTheySay()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string[] common = ["--content", Astronaut, "--style", Scream, "--size", "40", "--iterations", "0"];
        var fromContent = Run([.. common, "--init", "content", "--out", Path.Combine(dir.Path, "c.npy")]);
        Assert.Equal(0, D(fromContent, "contentLoss"));
        var noise3 = Run([.. common, "--seed", "3", "--out", Path.Combine(dir.Path, "n3.npy")]);
        Assert.Equal("noise", noise3.GetProperty("settings").GetProperty("init").GetString());
        var again = Run([.. common, "--init", "noise", "--seed", "3", "--out", Path.Combine(dir.Path, "n3b.npy")]);
        var noise4 = Run([.. common, "--init", "noise", "--seed", "4", "--out", Path.Combine(dir.Path, "n4.npy")]);
        Assert.True(D(noise3, "contentLoss") > 0);
        Assert.Equal(D(noise3, "total"), D(again, "total"));
        Assert.NotEqual(D(noise3, "total"), D(noise4, "total"));
        var fromFile = Run([.. common, "--init", Path.Combine(dir.Path, "n3.npy"), "--out", Path.Combine(dir.Path, "f.npy")]);
        Assert.Equal(D(noise3, "total"), D(fromFile, "total"), 1e-6 * D(noise3, "total"));
        Assert.Equal(Npy.Read(Path.Combine(dir.Path, "n3.npy")).Data, Npy.Read(Path.Combine(dir.Path, "f.npy")).Data);
    }

    [SkippableFact]
    public void ABlendOfOneAndZeroIsTheFirstStyleAlone()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string[] common = ["--content", Astronaut, "--size", "40", "--iterations", "3", "--init", "noise"];
        var single = Run([.. common, "--style", Scream, "--out", Path.Combine(dir.Path, "a.npy")]);
        var blended = Run([.. common, "--style", Scream, "--style", Astronaut, "--style-blend", "1,0", "--out", Path.Combine(dir.Path, "b.npy")]);
        var even = Run([.. common, "--style", Scream, "--style", Astronaut, "--out", Path.Combine(dir.Path, "c.npy")]);
        var s = single.GetProperty("history").EnumerateArray().Select(h => D(h, "styleLoss")).ToList();
        var b = blended.GetProperty("history").EnumerateArray().Select(h => D(h, "styleLoss")).ToList();
        for (int i = 0; i < s.Count; i++) Assert.Equal(s[i], b[i], 1e-5 * s[i]);
        Assert.NotEqual(D(single.GetProperty("initial"), "styleLoss"), D(even.GetProperty("initial"), "styleLoss"));
        Assert.Equal([1.0, 0.0], blended.GetProperty("settings").GetProperty("styleBlend").EnumerateArray().Select(e => e.GetDouble()));
    }

    [SkippableFact]
    public void AveragePoolingChangesTheLossesAndIsRecorded()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string[] common = ["--content", Astronaut, "--style", Scream, "--size", "40", "--iterations", "0", "--init", "noise"];
        var max = Run([.. common, "--out", Path.Combine(dir.Path, "m.npy")]);
        var avg = Run([.. common, "--pool", "avg", "--out", Path.Combine(dir.Path, "a.npy")]);
        Assert.Equal("avg", avg.GetProperty("settings").GetProperty("pool").GetString());
        Assert.Equal("max", max.GetProperty("settings").GetProperty("pool").GetString());
        Assert.NotEqual(D(max, "styleLoss"), D(avg, "styleLoss"));
        Assert.Equal(D(max, "tvLoss"), D(avg, "tvLoss"));
    }

    [SkippableFact]
    public void OnASmallRandomMultiScaleNetworkTheOneReluIsContentAndStyleAndTheTotalFallsAHundredfold()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        var j = Run("--model", "random-multiscale:1:8:3,5,7", "--content", Astronaut, "--style", Scream, "--size", "32", "--iterations", "10",
            "--out", Path.Combine(dir.Path, "m.png"));
        var s = j.GetProperty("settings");
        Assert.Equal(["relu"], s.GetProperty("contentLayers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["relu"], s.GetProperty("styleLayers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1e10, s.GetProperty("styleWeight").GetDouble(), 1e4);
        double start = D(j.GetProperty("initial"), "total"), end = D(j, "total");
        output.WriteLine($"random-multiscale:1:8:3,5,7 at 32×32: total {start:G4} → {end:G4} ({start / end:F0}×) in 10 L-BFGS steps");
        Assert.True(start / end >= 100, $"total fell {start / end:F1}× in 10 steps");
        Assert.Equal(3, ImageIO.Load(Path.Combine(dir.Path, "m.png")).Channels);
    }

    [Fact]
    public void HelpListsTheVerbAndItsOptions()
    {
        var (code, stdout, err) = CliProcess.Run("style", "--help");
        Assert.True(code == 0, err);
        foreach (var o in new[] { "--content", "--style", "--style-blend", "--init", "--content-layers", "--style-layers", "--content-weight", "--style-weight",
                     "--tv-weight", "--size", "--style-scale", "--pool", "--preserve-colour", "--optimizer", "--lr", "--iterations", "--save-every", "--seed", "--out" })
            Assert.Contains(o, stdout);
        var (rootCode, root, _) = CliProcess.Run("--help");
        Assert.Equal(0, rootCode);
        Assert.Contains("style", root.Split('\n').Where(l => l.TrimStart().StartsWith("style ")).FirstOrDefault() ?? "");
    }

    [SkippableFact]
    public void SaveEveryWritesSnapshotsWithSidecars()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "s.png");
        var j = Run("--content", Astronaut, "--style", Scream, "--size", "32", "--iterations", "4", "--save-every", "2", "--out", png);
        var history = j.GetProperty("history").EnumerateArray().ToList();
        foreach (int k in new[] { 2, 4 })
        {
            string snap = Path.Combine(dir.Path, $"s-{k:D5}.png");
            Assert.True(File.Exists(snap), snap);
            var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(snap, ".json"))).RootElement;
            Assert.Equal(k, side.GetProperty("iteration").GetInt32());
            Assert.Equal(D(history[k], "total"), D(side.GetProperty("losses"), "total"));
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, "s-00000.png")));
    }
}
