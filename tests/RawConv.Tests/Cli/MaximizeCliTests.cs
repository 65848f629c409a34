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
    [InlineData("--preset", "deepdream", "--preset: unknown preset 'deepdream'; use default, simonyan, yosinski, lucid")]
    [InlineData("--param", "wavelet", "--param: unknown parameterization 'wavelet'; use pixels or fourier")]
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

    [Fact]
    public void APresetGivesItsPublishedSettingsAndExplicitOptionsWin()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "y.png");
        var (code, stdout, err) = CliProcess.Run("maximize", "--target", "class:3", "--preset", "yosinski", "--lr", "3", "--iterations", "4", "--out", png,
            "--json", "--device", "reference");
        Assert.True(code == 0, err);
        var s = JsonDocument.Parse(stdout).RootElement.GetProperty("settings");
        Assert.Equal("yosinski", s.GetProperty("preset").GetString());
        Assert.Equal(3f, s.GetProperty("lr").GetSingle());           // given
        Assert.Equal(4, s.GetProperty("iterations").GetInt32());      // given
        Assert.Equal(0f, s.GetProperty("momentum").GetSingle());      // the preset's
        Assert.Equal(4, s.GetProperty("blurEvery").GetInt32());
        Assert.Equal(1f, s.GetProperty("blurSigma").GetSingle());
        Assert.Equal(0, s.GetProperty("jitter").GetInt32());
        Assert.Equal(0.0001 / 200 * 255 * 255, s.GetProperty("l2").GetDouble(), 1e-6); // θ/(2·lr) in Caffe units, converted to the default model's
        Assert.Equal("pixels", s.GetProperty("param").GetString());
    }

    [Fact]
    public void TheLucidPresetMakesAClassModelOnTheSpectrumAndRefusesAStartImage()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "lucid.png");
        var (code, stdout, err) = CliProcess.Run("maximize", "--target", "class:1", "--preset", "lucid", "--out", png, "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(stdout).RootElement;
        var s = json.GetProperty("settings");
        Assert.Equal(("fourier", "adam", "spectrum", 512), (s.GetProperty("param").GetString(), s.GetProperty("optimizer").GetString(),
            s.GetProperty("start").GetString(), s.GetProperty("iterations").GetInt32()));
        output.WriteLine($"lucid class 1: P = {json.GetProperty("targetProbability").GetDouble():F4}");
        Assert.Equal(1, json.GetProperty("topClass").GetInt32());
        Assert.True(json.GetProperty("targetProbability").GetDouble() >= 0.99);

        string x = Path.Combine(dir.Path, "x.npy");
        Assert.Equal(0, CliProcess.Run("maximize", "--target", "class:1", "--iterations", "1", "--out", x, "--device", "reference").Code);
        var (bad, _, refused) = CliProcess.Run("maximize", "--target", "class:1", "--preset", "lucid", "--input", x, "--out", Path.Combine(dir.Path, "no.png"),
            "--device", "reference");
        Assert.Equal(1, bad);
        Assert.Equal("rawconv: --param fourier: the spectrum starts from seeded noise; drop --input/--image or use --param pixels", refused.Trim());
        var (blur, _, blurErr) = CliProcess.Run("maximize", "--target", "class:1", "--param", "fourier", "--blur-every", "2", "--out",
            Path.Combine(dir.Path, "no.png"), "--device", "reference");
        Assert.Equal(1, blur);
        Assert.StartsWith("rawconv: --blur-every: 2: blurring works on pixels", blurErr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "no.png")));
    }
}
