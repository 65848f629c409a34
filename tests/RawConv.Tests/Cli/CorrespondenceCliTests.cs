using System.Text.Json;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv correspondence` on a small saved random mini-AlexNet.</summary>
public sealed class CorrespondenceCliTests : SmallNetCliTests
{
    [SkippableFact]
    public void CorrespondencePrintsDeltaPerLayerAndDrawsTheBoxes()
    {
        Backends.Get("opencl");
        var png = Path.Combine(dir, "corr.png");
        var (code, stdout, stderr) = CliProcess.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--box", "20,20,30,30",
            "--box", "5,25,15,35", "--layers", "relu5,fc7", "--random", "6", "--seed", "3", "--out", png, "--device", "opencl", "--json"]);
        Assert.True(code == 0, stderr);
        var layers = JsonDocument.Parse(stdout).RootElement.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["relu5", "fc7"], layers.Select(l => l.GetProperty("layer").GetString()));
        foreach (var l in layers)
        {
            Assert.Equal(3, l.GetProperty("pairs").GetInt32());
            Assert.Equal(6, l.GetProperty("randomDeltas").GetArrayLength());
            Assert.Equal(l.GetProperty("delta").GetInt64() / 3.0, l.GetProperty("deltaPerPair").GetDouble(), 1e-9);
        }
        Assert.Equal(32, layers[1].GetProperty("dimension").GetInt32());
        Assert.True(File.Exists(Path.ChangeExtension(png, ".json")));
        var shown = ImageIO.Load(png);
        Assert.Equal((3 * 120 + 4 * 2, 120 + 2 * 2), (shown.Width, shown.Height));

        var (text, tout, terr) = CliProcess.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--random", "2", "--device", "opencl"]);
        Assert.True(text == 0, terr);
        Assert.Contains("relu5", tout);
        Assert.Contains("relu7", tout);

        var (bad, _, berr) = CliProcess.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--box", "1,1,5,5", "--device", "opencl"]);
        Assert.Equal(1, bad);
        Assert.Contains("3 images but 2 --box", berr);
    }
}
