using System.Text.Json;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv topk --direction`: a random direction (Szegedy et al.) beside the units it weighs most, on the shipped default model.</summary>
public sealed class TopKDirectionCliTests : DatasetCliTests
{
    [SkippableFact]
    public void ADirectionOfConv2WritesItsRowFirstAndTheIndex()
    {
        DefaultModelTests.SkipWithoutData();
        var png = Out("dir.png");
        var (code, stdout, stderr) = CliProcess.Run("topk", "--direction", "conv2:7", "--limit", "300", "--out", png, "--device", "opencl", "--json");
        Assert.True(code == 0, stderr);
        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(7, summary.GetProperty("seed").GetInt32());
        Assert.Equal(4, summary.GetProperty("channels").GetInt32());

        // 5 rows (direction + 4 units) of 9 patches of conv2's 15-px field upscaled 4×: a line 9·60 + 10 = 550, a pair
        // 2·550 + 6 by 62 + 4, framed by 3, stacked with 4 between; the direction's frame orange, the units' grey.
        var grid = ImageIO.Load(png);
        Assert.Equal((1112 + 8, 5 * 72 + 6 * 4), (grid.Width, grid.Height));
        Assert.Equal(new[] { 255, 140, 0 }, Enumerable.Range(0, 3).Select(c => (int)grid[5, 5, c]));
        Assert.Equal(new[] { 64, 64, 64 }, Enumerable.Range(0, 3).Select(c => (int)grid[5, 4 + 72 + 4 + 1, c]));

        var index = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.StartsWith("rawconv topk --direction conv2:7", index.GetProperty("command").GetString());
        Assert.Equal("conv2", index.GetProperty("layer").GetString());
        Assert.Equal(7, index.GetProperty("seed").GetInt32());
        var v = Direction.Random(64, 7);
        Assert.Equal(v, index.GetProperty("weights").EnumerateArray().Select(w => w.GetSingle()));
        var rows = index.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(["direction", "unit", "unit", "unit", "unit"], rows.Select(r => r.GetProperty("row").GetString()));
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("channel").ValueKind);
        var heaviest = TopKScan.Heaviest(v, 4);
        Assert.Equal(heaviest, rows.Skip(1).Select(r => r.GetProperty("channel").GetInt32()));
        Assert.Equal(heaviest.Select(t => v[t]), rows.Skip(1).Select(r => r.GetProperty("weight").GetSingle()));
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("label").GetString())));

        // The same scan in-process (same kernels, same batches) finds the same images and positions.
        using var loaded = WeightsFile.Load(DefaultModelTests.ModelPath, Backends.Get("opencl"));
        var scan = TopKScan.RunDirection(loaded.Net, FashionMnist.Load("test", 40), "conv2", v, heaviest, new TopKOptions(9, 64, 300));
        var expected = new[] { scan.Entries }.Concat(scan.Units.Entries).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            var entries = rows[r].GetProperty("entries").EnumerateArray().ToArray();
            Assert.Equal(expected[r].Select(e => (e.Image, e.Y, e.X)),
                entries.Select(e => (e.GetProperty("image").GetInt32(), e.GetProperty("y").GetInt32(), e.GetProperty("x").GetInt32())));
            for (int i = 0; i < entries.Length; i++)
                Assert.Equal(expected[r][i].Value, entries[i].GetProperty("value").GetDouble(), 1e-4);
        }

        var npy = Out("dir.npy");
        (code, _, stderr) = CliProcess.Run("topk", "--direction", "conv2:7", "--limit", "300", "--k", "4", "--channels", "5,9", "--out", npy, "--device", "opencl");
        Assert.True(code == 0, stderr);
        Assert.Equal([12, 1, 40, 40], Npy.Read(npy).Shape);
        var npyIndex = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npy, ".json"))).RootElement;
        Assert.Equal([-1, 5, 9], npyIndex.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("channel").ValueKind == JsonValueKind.Null ? -1 : r.GetProperty("channel").GetInt32()));
    }

    [SkippableFact]
    public void LayerAndDirectionTogetherOrNeitherOrAnUnknownLayerAreOneLineErrors()
    {
        DefaultModelTests.SkipWithoutData();
        var png = Out("x.png");
        foreach (var (args, message) in new (string[], string)[]
        {
            (["--layer", "conv2", "--direction", "conv2:1"], "rawconv: --layer, --direction: give one of them, not both — --layer L ranks L's feature maps, --direction L[:seed] a random direction in L"),
            ([], "rawconv: --layer or --direction is required — e.g. --layer conv5, or --direction conv5:1 for a random direction"),
            (["--direction", "conv2:x"], "rawconv: --direction conv2:x: the seed 'x' must be a non-negative integer — e.g. --direction conv2:1"),
        })
        {
            var (code, stdout, stderr) = CliProcess.Run(["topk", .. args, "--limit", "20", "--out", png, "--device", "opencl"]);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal(message, stderr.Trim());
        }
        var (c, o, err) = CliProcess.Run("topk", "--direction", "conv9:2", "--limit", "20", "--out", png, "--device", "opencl");
        Assert.Equal(1, c);
        Assert.Equal("", o);
        Assert.StartsWith("rawconv: --direction conv9:2: mini_alexnet has no layer 'conv9' — layers are conv1, relu1, ", err.Trim());
        Assert.DoesNotContain('\n', err.Trim());
        Assert.False(File.Exists(png));
    }
}
