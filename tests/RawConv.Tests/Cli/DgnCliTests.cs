using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv dgn train`, `dgn` and `dgn reconstruct` on the default model: a short training run, its file, and the refusals.</summary>
public class DgnCliTests(ITestOutputHelper output)
{
    [Fact]
    public void AShortTrainingRunWritesAGeneratorThatDgnAndReconstructUse()
    {
        using var dir = new TempDir();
        string g = Path.Combine(dir.Path, "g.h5");
        var (code, stdout, err) = CliProcess.Run("dgn", "train", "--limit", "256", "--batch", "32", "--epochs", "1", "--max-steps", "4", "--out", g, "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(stdout).RootElement;
        output.WriteLine(stdout);
        Assert.Equal(g, json.GetProperty("output").GetString());
        Assert.Equal(1000, json.GetProperty("errorImages").GetInt32());
        double error = json.GetProperty("reconstructionError").GetDouble();
        Assert.InRange(error, 0.0, 10.0);

        // The generator's description rides in the weights file; the sidecar has the losses of every step.
        string? info = WeightsFile.ReadAttribute(g, "generator");
        Assert.NotNull(info);
        var d = JsonDocument.Parse(info!).RootElement;
        Assert.Equal("relu6", d.GetProperty("codeLayer").GetString());
        Assert.Equal(256, d.GetProperty("codeLength").GetInt32());
        Assert.Equal("default.h5", d.GetProperty("encoder").GetString());
        Assert.Equal(error, d.GetProperty("reconstructionError").GetDouble(), 9);
        Assert.True(d.GetProperty("codeP99").GetDouble() > 0);
        Assert.Equal([0.0, 1.0], new[] { d.GetProperty("low")[0].GetDouble(), d.GetProperty("high")[0].GetDouble() });
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(g, ".json"))).RootElement;
        Assert.Equal(4, side.GetProperty("losses").GetArrayLength());
        Assert.StartsWith("rawconv dgn train", side.GetProperty("command").GetString());

        string png = Path.Combine(dir.Path, "am.png");
        (code, stdout, err) = CliProcess.Run("dgn", "--class", "1", "--generator", g, "--iterations", "6", "--seeds", "3", "--strip-every", "2", "--out", png, "--json");
        Assert.True(code == 0, err);
        var am = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, am.GetProperty("images").GetArrayLength());
        Assert.Equal("logprob:1", am.GetProperty("target").GetString());
        foreach (var i in am.GetProperty("images").EnumerateArray())
            Assert.True(i.GetProperty("objective").GetDouble() <= 0, "a log-probability is at most 0");
        Assert.Equal([0, 2, 4, 6], am.GetProperty("strip").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(6, am.GetProperty("history")[0].GetArrayLength());
        var img = ImageIO.Load(png);
        Assert.True(img.Width > img.Height, "a row of starts above a strip");

        string x = Path.Combine(dir.Path, "x.npy");
        (code, stdout, err) = CliProcess.Run("dgn", "--class", "1", "--objective", "score", "--generator", g, "--iterations", "2", "--seeds", "2", "--out", x, "--json");
        Assert.True(code == 0, err);
        Assert.Equal("class:1", JsonDocument.Parse(stdout).RootElement.GetProperty("target").GetString());
        var (shape, _, _) = Npy.Read(x);
        Assert.Equal([2, 1, 40, 40], shape);

        string rec = Path.Combine(dir.Path, "rec.png");
        (code, stdout, err) = CliProcess.Run("dgn", "reconstruct", "--generator", g, "--input", x, "--out", rec, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(2, JsonDocument.Parse(stdout).RootElement.GetProperty("images").GetArrayLength());
        Assert.True(File.Exists(rec));
    }

    [Fact]
    public void TrainingIsBitwiseReproducibleForASeed()
    {
        using var dir = new TempDir();
        float[][] Weights(string name, string seed)
        {
            string g = Path.Combine(dir.Path, name);
            var (code, _, err) = CliProcess.Run("dgn", "train", "--limit", "128", "--batch", "16", "--epochs", "1", "--max-steps", "3", "--seed", seed, "--out", g);
            Assert.True(code == 0, err);
            using var w = WeightsFile.Load(g, Backends.Reference);
            return w.Net.Parameters.Values.SelectMany(p => new[] { p.Weight.ToArray(), p.Bias?.ToArray() ?? [] }).ToArray();
        }
        var a = Weights("a.h5", "5");
        var b = Weights("b.h5", "5");
        var c = Weights("c.h5", "6");
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        Assert.Contains(Enumerable.Range(0, a.Length), i => !a[i].SequenceEqual(c[i]));
    }

    [Fact]
    public void BadRequestsAreOneLineAndWriteNothing()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "out", "m.png");
        string Refused(params string[] args)
        {
            var (code, _, err) = CliProcess.Run([.. args, "--device", "reference"]);
            Assert.Equal(1, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
            return err.Trim();
        }
        Assert.Equal("rawconv: dgn: give one of --class K and --unit LAYER:C[:y:x]", Refused("dgn", "--out", png));
        Assert.Equal("rawconv: dgn: give one of --class K and --unit LAYER:C[:y:x]", Refused("dgn", "--class", "1", "--unit", "conv2:3", "--out", png));
        Assert.Equal("rawconv: --objective: unknown objective 'p'; use logprob or score", Refused("dgn", "--class", "1", "--objective", "p", "--out", png));
        Assert.Contains("--seeds: 0 must lie in 1–256", Refused("dgn", "--class", "1", "--seeds", "0", "--out", png));
        string missing = Path.Combine(dir.Path, "none.h5");
        Assert.Equal($"rawconv: --generator: {missing}: no such file", Refused("dgn", "--class", "1", "--generator", missing, "--out", png));
        // A weights file that is not a generator (the classifier itself) is refused by name.
        string model = Path.Combine(RepoRulesTests.Root(), "weights", "default.h5");
        Assert.Contains("a weights file without a generator description", Refused("dgn", "--class", "1", "--generator", model, "--out", png));
        Assert.Contains("--lr", Refused("dgn", "train", "--lr", "0", "--out", Path.Combine(dir.Path, "out", "g.h5")));
    }
}
