using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Training;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>
/// The shipped default model (weights/default.h5): its checksum and accuracies are the ones written in
/// weights/README.md, every verb uses it without --model, and a user's 28×28 picture is framed like the
/// training canvases.
/// </summary>
public class DefaultModelTests
{
    private static string ModelPath => Path.Combine(RepoRulesTests.Root(), "weights", "default.h5");

    private static string Readme => File.ReadAllText(Path.Combine(RepoRulesTests.Root(), "weights", "README.md"));

    /// <summary>A percentage recorded in weights/README.md on the line "- {label}: **xx.xx %**".</summary>
    private static double Recorded(string label)
    {
        var m = Regex.Match(Readme, Regex.Escape(label) + @"[^\n]*?\*\*([0-9.]+) %\*\*");
        Assert.True(m.Success, $"weights/README.md has no line '- {label}: **xx.xx %**'");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 100;
    }

    private static void SkipWithoutData() =>
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");

    [Fact]
    public void ChecksumIsTheOneRecorded()
    {
        var m = Regex.Match(Readme, @"default\.h5[^\n]*SHA-256[^\n]*`([0-9a-f]{64})`");
        Assert.True(m.Success, "weights/README.md records no SHA-256 for default.h5");
        Assert.Equal(m.Groups[1].Value, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ModelPath))));
    }

    [SkippableFact]
    public void FirstThousandTestImagesGiveTheRecordedAccuracy()
    {
        SkipWithoutData();
        double recorded = Recorded("Top-1 on the first 1,000 test images");
        using var w = WeightsFile.Load(ModelPath, Backends.Get("opencl"));
        var test = FashionMnist.Load("test", w.Net.Spec.InputHeight).Take(1000);
        var r = Evaluator.Evaluate(w.Net, test);
        Assert.Equal(1000, r.N);
        Assert.True(Math.Abs(r.Top1 - recorded) <= 0.005, $"top-1 on the first 1000 test images is {r.Top1:P2}; weights/README.md records {recorded:P2}");
    }

    [SkippableFact]
    public void EvaluateWithoutArgumentsUsesTheDefaultModelOnTheTestSet()
    {
        SkipWithoutData();
        var (code, stdout, stderr) = CliTests.Run("evaluate", "--json", "--device", "opencl");
        Assert.True(code == 0, stderr);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(10000, j.GetProperty("n").GetInt32());
        double top1 = j.GetProperty("top1").GetDouble();
        Assert.True(Math.Abs(top1 - Recorded("Test-set top-1 (10,000 images)")) <= 0.005, $"evaluate printed top-1 {top1}");
        Assert.InRange(j.GetProperty("top5").GetDouble(), top1, 1.0);
    }

    [SkippableFact]
    public void A28PixelPictureIsFramedLikeTheTrainingCanvas()
    {
        SkipWithoutData();
        var test = FashionMnist.Load("test", 40);
        var canvas = new float[40 * 40];
        var dir = Directory.CreateTempSubdirectory("rawconv-letterbox").FullName;
        var files = new List<string>();
        var expected = new List<float[]>();
        using var w = WeightsFile.Load(ModelPath, Backends.Get("opencl"));
        foreach (int i in new[] { 0, 1, 2 })
        {
            test.CopyItem(i, canvas);
            // the 28×28 item back out of the middle of the canvas, as a user's PNG
            var img = new Image(28, 28, 1);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    img.Data[y * 28 + x] = (ushort)Math.Round(canvas[(y + 6) * 40 + x + 6] * 255);
            string f = Path.Combine(dir, $"item{i}.png");
            Png.Save(f, img);
            files.Add(f);
            using var t = Tensor.FromArray(w.Net.Backend, new Shape(1, 1, 40, 40), canvas);
            using var pass = w.Net.Forward(t);
            expected.Add(pass.Output.ToArray());
        }
        var (code, stdout, stderr) = CliTests.Run(["classify", "--image", .. files, "--top", "10", "--json", "--device", "opencl"]);
        Assert.True(code == 0, stderr);
        var results = JsonDocument.Parse(stdout).RootElement.GetProperty("results").EnumerateArray().ToArray();
        for (int i = 0; i < files.Count; i++)
            foreach (var c in results[i].GetProperty("top").EnumerateArray())
                Assert.Equal(expected[i][c.GetProperty("index").GetInt32()], c.GetProperty("probability").GetDouble(), 1e-5);
    }

    [SkippableFact]
    public void ReportWritesThePageAndItsPictures()
    {
        SkipWithoutData();
        var dir = Directory.CreateTempSubdirectory("rawconv-report").FullName;
        var (code, _, stderr) = CliTests.Run("report", "--out", dir, "--eval-limit", "300", "--topk-limit", "500", "--per-class", "1", "--device", "opencl");
        Assert.True(code == 0, stderr);
        var html = File.ReadAllText(Path.Combine(dir, "index.html"));
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))).RootElement;
        Assert.Equal(300, summary.GetProperty("n").GetInt32());
        Assert.StartsWith("rawconv report", summary.GetProperty("command").GetString());
        foreach (Match m in Regex.Matches(html, "src=\"([^\"]+)\""))
        {
            string png = Path.Combine(dir, m.Groups[1].Value);
            Assert.True(File.Exists(png), $"index.html shows {m.Groups[1].Value}, which was not written");
            Assert.True(File.Exists(Path.ChangeExtension(png, ".json")), $"{m.Groups[1].Value} has no JSON sidecar");
        }
        Assert.True(Regex.Matches(html, "<img ").Count >= 10);
        foreach (var kind in new[] { "deconv-", "topk-", "saliency-", "occlusion-", "invariance.png", "evolution.png" })
            Assert.Contains(kind, html);
        // every visualization's sidecar names the rawconv command that remakes it
        var deconv = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(dir, "deconv-*.json")[0])).RootElement;
        Assert.StartsWith("rawconv deconv ", deconv.GetProperty("command").GetString());
    }
}
