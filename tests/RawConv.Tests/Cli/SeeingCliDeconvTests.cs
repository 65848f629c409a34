using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>A small random MiniAlexNet saved as .h5 with class names and 0–1 preprocessing, and two inputs as .npy.</summary>
public sealed class SeeingCliFixture : IDisposable
{
    public SeeingCliFixture()
    {
        Directory.CreateDirectory(Dir);
        var spec = SaliencyProperties.SmallSpec;
        using (var net = new Net(spec, Backends.Reference))
        {
            net.InitializeRandom(3);
            WeightsFile.Save(net, Model, Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(),
                new Preprocessing(ChannelOrder.RGB, [0f], [1f], 1f / 255f, spec.InputHeight, spec.InputWidth));
        }
        Npy.Write(Input, [2, 1, 40, 40], Rand.Uniform(21, 2 * 40 * 40, 0, 1));
    }

    /// <summary>The scratch folder.</summary>
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"rawconv-seeing-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");
    /// <summary>The model file.</summary>
    public string Model => Path.Combine(Dir, "mini.h5");
    /// <summary>Two preprocessed inputs (2, 1, 40, 40).</summary>
    public string Input => Path.Combine(Dir, "x.npy");

    /// <summary>The saved model and the .npy input, loaded here on the reference backend (as `--device reference` does).</summary>
    public (Net Net, Tensor X) Load()
    {
        var net = WeightsFile.Load(Model, Backends.Reference).Net;
        return (net, Npy.ReadTensor(Backends.Reference, Input));
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}

/// <summary>`rawconv deconv` and `rawconv saliency` run as processes on a small saved model; outputs checked against the library.</summary>
public class SeeingCliDeconvTests(SeeingCliFixture f) : IClassFixture<SeeingCliFixture>
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = CliTests.Run(args);
        Assert.True(r.Code == 0, $"exit {r.Code}: {r.Err}");
        return r;
    }

    [Fact]
    public void DeconvWritesOneStripPerImageWithTheStrongestUnitInItsSidecar()
    {
        var png = Path.Combine(f.Dir, "d.png");
        var (_, stdout, _) = Run("deconv", "--model", f.Model, "--input", f.Input, "--layer", "conv5", "--out", png, "--device", "reference", "--json");
        var (net, x) = f.Load();
        using (net)
        using (x)
        using (var expected = Deconvnet.Project(net, x, UnitChoice.Strongest("conv5")))
        {
            Assert.Equal(2, JsonDocument.Parse(stdout).RootElement.GetProperty("images").GetArrayLength());
            for (int i = 0; i < 2; i++)
            {
                var file = Path.Combine(f.Dir, $"d-{i}.png");
                var img = ImageIO.Load(file);
                Assert.Equal((4 * 160 + 5 * 2, 160 + 2 * 2), (img.Width, img.Height)); // input + 3 rules, 40×40 shown ×4
                var j = Json(Path.ChangeExtension(file, ".json"));
                Assert.StartsWith("rawconv deconv", j.GetProperty("command").GetString());
                Assert.Equal(f.Model, j.GetProperty("model").GetString());
                Assert.Equal("conv5", j.GetProperty("layer").GetString());
                Assert.Equal("strongest", j.GetProperty("mode").GetString());
                Assert.Equal(["deconvnet", "gradient", "guided"], j.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
                var u = expected.Units[i];
                Assert.Equal((u.Channel, u.Y, u.X, u.Value),
                    (j.GetProperty("channel").GetInt32(), j.GetProperty("y").GetInt32(), j.GetProperty("x").GetInt32(), j.GetProperty("value").GetSingle()));
            }
        }
    }

    [Fact]
    public void DeconvNpyIsOneRawFilePerRuleEqualToTheLibrary()
    {
        var npy = Path.Combine(f.Dir, "p.npy");
        Run("deconv", "--model", f.Model, "--input", f.Input, "--layer", "conv5", "--unit", "3", "--whole-map", "--rules", "gradient,guided",
            "--out", npy, "--device", "reference");
        Assert.False(File.Exists(Path.Combine(f.Dir, "p.deconvnet.npy")));
        var j = Json(Path.Combine(f.Dir, "p.json"));
        Assert.Equal("whole-map", j.GetProperty("mode").GetString());
        Assert.All(j.GetProperty("images").EnumerateArray(), im => Assert.Equal(3, im.GetProperty("channel").GetInt32()));
        var (net, x) = f.Load();
        using (net)
        using (x)
            foreach (var (rule, name) in new[] { (ReluRule.Standard, "gradient"), (ReluRule.Guided, "guided") })
            {
                using var e = Deconvnet.Project(net, x, UnitChoice.WholeMap("conv5", 3), rule);
                var (shape, data, _) = Npy.Read(Path.Combine(f.Dir, $"p.{name}.npy"));
                Assert.Equal([2, 1, 40, 40], shape);
                Check.Close((float[])data, e.Input.ToArray(), 0, 0, $"deconv {name}.npy");
            }
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
    public void BadRequestsAreOneLineErrorsNamingTheCulprit()
    {
        void Fails(string culprit, params string[] args)
        {
            var (code, stdout, stderr) = CliTests.Run([.. args, "--model", f.Model, "--input", f.Input, "--device", "reference"]);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains(culprit, line);
        }
        Fails("--whole-map", "deconv", "--layer", "conv5", "--whole-map", "--out", Path.Combine(f.Dir, "e.png"));
        Fails("conv9", "deconv", "--layer", "conv9", "--out", Path.Combine(f.Dir, "e.png"));
        Fails("class 10", "saliency", "--class", "10", "--out", Path.Combine(f.Dir, "e.png"));
        Fails("unit 99", "saliency", "--unit", "conv5:99", "--out", Path.Combine(f.Dir, "e.npy"));
    }
}
