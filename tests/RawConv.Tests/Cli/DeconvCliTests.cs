using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv deconv` run as a process on a small saved model; outputs checked against the library.</summary>
public class DeconvCliTests(SeeingCliFixture f) : IClassFixture<SeeingCliFixture>
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = CliProcess.Run(args);
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
    public void BadRequestsAreOneLineErrorsNamingTheCulprit()
    {
        void Fails(string culprit, params string[] args)
        {
            var (code, stdout, stderr) = CliProcess.Run([.. args, "--model", f.Model, "--input", f.Input, "--device", "reference"]);
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
