using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.Graph.Import;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv features`: the layer as .npy (equal to PyTorch's) and as a grid, each with its sidecar.</summary>
public class FeaturesCliTests(SeeingCliFixture f) : IClassFixture<SeeingCliFixture>
{
    [SkippableFact]
    public void FeaturesWritesTheLayerAsNpyAndAsAGrid()
    {
        var refDir = AlexRefs.File("bvlc_alexnet");
        var npy = Path.Combine(Path.GetTempPath(), $"rawconv-cli-{Environment.ProcessId}.npy");
        var png = Path.ChangeExtension(npy, ".png");
        try
        {
            var (code, _, stderr) = CliProcess.Run("features", "--model", AlexRefs.File("bvlc_alexnet.h5"), "--input", Path.Combine(refDir, "input.npy"),
                "--layer", "conv5", "--out", npy, "--device", "opencl");
            Assert.True(code == 0, stderr);
            var (shape, data, _) = Npy.Read(npy);
            Assert.Equal([1, 256, 13, 13], shape);
            var expected = (float[])Npy.Read(Path.Combine(refDir, "conv5.npy")).Data;
            TestUtil.Check.Close((float[])data, expected, 1e-3 * expected.Max(Math.Abs), 1e-3, "features conv5");
            (code, _, stderr) = CliProcess.Run("features", "--model", AlexRefs.File("bvlc_alexnet.h5"), "--input", Path.Combine(refDir, "input.npy"),
                "--layer", "conv5", "--out", png, "--device", "opencl");
            Assert.True(code == 0, stderr);
            var grid = ImageIO.Load(png);
            Assert.True(grid.Width >= 16 * 13 * 4 && grid.Height >= 16 * 13 * 4, $"grid {grid.Width}×{grid.Height}");
        }
        finally
        {
            File.Delete(npy);
            File.Delete(png);
        }
    }

    [Fact]
    public void FeaturesWritesASidecarBesideTheNpyInAFolderMadeForIt()
    {
        var npy = Path.Combine(f.Dir, "feat", "conv1.npy");
        var (code, _, stderr) = CliProcess.Run("features", "--model", f.Model, "--input", f.Input, "--layer", "conv1", "--out", npy, "--device", "reference");
        Assert.True(code == 0, stderr);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npy, ".json"))).RootElement;
        Assert.StartsWith("rawconv features", side.GetProperty("command").GetString());
        Assert.Equal(Npy.Read(npy).Shape, side.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("conv1", side.GetProperty("layer").GetString());
        Assert.Equal(2, Npy.Read(npy).Shape[0]);
    }
}
