using RawConv.Algorithms.Style;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using static RawConv.Tests.Cli.StyleCliTests;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv style`: colour preservation end to end, and bad options and inputs refused in one line naming the option, writing nothing.</summary>
public class StyleCliErrorTests
{
    [SkippableFact]
    public void LuminanceTransferOnAGreyNetworkKeepsTheContentsColours()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "l.png");
        Run("--content", Astronaut, "--style", Scream, "--size", "40", "--iterations", "0", "--init", "content", "--preserve-colour", "luminance", "--out", png);
        // No step taken: the network's luminance joined with the content's I and Q is the resized content itself.
        var src = ImageIO.Load(Astronaut);
        var want = Resize.Bilinear(ColourTransfer.Planes(src), 3, src.Height, src.Width, 40, 40);
        var got = ImageIO.Load(png);
        Assert.Equal((40, 40, 3), (got.Width, got.Height, got.Channels));
        int worst = 0;
        for (int p = 0; p < 40 * 40; p++)
            for (int c = 0; c < 3; c++)
                worst = Math.Max(worst, Math.Abs(got.Data[p * 3 + c] - Math.Clamp((int)MathF.Round(want[c * 1600 + p]), 0, 255)));
        Assert.True(worst <= 1, $"worst channel difference {worst} grey levels");
    }

    [SkippableFact]
    public void HistogramMatchingChangesOnlyTheStyleTarget()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string[] common = ["--content", Astronaut, "--style", Scream, "--size", "40", "--iterations", "0", "--init", "content"];
        var none = Run([.. common, "--out", Path.Combine(dir.Path, "n.npy")]);
        var hist = Run([.. common, "--preserve-colour", "histogram", "--out", Path.Combine(dir.Path, "h.npy")]);
        Assert.Equal("histogram", hist.GetProperty("settings").GetProperty("preserveColour").GetString());
        Assert.Equal(none.GetProperty("tvLoss").GetDouble(), hist.GetProperty("tvLoss").GetDouble());
        Assert.NotEqual(none.GetProperty("styleLoss").GetDouble(), hist.GetProperty("styleLoss").GetDouble());
    }

    [SkippableTheory]
    [InlineData("--content-layers", "conv9", "--content-layers: mini_alexnet has no layer 'conv9'")]
    [InlineData("--style-layers", "relu1,fc6", "--style-layers: layer 'fc6' of mini_alexnet outputs (1, 256), not a (N, C, H, W) feature map")]
    [InlineData("--style-layers", "relu1,,pool1", "--style-layers: 'relu1,,pool1' has an empty name")]
    [InlineData("--style-blend", "1,2", "--style-blend: 2 weights for 1 --style images")]
    [InlineData("--style-blend", "0", "--style-blend: '0' sums to 0")]
    [InlineData("--size", "4", "--size: 4×4 is too small for layer 'relu3' of --content-layers")]
    [InlineData("--style-scale", "0.02", "--style-scale (style 1): 1×1 is too small for layer 'pool5'")]
    [InlineData("--init", "grey", "--init: 'grey' — give content, noise or an NCHW float32 .npy")]
    [InlineData("--pool", "min", "--pool: unknown pooling 'min'")]
    [InlineData("--preserve-colour", "hue", "--preserve-colour: unknown mode 'hue'")]
    [InlineData("--style-weight", "-1", "--style-weight")]
    [InlineData("--optimizer", "sgd", "--optimizer: unknown optimizer 'sgd'")]
    public void BadOptionsAreOneLineNamingTheOptionAndWriteNothing(string option, string value, string says)
    {
        SkipUnlessPictures();
        Fails(says, "--content", Astronaut, "--style", Scream, option, value);
    }

    [SkippableFact]
    public void BadArraysAreRefusedByOptionAndFile()
    {
        SkipUnlessPictures();
        using var dir = new TempDir();
        string P(string name) => Path.Combine(dir.Path, name);
        Npy.Write(P("rgb.npy"), [1, 3, 40, 40], new float[3 * 1600]);
        Npy.Write(P("flat.npy"), [1600], new float[1600]);
        var nan = new float[1600];
        nan[7] = float.NaN;
        Npy.Write(P("nan.npy"), [1, 1, 40, 40], nan);
        Npy.Write(P("small.npy"), [1, 1, 20, 20], new float[400]);
        Npy.Write(P("grey.npy"), [1, 1, 40, 40], new float[1600]);
        Fails($"--content: {P("rgb.npy")}: shape (1, 3, 40, 40) has 3 channels but mini_alexnet takes 1", "--content", P("rgb.npy"), "--style", Scream);
        Fails($"--style: {P("flat.npy")}: shape (1600) is not (1, C, H, W)", "--content", Astronaut, "--style", P("flat.npy"));
        Fails($"--style: {P("nan.npy")}: holds 1 non-finite values", "--content", Astronaut, "--style", P("nan.npy"));
        Fails($"--init: {P("small.npy")}: 20×20 does not match the output size 40×40", "--content", Astronaut, "--style", Scream, "--init", P("small.npy"));
        Fails($"--content: {P("grey.npy")}: --preserve-colour luminance needs colour pixels", "--content", P("grey.npy"), "--style", Scream, "--preserve-colour", "luminance");
        Fails($"--style: {P("missing.png")}: no such file", "--content", Astronaut, "--style", P("missing.png"));
    }

    private static void Fails(string says, params string[] args)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "s.png");
        string[] all = ["style", .. args, "--iterations", "2", "--save-every", "1", "--out", png];
        if (!args.Contains("--size")) all = [.. all, "--size", "40"];
        var (code, _, err) = CliProcess.Run(all);
        Assert.True(code == 1, $"exit {code}: {err}");
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("rawconv: ", err);
        Assert.Contains(says, err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "out")).Any());
    }
}
