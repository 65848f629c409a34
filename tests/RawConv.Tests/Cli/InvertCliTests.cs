using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv invert`: the JSON's layer and normalized error describe the .npy it writes.</summary>
public class InvertCliTests
{
    [Fact]
    public void TheJsonErrorIsTheErrorOfTheWrittenImage()
    {
        using var dir = new TempDir();
        string x = Path.Combine(dir.Path, "x.npy"), y = Path.Combine(dir.Path, "y.npy");
        var v = Rand.Uniform(3, 1600, 0, 1);
        Npy.Write(x, [1, 1, 40, 40], v);
        var (code, stdout, err) = CliProcess.Run("invert", "--input", x, "--layer", "relu2", "--iterations", "30", "--out", y, "--json", "--device", "opencl");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("relu2", j.GetProperty("layer").GetString());
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), Backends.Reference);
        using var a = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), (float[])Npy.Read(y).Data);
        using var e = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), v);
        using var pa = w.Net.Forward(a, "relu2");
        using var pe = w.Net.Forward(e, "relu2");
        var av = pa["relu2"].ToArray();
        var ev = pe["relu2"].ToArray();
        double expected = Math.Sqrt(av.Select((t, i) => (double)(t - ev[i]) * (t - ev[i])).Sum() / ev.Sum(t => (double)t * t));
        Assert.Equal(expected, j.GetProperty("normalizedError").GetDouble(), 3);
        Assert.Equal(30, j.GetProperty("restarts")[0].GetProperty("history").GetArrayLength());
    }

    [Theory]
    [InlineData("--restarts", "0", "--restarts")]
    [InlineData("--layer", "nope", "no layer 'nope'")]
    [InlineData("--lr", "-1", "--lr")]
    public void BadOptionsAreOneLine(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "i.png");
        string[] args = option == "--layer" ? ["invert", "--layer", value] : ["invert", "--layer", "conv1", option, value];
        var (code, _, err) = CliProcess.Run([.. args, "--image", "/usr/share/darknet/data/dog.jpg", "--out", png, "--device", "reference"]);
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(says, err);
        Assert.False(File.Exists(png));
    }
}
