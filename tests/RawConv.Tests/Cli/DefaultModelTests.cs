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
    internal static string ModelPath => Path.Combine(RepoRulesTests.Root(), "weights", "default.h5");

    private static string Readme => File.ReadAllText(Path.Combine(RepoRulesTests.Root(), "weights", "README.md"));

    /// <summary>A percentage recorded in weights/README.md on the line "- {label}: **xx.xx %**".</summary>
    internal static double Recorded(string label)
    {
        var m = Regex.Match(Readme, Regex.Escape(label) + @"[^\n]*?\*\*([0-9.]+) %\*\*");
        Assert.True(m.Success, $"weights/README.md has no line '- {label}: **xx.xx %**'");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 100;
    }

    internal static void SkipWithoutData() =>
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



}
