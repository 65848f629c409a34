using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Optimize;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv maximize`: one plain SGD step against PyTorch, the PNG and sidecar on the default model, and bad options.</summary>
public class MaximizeCliTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void OnePlainStepIsTheInputPlusTheLearningRateTimesPyTorchsClassGradient()
    {
        int k = OptimizeRefs.Meta.GetProperty("class").GetInt32();
        string input = OptimizeRefs.File("input.npy");
        using var dir = new TempDir();
        string y = Path.Combine(dir.Path, "y.npy");
        var (code, _, err) = CliProcess.Run("maximize", "--model", AlexRefs.File("bvlc_alexnet.h5"), "--input", input, "--target", $"class:{k}",
            "--optimizer", "sgd", "--lr", "1000", "--momentum", "0", "--iterations", "1", "--l2", "0", "--tv", "0", "--blur-every", "0",
            "--jitter", "0", "--clip", "none", "--out", y, "--device", "opencl");
        Assert.True(code == 0, err);
        var x = (float[])Npy.Read(input).Data;
        var (shape, data, _) = Npy.Read(y);
        Assert.Equal([1, 3, 227, 227], shape);
        var step = ((float[])data).Select((v, i) => (v - x[i]) / 1000f).ToArray();
        SaliencyRefs.AssertClose(step, OptimizeRefs.Array("grad_class_score"), "maximize step / lr", output);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(y, ".json"))).RootElement;
        Assert.Equal(1, side.GetProperty("history").GetArrayLength());
        Assert.Equal(OptimizeRefs.Meta.GetProperty("values").GetProperty("class_score").GetDouble(), side.GetProperty("history")[0].GetDouble(), 1e-3);
        Assert.Equal("none", side.GetProperty("settings").GetProperty("clip").GetString());
        Assert.Contains("maximize", side.GetProperty("command").GetString());
    }

    [Fact]
    public void TheDefaultModelsClassModelIsAPictureWithItsSettingsAndHistory()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "bag.png");
        var (code, stdout, err) = CliProcess.Run("maximize", "--target", "class:8", "--iterations", "60", "--seed", "2", "--out", png, "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(60, json.GetProperty("history").GetArrayLength());
        Assert.True(json.GetProperty("history")[59].GetDouble() > json.GetProperty("history")[0].GetDouble());
        Assert.Equal(8, json.GetProperty("topClass").GetInt32());
        Assert.Equal("Bag", json.GetProperty("topLabel").GetString());
        Assert.Equal(2, json.GetProperty("settings").GetProperty("seed").GetInt32());
        Assert.Equal("random", json.GetProperty("settings").GetProperty("start").GetString());
        var img = ImageIO.Load(png);
        Assert.True(img.Width >= 160 && img.Height == img.Width);
        Assert.True(File.Exists(Path.ChangeExtension(png, ".json")));
    }

    [Theory]
    [InlineData("--target", "class:99", "fc8 has 10 channels")]
    [InlineData("--target", "neuron:3", "--target")]
    [InlineData("--iterations", "0", "--iterations")]
    [InlineData("--lr", "NaN", "--lr")]
    [InlineData("--clip", "sometimes", "--clip")]
    [InlineData("--optimizer", "rmsprop", "--optimizer")]
    public void BadOptionsAreOneLineNamingTheOptionAndWriteNothing(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "m.png");
        string[] args = option == "--target" ? ["maximize", option, value, "--out", png] : ["maximize", "--target", "class:1", option, value, "--out", png];
        var (code, _, err) = CliProcess.Run([.. args, "--device", "reference"]);
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("rawconv: ", err);
        Assert.Contains(says, err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out")).Any());
    }
}
