using System.Text.Json;
using System.Xml.Linq;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv invariance` on a small saved random mini-AlexNet: the CSV, SVG, PNG, JSON and .npy it writes.</summary>
public sealed class InvarianceCliTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"rawconv-cli-invariance-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly string model, input;

    public InvarianceCliTests()
    {
        Directory.CreateDirectory(dir);
        var cfg = new MiniAlexNetConfig(Canvas: 32, C1: 8, C2: 16, C3: 16, C4: 16, C5: 16, Fc: 32);
        using var net = new Net(MiniAlexNet.Spec(cfg), Backends.Reference);
        net.InitializeRandom(3);
        model = Path.Combine(dir, "m.h5");
        var pre = new Preprocessing(ChannelOrder.RGB, [0f], [1f], 1f / 255f, 32, 32);
        WeightsFile.Save(net, model, Enumerable.Range(0, 10).Select(i => $"garment{i}").ToList(), pre);
        input = Path.Combine(dir, "x.npy");
        Npy.Write(input, [2, 1, 32, 32], Rand.Uniform(4, 2 * 32 * 32, 0, 1));
    }

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void WritesCsvSvgPngAndSidecarForAFolder()
    {
        var outDir = Path.Combine(dir, "out") + "/";
        var (code, stdout, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "translate", "--range", "-4:4",
            "--steps", "5", "--axis", "y", "--class", "3", "--out", outDir, "--device", "reference", "--json");
        Assert.True(code == 0, stderr);
        string prefix = Path.Combine(outDir, "invariance-translate");

        var csv = File.ReadAllLines(prefix + ".csv");
        Assert.Equal("image,transform,amount,distance_pool1,distance_fc7,p_class,class,top_class", csv[0]);
        Assert.Equal(1 + 2 * 5, csv.Length);
        var zero = csv[3].Split(',');
        Assert.Equal(["translate", "0", "0", "0"], zero[1..5]);
        Assert.Equal("3", zero[6]);
        Assert.All(csv.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[5], System.Globalization.CultureInfo.InvariantCulture), 0, 1));

        XNamespace svg = "http://www.w3.org/2000/svg";
        var doc = XDocument.Parse(File.ReadAllText(prefix + ".svg"));
        Assert.Equal(3 * 2, doc.Descendants(svg + "g").Count(g => g.Attribute("data-series") != null));
        var texts = doc.Descendants(svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("distance at pool1", texts);
        Assert.Contains("distance at fc7", texts);
        Assert.Contains("P(true class)", texts);
        Assert.Contains("x.npy[1] (garment3)", texts);

        var png = ImageIO.Load(prefix + ".png");
        Assert.Equal(3 * 480, png.Width);
        Assert.True(png.Height > 360, $"height {png.Height}");

        var side = JsonDocument.Parse(File.ReadAllText(prefix + ".json")).RootElement;
        Assert.StartsWith("rawconv invariance", side.GetProperty("command").GetString());
        Assert.Equal("y", side.GetProperty("axis").GetString());
        var sweep = Assert.Single(side.GetProperty("sweeps").EnumerateArray());
        Assert.Equal("translate", sweep.GetProperty("transform").GetString());
        var curves = sweep.GetProperty("curves");
        Assert.Equal(2, curves.GetArrayLength());
        Assert.Equal("garment3", curves[0].GetProperty("label").GetString());
        var pts = curves[1].GetProperty("points");
        Assert.Equal(5, pts.GetArrayLength());
        Assert.Equal(0.0, pts[2].GetProperty("distances").GetProperty("fc7").GetDouble());
        Assert.True(pts[0].GetProperty("distances").GetProperty("pool1").GetDouble() > 0);

        var printed = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal([-4.0, -2, 0, 2, 4], printed.GetProperty("sweeps")[0].GetProperty("amounts").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(3, printed.GetProperty("outputs").GetArrayLength());
    }

    [Fact]
    public void NpyOutIsTheRawTable()
    {
        var npy = Path.Combine(dir, "t.npy");
        var (code, _, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "rotate", "--steps", "4",
            "--layers", "conv2,fc6,fc8", "--fill", "border", "--out", npy, "--device", "reference");
        Assert.True(code == 0, stderr);
        var (shape, data, dtype) = Npy.Read(npy);
        Assert.Equal([8, 8], shape);
        Assert.Equal("<f4", dtype);
        var f = (float[])data;
        Assert.Equal([0f, 120f, 240f, 360f], Enumerable.Range(0, 4).Select(r => f[r * 8 + 1]));
        Assert.Equal(1f, f[7 * 8]);
        Assert.Equal(0f, f[0 * 8 + 2]);
        Assert.Equal(0f, f[3 * 8 + 4]);
    }

    [Fact]
    public void AllTransformsStackOneRowOfPanelsEach()
    {
        var prefix = Path.Combine(dir, "fig5");
        var (code, _, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "all", "--layers", "conv1,fc7",
            "--batch", "64", "--out", prefix + ".png", "--device", "reference");
        Assert.True(code == 0, stderr);
        var csv = File.ReadAllLines(prefix + ".csv");
        Assert.Equal(1 + 2 * (25 + 17 + 37), csv.Length);
        Assert.Equal(["translate", "scale", "rotate"], csv.Skip(1).Select(l => l.Split(',')[1]).Distinct());
        var png = ImageIO.Load(prefix + ".png");
        Assert.Equal(3 * 480, png.Width);
        Assert.True(png.Height > 3 * 360, $"height {png.Height}");
        XNamespace svg = "http://www.w3.org/2000/svg";
        var texts = XDocument.Parse(File.ReadAllText(prefix + ".svg")).Descendants(svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("rotation: distance at conv1", texts);
        Assert.Contains("scale: P(true class)", texts);
        (code, _, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "scale,rotate", "--steps", "3", "--device", "reference");
        Assert.Equal(1, code);
        Assert.Contains("apply to a single --transform", stderr);
    }

    [Fact]
    public void BadFlagsFailWithOneLine()
    {
        var (code, _, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "shear", "--device", "reference");
        Assert.Equal(1, code);
        Assert.Equal("rawconv: unknown --transform 'shear'; expected translate, scale, rotate (comma-separated) or all", stderr.Trim());
        (code, _, stderr) = CliProcess.Run("invariance", "--model", model, "--input", input, "--transform", "scale", "--range", "0:2", "--device", "reference");
        Assert.Equal(1, code);
        Assert.Contains("scale ratios must be positive", stderr);
    }
}
