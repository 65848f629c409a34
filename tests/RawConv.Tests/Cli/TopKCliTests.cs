using System.Text.Json;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv topk` on small saved random mini-AlexNets and the first 200 Fashion-MNIST test images.</summary>
public sealed class TopKCliTests : DatasetCliTests
{
    [SkippableFact]
    public void TopKWritesTheGridTheIndexAndTheProjections()
    {
        var model = Model(3, "m.h5");
        var png = Out("top.png");
        var (code, stdout, stderr) = CliProcess.Run("topk", "--model", model, "--layer", "conv2", "--dataset", "fashion-mnist", "--limit", "200",
            "--k", "4", "--channels", "0,3,5", "--batch", "48", "--out", png, "--device", "opencl", "--json");
        Assert.True(code == 0, stderr);
        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(200, summary.GetProperty("images").GetInt32());
        Assert.True(summary.GetProperty("scanImagesPerSecond").GetDouble() > 0);

        // 3 channels of k = 4 (2×2 blocks) of 25-px patches upscaled 2×: blocks 2·50 + 3 = 103, pairs 2·103 + 6 by 103 + 4, tiled 2×2.
        var grid = ImageIO.Load(png);
        Assert.Equal((2 * 212 + 3 * 4, 2 * 107 + 3 * 4), (grid.Width, grid.Height));

        var index = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.StartsWith("rawconv topk", index.GetProperty("command").GetString());
        Assert.Equal("conv2", index.GetProperty("layer").GetString());
        Assert.Equal([25, 25], index.GetProperty("receptiveField").GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        var channels = index.GetProperty("channels").EnumerateArray().ToArray();
        Assert.Equal([0, 3, 5], channels.Select(c => c.GetProperty("channel").GetInt32()));

        // The same scan in-process (same kernels, same batches) finds the same images and positions.
        using var loaded = WeightsFile.Load(model, Backends.Get("opencl"));
        var data = FashionMnist.Load("test", 32);
        var scan = TopKScan.Run(loaded.Net, data, "conv2", new TopKOptions(4, 48, 200, [0, 3, 5]));
        foreach (var c in channels)
        {
            var entries = c.GetProperty("entries").EnumerateArray().ToArray();
            var expected = scan.Of(c.GetProperty("channel").GetInt32());
            Assert.Equal(expected.Select(e => (e.Image, e.Y, e.X)),
                entries.Select(e => (e.GetProperty("image").GetInt32(), e.GetProperty("y").GetInt32(), e.GetProperty("x").GetInt32())));
            for (int i = 0; i < entries.Length; i++)
            {
                Assert.Equal(expected[i].Value, entries[i].GetProperty("value").GetDouble(), 1e-4);
                var box = entries[i].GetProperty("box").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                Assert.Equal((25, 25), (box[2] - box[0], box[3] - box[1]));
                Assert.Equal(FashionMnist.ClassNames[data.Label(expected[i].Image)], entries[i].GetProperty("label").GetString());
            }
        }

        var npy = Out("top.npy");
        (code, _, stderr) = CliProcess.Run("topk", "--model", model, "--layer", "conv2", "--limit", "200", "--k", "4", "--channels", "0,3,5",
            "--out", npy, "--device", "opencl");
        Assert.True(code == 0, stderr);
        var (shape, _, _) = Npy.Read(npy);
        Assert.Equal([12, 1, 32, 32], shape);
        Assert.True(File.Exists(Path.ChangeExtension(npy, ".json")));
    }

    [SkippableFact]
    public void TopKIntoAFolderAndBadChannelsAreOneLineErrors()
    {
        var model = Model(4, "m.h5");
        var folder = Out("figs");
        var (code, _, stderr) = CliProcess.Run("topk", "--model", model, "--layer", "fc6", "--limit", "200", "--channels", "1", "--out", folder, "--device", "opencl");
        Assert.True(code == 0, stderr);
        var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "topk-fc6.json"))).RootElement;
        var entries = index.GetProperty("channels")[0].GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(9, entries.Length);
        Assert.All(entries, e => Assert.Equal([0, 0, 32, 32], e.GetProperty("box").EnumerateArray().Select(v => v.GetInt32())));
        Assert.True(ImageIO.Load(Path.Combine(folder, "topk-fc6.png")).Width > 0);

        (code, var stdout, stderr) = CliProcess.Run("topk", "--model", model, "--layer", "conv2", "--limit", "200", "--channels", "99", "--out", Out("x.png"), "--device", "opencl");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("rawconv: top-k: channel 99 is outside layer 'conv2' with 16 feature maps", stderr.Trim());
    }
}
