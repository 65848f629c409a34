using System.Text.Json;
using RawConv.Imaging;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv evolution` on small saved random mini-AlexNets and the first 200 Fashion-MNIST test images.</summary>
public sealed class EvolutionCliTests : DatasetCliTests
{
    [SkippableFact]
    public void EvolutionWritesOneCellPerUnitAndCheckpoint()
    {
        var a = Model(5, "run-epoch1.h5");
        var b = Model(6, "run-epoch3.h5");
        var png = Out("evo.png");
        var (code, _, stderr) = CliProcess.Run("evolution", "--checkpoints", a, b, "--units", "conv1:1,conv5:3", "--limit", "200", "--out", png, "--device", "opencl");
        Assert.True(code == 0, stderr);
        var grid = ImageIO.Load(png);
        // conv1 cells 5 px upscaled 9× = 45; conv5 (field 81 ≥ 32) shows the whole 32-px input: 2 × 2 cells of 45 with padding 2.
        Assert.Equal((2 * 45 + 3 * 2, 2 * 45 + 3 * 2), (grid.Width, grid.Height));
        var j = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.Equal([1, 3], j.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("epoch").GetInt32()));
        Assert.Equal(["conv1:1", "conv5:3"], j.GetProperty("units").EnumerateArray().Select(u => u.GetString()!));
        var cells = j.GetProperty("cells").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToArray();
        Assert.Equal((2, 2), (cells.Length, cells[0].Length));
        Assert.All(cells.SelectMany(r => r), c => Assert.InRange(c.GetProperty("image").GetInt32(), 0, 199));
        Assert.Equal([0, 0, 32, 32], cells[1][0].GetProperty("box").EnumerateArray().Select(v => v.GetInt32()));
        var box = cells[0][1].GetProperty("box").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal((5, 5), (box[2] - box[0], box[3] - box[1]));
        Assert.Equal("conv5:3", cells[1][1].GetProperty("unit").GetString());
    }
}
