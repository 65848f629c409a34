using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Algorithms;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv occlusion` and `rawconv correspondence` on a small saved random mini-AlexNet.</summary>
public sealed class SeeingCliOcclusionTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-occl-").FullName;
    private readonly string model;
    private readonly string[] images;
    private readonly string all;

    public SeeingCliOcclusionTests()
    {
        model = Path.Combine(dir, "small.h5");
        using (var net = OcclusionTests.SmallNet(Backends.Reference, 5))
            WeightsFile.Save(net, model, Enumerable.Range(0, 10).Select(i => $"item{i}").ToList(), OcclusionTests.Pre);
        // Already preprocessed inputs (--input): `--image` cannot feed one-channel nets yet (Preprocess.Batch makes 3 channels).
        images = Enumerable.Range(0, 3).Select(k =>
        {
            var path = Path.Combine(dir, $"img{k}.npy");
            Npy.Write(path, [1, 1, 40, 40], Rand.Uniform(30 + k, 1600, 0, 1));
            return path;
        }).ToArray();
        all = Path.Combine(dir, "all.npy");
        Npy.Write(all, [3, 1, 40, 40], Rand.Uniform(40, 3 * 1600, 0, 1));
    }

    public void Dispose() => Directory.Delete(dir, true);

    private static float[][] Rows(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    [SkippableFact]
    public void OcclusionWritesTheStripSidecarAndNpy()
    {
        Backends.Get("opencl");
        var png = Path.Combine(dir, "occ.png");
        var (code, stdout, stderr) = CliTests.Run("occlusion", "--model", model, "--input", images[0], "--size", "10", "--stride", "6",
            "--out", png, "--device", "opencl", "--json");
        Assert.True(code == 0, stderr);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal([0, 6, 12, 18, 24, 30], j.GetProperty("ys").EnumerateArray().Select(v => v.GetInt32()));
        var prob = Rows(j.GetProperty("probability"));
        Assert.Equal(6, prob.Length);
        Assert.All(prob, r => Assert.Equal(6, r.Length));
        Assert.Equal("relu5", j.GetProperty("layer").GetString());
        Assert.Equal("128", j.GetProperty("settings").GetProperty("fill").GetString());
        var sidecar = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.StartsWith("rawconv occlusion", sidecar.GetProperty("command").GetString());
        Assert.NotEmpty(sidecar.GetProperty("legend").EnumerateArray());
        var strip = ImageIO.Load(png);
        Assert.Equal((4 * 160 + 5 * 2, 160 + 2 * 2), (strip.Width, strip.Height));

        // Raw maps from an already preprocessed --input agree with the library on the reference backend.
        var input = Rand.Uniform(77, 1600, 0, 1);
        var inputNpy = Path.Combine(dir, "x.npy");
        Npy.Write(inputNpy, [1, 1, 40, 40], input);
        var npy = Path.Combine(dir, "occ.npy");
        var (code2, _, stderr2) = CliTests.Run("occlusion", "--model", model, "--input", inputNpy, "--size", "10", "--stride", "6",
            "--fill", "mean", "--class", "2", "--out", npy, "--device", "opencl");
        Assert.True(code2 == 0, stderr2);
        var (shape, data, _) = Npy.Read(npy);
        Assert.Equal([3, 6, 6], shape);
        using var net = OcclusionTests.SmallNet(Backends.Reference, 5);
        using var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), input);
        var r2 = Occlusion.Run(net, x, OcclusionTests.Pre, new OcclusionOptions(10, 6, OcclusionFill.Parse("mean"), 2));
        var f = (float[])data;
        Check.Close(f.AsSpan(0, 36), r2.Probability, 1e-5, 1e-4, "npy P(class 2)");
        Check.Close(f.AsSpan(36, 36), r2.Activation, 1e-4 * Math.Max(1, r2.Activation.Max(Math.Abs)), 1e-4, "npy activation");
        Assert.Equal(r2.Label.Select(v => (float)v), f.Skip(72));
    }

    [SkippableFact]
    public void NpyOutputsGetASidecarInAFolderMadeForThem()
    {
        Backends.Get("opencl");
        var npy = Path.Combine(dir, "new", "sub", "occ.npy");
        var (code, stdout, stderr) = CliTests.Run("occlusion", "--model", model, "--input", images[0], "--size", "10", "--stride", "6",
            "--out", npy, "--device", "opencl", "--json");
        Assert.True(code == 0, stderr);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npy, ".json"))).RootElement;
        Assert.StartsWith("rawconv occlusion", side.GetProperty("command").GetString());
        Assert.Equal(JsonDocument.Parse(stdout).RootElement.GetProperty("probability").ToString(), side.GetProperty("probability").ToString());
        Assert.Equal(["occ.json", "occ.npy"], Directory.GetFiles(Path.GetDirectoryName(npy)!).Select(Path.GetFileName).Order());

        var features = Path.Combine(dir, "feat", "conv1.npy");
        (code, _, stderr) = CliTests.Run("features", "--model", model, "--input", images[1], "--layer", "conv1", "--out", features, "--device", "opencl");
        Assert.True(code == 0, stderr);
        var fside = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(features, ".json"))).RootElement;
        Assert.Equal(Npy.Read(features).Shape, fside.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("conv1", fside.GetProperty("layer").GetString());
    }

    [SkippableFact]
    public void AFailedVerbLeavesNothingInItsOutputFolder()
    {
        Backends.Get("opencl");
        var target = Path.Combine(dir, "failed");
        Directory.CreateDirectory(target);
        // Two inputs make two pictures; the second one's sidecar name is taken by a folder, so the write fails after staging.
        Directory.CreateDirectory(Path.Combine(target, "s-1.json"));
        var (code, _, stderr) = CliTests.Run("saliency", "--model", model, "--input", all, "--out", Path.Combine(target, "s.png"), "--device", "opencl");
        Assert.Equal(1, code);
        Assert.Contains("is a folder", stderr);
        Assert.Equal(["s-1.json"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void OcclusionRejectsASquareLargerThanTheImage()
    {
        Backends.Get("opencl");
        var (code, _, stderr) = CliTests.Run("occlusion", "--model", model, "--input", images[0], "--size", "41", "--out", Path.Combine(dir, "x.png"), "--device", "opencl");
        Assert.Equal(1, code);
        Assert.Contains("size 41", stderr);
    }

    [SkippableFact]
    public void CorrespondencePrintsDeltaPerLayerAndDrawsTheBoxes()
    {
        Backends.Get("opencl");
        var png = Path.Combine(dir, "corr.png");
        var (code, stdout, stderr) = CliTests.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--box", "20,20,30,30",
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

        var (text, tout, terr) = CliTests.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--random", "2", "--device", "opencl"]);
        Assert.True(text == 0, terr);
        Assert.Contains("relu5", tout);
        Assert.Contains("relu7", tout);

        var (bad, _, berr) = CliTests.Run(["correspondence", "--model", model, "--input", all, "--box", "2,3,12,13", "--box", "1,1,5,5", "--device", "opencl"]);
        Assert.Equal(1, bad);
        Assert.Contains("3 images but 2 --box", berr);
    }
}
