using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv adversarial`: the JSON describes the .npy it writes; bad options are one line.</summary>
public class AdversarialCliTests
{
    [Fact]
    public void TheJsonDescribesTheAdversarialInputItWrites()
    {
        using var dir = new TempDir();
        string x = Path.Combine(dir.Path, "x.npy"), y = Path.Combine(dir.Path, "y.npy");
        // A trouser-like item on the default model's canvas: two light bars on black.
        var v = new float[40 * 40];
        for (int r = 8; r < 32; r++)
            for (int c = 0; c < 40; c++)
                if (c is >= 13 and < 18 or >= 22 and < 27) v[r * 40 + c] = 0.8f;
        Npy.Write(x, [1, 1, 40, 40], v);
        var (code, stdout, err) = CliProcess.Run("adversarial", "--input", x, "--target", "8", "--method", "pgd", "--out", y, "--json", "--device", "opencl");
        Assert.True(code == 0, err);
        var j = JsonDocument.Parse(stdout).RootElement;
        var a = (float[])Npy.Read(y).Data;
        double l2 = Math.Sqrt(a.Select((t, i) => (double)(t - v[i]) * (t - v[i])).Sum()), linf = a.Select((t, i) => Math.Abs((double)t - v[i])).Max();
        Assert.Equal(l2, j.GetProperty("l2").GetDouble(), 4);
        Assert.Equal(linf, j.GetProperty("linf").GetDouble(), 5);
        Assert.True(linf <= 24 / 255.0 + 1e-6);
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), Backends.Reference);
        using var t = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), a);
        using var pass = w.Net.Forward(t);
        var p = pass.Output.ToArray();
        int label = Array.IndexOf(p, p.Max());
        Assert.Equal(label, j.GetProperty("label").GetInt32());
        Assert.Equal(p[label], j.GetProperty("probability").GetSingle(), 4);
        Assert.Equal(j.GetProperty("label").GetInt32() == 8, j.GetProperty("success").GetBoolean());

        // The history holds log p_bag before each step taken; the first is that of the untouched input, on the reference backend.
        var history = j.GetProperty("history").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(j.GetProperty("stepsTaken").GetInt32(), history.Length);
        using var t0 = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), v);
        using var pass0 = w.Net.Forward(t0);
        Assert.Equal(Math.Log(pass0.Output.ToArray()[8]), history[0], 3);
        Assert.True(history[^1] > history[0]);
    }

    [Theory]
    [InlineData("--method", "deepfool", "--method")]
    [InlineData("--epsilon", "0", "--epsilon")]
    [InlineData("--target", "12", "--target")]
    [InlineData("--steps", "0", "--steps")]
    public void BadOptionsAreOneLine(string option, string value, string says)
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "a.png");
        var (code, _, err) = CliProcess.Run("adversarial", "--image", "/usr/share/darknet/data/dog.jpg", option, value, "--out", png, "--device", "reference");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(says, err);
        Assert.False(File.Exists(png));
    }
}
