using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv texture` on the default model: the Gram loss falls a hundredfold, L-BFGS beats Adam, coarse to fine, and bad options.</summary>
public class TextureCliTests(ITestOutputHelper output)
{
    private const string Brick = "/usr/lib/python3/dist-packages/skimage/data/brick.png";

    private static JsonElement Run(params string[] args)
    {
        var (code, stdout, err) = CliProcess.Run(["texture", "--image", Brick, .. args, "--json"]);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(stdout).RootElement;
    }

    [SkippableFact]
    public void LbfgsLowersTheGramLossAHundredfoldIn40StepsAndBeatsAdam()
    {
        Skip.IfNot(File.Exists(Brick), $"{Brick} (python3-skimage) not installed");
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "brick.png");
        var lbfgs = Run("--layers", "relu1,pool1", "--iterations", "40", "--out", png);
        var adam = Run("--layers", "relu1,pool1", "--iterations", "40", "--optimizer", "adam", "--out", Path.Combine(dir.Path, "adam.png"));
        double start = lbfgs.GetProperty("initialLoss").GetDouble(), l = lbfgs.GetProperty("finalLoss").GetDouble(), a = adam.GetProperty("finalLoss").GetDouble();
        output.WriteLine($"Gram loss from noise {start:G4}: L-BFGS {l:G4} ({start / l:F0}×), Adam {a:G4} ({start / a:F0}×) after 40 steps");
        Assert.True(start / l >= 100, $"L-BFGS lowered the Gram loss {start / l:F1}× in 40 steps");
        Assert.True(l < a, $"L-BFGS {l} vs Adam {a} after 40 steps");
        Assert.Equal(start, adam.GetProperty("initialLoss").GetDouble());
        Assert.Equal(40, lbfgs.GetProperty("iterations").GetInt32());
        var losses = lbfgs.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(40, losses.Count);
        Assert.Equal(start, losses[0], 1e-6 * start);
        Assert.Equal("lbfgs", lbfgs.GetProperty("settings").GetProperty("optimizer").GetString());
        Assert.Equal("adam", adam.GetProperty("settings").GetProperty("optimizer").GetString());
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.Equal(l, side.GetProperty("finalLoss").GetDouble());
        var img = ImageIO.Load(png);
        Assert.True(img.Width >= 40 && img.Width == img.Height);
    }

    [SkippableFact]
    public void CoarseToFineEndsAtTheRequestedSizeWhateverTheSources()
    {
        Skip.IfNot(File.Exists(Brick), $"{Brick} (python3-skimage) not installed");
        using var dir = new TempDir();
        string npy = Path.Combine(dir.Path, "t.npy");
        var j = Run("--layers", "relu1,pool1", "--size", "48,56", "--scales", "2", "--iterations", "5", "--seed", "3", "--out", npy);
        Assert.Equal([1, 1, 48, 56], Npy.Read(npy).Shape);
        var scales = j.GetProperty("scales").EnumerateArray().ToList();
        Assert.Equal([(24, 28), (48, 56)], scales.Select(s => (s.GetProperty("height").GetInt32(), s.GetProperty("width").GetInt32())));
        Assert.Equal(10, j.GetProperty("iterations").GetInt32());
        Assert.Equal(j.GetProperty("initialLoss").GetDouble(), scales[0].GetProperty("initialLoss").GetDouble());
        Assert.Equal(j.GetProperty("finalLoss").GetDouble(), scales[1].GetProperty("finalLoss").GetDouble());
        Assert.True(scales[0].GetProperty("finalLoss").GetDouble() < scales[0].GetProperty("initialLoss").GetDouble());
    }

    [Theory]
    [InlineData("--optimizer", "sgd", "--optimizer: unknown optimizer 'sgd'; use lbfgs or adam")]
    [InlineData("--iterations", "-1", "--iterations")]
    [InlineData("--scales", "0", "--scales")]
    [InlineData("--size", "12x5", "--size: '12x5' is not H,W")]
    [InlineData("--layers", "fc9", "--layers: mini_alexnet has no layer 'fc9'")]
    [InlineData("--layers", "relu1,,pool1", "--layers")]
    [InlineData("--scales", "4", "--size/--scales")]
    [InlineData("--lr", "NaN", "--lr")]
    public void BadOptionsAreOneLineNamingTheOptionAndWriteNothing(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "t.png");
        string image = File.Exists(Brick) ? Brick : "/usr/share/darknet/data/dog.jpg";
        var (code, _, err) = CliProcess.Run("texture", "--image", image, option, value, "--iterations", option == "--iterations" ? value : "1", "--out", png, "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("rawconv: ", err);
        Assert.Contains(says, err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out")).Any());
    }
}
