using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv saliency` run as a process on a small saved model; outputs checked against the library.</summary>
public class SaliencyCliTests(SeeingCliFixture f) : IClassFixture<SeeingCliFixture>
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.True(r.Code == 0, $"exit {r.Code}: {r.Err}");
        return r;
    }

    [Fact]
    public void SaliencyWritesTheCaptumStripAndTheTargetInItsSidecar()
    {
        var png = Path.Combine(f.Dir, "s.png");
        Run("saliency", "--model", f.Model, "--input", f.Input, "--method", "smoothgrad", "--samples", "3", "--seed", "4", "--class", "2",
            "--display", "all", "--out", png, "--device", "reference");
        Assert.True(File.Exists(Path.Combine(f.Dir, "s-1.png")));
        png = Path.Combine(f.Dir, "s-0.png");
        var img = ImageIO.Load(png);
        Assert.Equal((5 * 160 + 6 * 2, 164), (img.Width, img.Height)); // original, heat map, blended, masked, alpha
        var j = Json(Path.ChangeExtension(png, ".json"));
        var o = j.GetProperty("options");
        Assert.Equal(("smoothgrad", 3, 4UL, "gradient"), (o.GetProperty("method").GetString(), o.GetProperty("samples").GetInt32(), o.GetProperty("seed").GetUInt64(), o.GetProperty("base").GetString()));
        Assert.Equal(0.15f, o.GetProperty("noise").GetSingle());
        Assert.Equal(5, o.GetProperty("display").GetArrayLength());
        Assert.Equal(("class", 2, "c2", "fc8"), (j.GetProperty("target").GetString(), j.GetProperty("class").GetInt32(), j.GetProperty("label").GetString(), j.GetProperty("layer").GetString()));
        Assert.True(float.IsFinite(j.GetProperty("score").GetSingle()));
    }

    [Fact]
    public void SaliencyNpyEqualsTheLibrary()
    {
        var guided = Path.Combine(f.Dir, "g.npy");
        var smooth = Path.Combine(f.Dir, "sg.npy");
        Run("saliency", "--model", f.Model, "--input", f.Input, "--method", "guided", "--unit", "conv4:5", "--out", guided, "--device", "reference");
        Run("saliency", "--model", f.Model, "--input", f.Input, "--method", "smoothgrad", "--samples", "4", "--noise", "0.1", "--seed", "8",
            "--out", smooth, "--device", "reference", "--json");
        var (net, x) = f.Load();
        using (net)
        using (x)
        {
            using var g = Saliency.Compute(net, x, SaliencyTarget.OfUnit("conv4", 5), new SaliencyOptions(SaliencyMethod.Guided));
            Check.Close((float[])Npy.Read(guided).Data, g.Map.ToArray(), 0, 0, "saliency guided .npy");
            var images = Json(Path.Combine(f.Dir, "g.json")).GetProperty("images").EnumerateArray().ToArray();
            for (int i = 0; i < 2; i++)
            {
                var t = g.Targets[i];
                Assert.Equal(("unit", "conv4", t.Channel, t.Y, t.X, t.Score), (images[i].GetProperty("target").GetString(), images[i].GetProperty("layer").GetString(),
                    images[i].GetProperty("channel").GetInt32(), images[i].GetProperty("y").GetInt32(), images[i].GetProperty("x").GetInt32(), images[i].GetProperty("score").GetSingle()));
            }
            using var s = Saliency.Compute(net, x, SaliencyTarget.TopClass, new SaliencyOptions(SaliencyMethod.SmoothGrad, 4, 0.1f, 8));
            var (shape, data, _) = Npy.Read(smooth);
            Assert.Equal([2, 1, 40, 40], shape);
            Check.Close((float[])data, s.Map.ToArray(), 0, 0, "saliency smoothgrad .npy");
        }
    }

    [Fact]
    public void AFailedVerbLeavesNothingInItsOutputFolder()
    {
        var target = Path.Combine(f.Dir, "failed");
        Directory.CreateDirectory(target);
        // The two inputs make two pictures; the second one's sidecar name is taken by a folder, so the write fails after staging.
        Directory.CreateDirectory(Path.Combine(target, "s-1.json"));
        var (code, _, stderr) = CliProcess.Run("saliency", "--model", f.Model, "--input", f.Input, "--out", Path.Combine(target, "s.png"), "--device", "reference");
        Assert.Equal(1, code);
        Assert.Contains("is a folder", stderr);
        Assert.Equal(["s-1.json"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }
}
