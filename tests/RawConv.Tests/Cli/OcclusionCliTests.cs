using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv occlusion` on a small saved random mini-AlexNet.</summary>
public sealed class OcclusionCliTests : SmallNetCliTests
{
    [SkippableFact]
    public void OcclusionWritesTheStripSidecarAndNpy()
    {
        Backends.Get("opencl");
        var png = Path.Combine(dir, "occ.png");
        var (code, stdout, stderr) = CliProcess.Run("occlusion", "--model", model, "--input", images[0], "--size", "10", "--stride", "6",
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
        var (code2, _, stderr2) = CliProcess.Run("occlusion", "--model", model, "--input", inputNpy, "--size", "10", "--stride", "6",
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
    public void NpyOutputGetsASidecarInAFolderMadeForIt()
    {
        Backends.Get("opencl");
        var npy = Path.Combine(dir, "new", "sub", "occ.npy");
        var (code, stdout, stderr) = CliProcess.Run("occlusion", "--model", model, "--input", images[0], "--size", "10", "--stride", "6",
            "--out", npy, "--device", "opencl", "--json");
        Assert.True(code == 0, stderr);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npy, ".json"))).RootElement;
        Assert.StartsWith("rawconv occlusion", side.GetProperty("command").GetString());
        Assert.Equal(JsonDocument.Parse(stdout).RootElement.GetProperty("probability").ToString(), side.GetProperty("probability").ToString());
        Assert.Equal(["occ.json", "occ.npy"], Directory.GetFiles(Path.GetDirectoryName(npy)!).Select(Path.GetFileName).Order());
    }

    [SkippableFact]
    public void OcclusionRejectsASquareLargerThanTheImage()
    {
        Backends.Get("opencl");
        var (code, _, stderr) = CliProcess.Run("occlusion", "--model", model, "--input", images[0], "--size", "41", "--out", Path.Combine(dir, "x.png"), "--device", "opencl");
        Assert.Equal(1, code);
        Assert.Contains("size 41", stderr);
    }
}
