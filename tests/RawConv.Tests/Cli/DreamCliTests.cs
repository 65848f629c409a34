using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Optimize;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv dream`: one plain step against PyTorch, a zoom loop of frames with its animation, and bad options.</summary>
public class DreamCliTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void OnePlainStepIsTheNormalizedEnergyGradientOfPyTorch()
    {
        string input = OptimizeRefs.File("input.npy");
        using var dir = new TempDir();
        string y = Path.Combine(dir.Path, "y.npy");
        var (code, _, err) = CliProcess.Run("dream", "--model", AlexRefs.File("bvlc_alexnet.h5"), "--input", input, "--layer", "relu3", "--octaves", "1",
            "--iterations", "1", "--jitter", "0", "--clip", "none", "--step", "1.5", "--out", y, "--device", "opencl");
        Assert.True(code == 0, err);
        var x = (float[])Npy.Read(input).Data;
        var got = ((float[])Npy.Read(y).Data).Select((v, i) => (v - x[i]) / 1.5f).ToArray();
        var g = OptimizeRefs.Array("grad_energy");
        double meanAbs = g.Average(v => Math.Abs((double)v));
        SaliencyRefs.AssertClose(got, g.Select(v => (float)(v / meanAbs)).ToArray(), "dream step / 1.5", output);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(y, ".json"))).RootElement;
        Assert.Equal(1.5, side.GetProperty("settings").GetProperty("step").GetDouble(), 6);
        Assert.Equal(OptimizeRefs.Meta.GetProperty("values").GetProperty("energy").GetDouble(), side.GetProperty("history")[0].GetDouble(), 1e-3 * 1e8);
    }

    [Fact]
    public void AZoomLoopWritesEveryFrameAndAnAnimationOfThem()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "d.png");
        var (code, stdout, err) = CliProcess.Run("dream", "--image", "/usr/share/darknet/data/dog.jpg", "--size", "64", "--octaves", "2", "--iterations", "2",
            "--frames", "3", "--zoom", "0.1", "--out", png, "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal([1, 1, 48, 64], json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(4, json.GetProperty("history").GetArrayLength());
        var frames = Enumerable.Range(0, 3).Select(i => ImageIO.Load(Path.Combine(dir.Path, $"d-{i:D3}.png"))).ToList();
        Assert.Equal(frames[2].Data, ImageIO.Load(png).Data);
        Assert.NotEqual(frames[0].Data, frames[1].Data);
        var anim = File.ReadAllBytes(Path.Combine(dir.Path, "d-anim.png"));
        Assert.Equal(frames[0].Data, Png.Decode(anim).Data);   // viewers without APNG show the first frame
        Assert.True(File.Exists(Path.Combine(dir.Path, "d-001.json")));
    }

    [Theory]
    [InlineData("--octaves", "0", "--octaves")]
    [InlineData("--step", "-1", "--step")]
    [InlineData("--layer", "nope", "no layer 'nope'")]
    [InlineData("--frames", "100000", "--frames")]
    [InlineData("--octave-scale", "1", "--octave-scale")]
    public void BadOptionsAreOneLineAndWriteNothing(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "d.png");
        var (code, _, err) = CliProcess.Run("dream", option, value, "--out", png, "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(says, err);
        Assert.False(File.Exists(png));
    }
}
