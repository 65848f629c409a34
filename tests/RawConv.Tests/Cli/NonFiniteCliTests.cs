using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>Non-finite numbers from damaged weights or inputs end a verb with one line naming where they arose, and no output.</summary>
public class NonFiniteCliTests
{
    [Fact]
    public void AnInfiniteBiasIsNamedByFileAndLayer()
    {
        string dir = Directory.CreateTempSubdirectory("rawconv-nonfinite-").FullName;
        try
        {
            string model = Path.Combine(dir, "damaged.h5"), input = Path.Combine(dir, "x.npy");
            using (var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), Backends.Reference))
            {
                var bias = w.Net.Parameters["fc8"].Bias!.ToArray();
                bias[3] = float.PositiveInfinity;
                w.Net.SetParams("fc8", w.Net.Parameters["fc8"].Weight.ToArray(), bias);
                WeightsFile.Save(w.Net, model, w.Classes, w.Preprocessing);
            }
            using (var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), Rand.Uniform(3, 1600, 0, 1)))
                Npy.WriteTensor(input, x);
            var (code, stdout, stderr) = CliProcess.Run("classify", "--model", model, "--input", input, "--json", "--device", "opencl");
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal($"rawconv: {model}: layer fc8 bias holds 1 non-finite value (+Inf) — the weights are damaged; re-export or re-import the model", stderr.Trim());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FiniteWeightsThatOverflowAreNamedByFileAndTheLayerThatOverflowed()
    {
        string dir = Directory.CreateTempSubdirectory("rawconv-nonfinite-").FullName;
        try
        {
            string model = Path.Combine(dir, "huge.h5"), input = Path.Combine(dir, "x.npy");
            using (var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), Backends.Reference))
            {
                // Every weight of class 3's row at 3e38 (finite): its score sums non-negative ReLU outputs times 3e38, which overflows to +Inf.
                var p = w.Net.Parameters["fc8"];
                var weight = p.Weight.ToArray();
                int inputs = p.Weight.Shape[1];
                Array.Fill(weight, 3e38f, 3 * inputs, inputs);
                w.Net.SetParams("fc8", weight, p.Bias!.ToArray());
                WeightsFile.Save(w.Net, model, w.Classes, w.Preprocessing);
            }
            using (var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), Rand.Uniform(3, 1600, 0, 1)))
                Npy.WriteTensor(input, x);
            var (code, stdout, stderr) = CliProcess.Run("classify", "--model", model, "--input", input, "--json", "--device", "opencl");
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal($"rawconv: {model}: layer fc8 produced 1 non-finite value (+Inf) from a finite input — the weights are damaged or out of range", stderr.Trim());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnInfiniteInputIsRefusedAndWritesNothing()
    {
        string dir = Directory.CreateTempSubdirectory("rawconv-nonfinite-").FullName;
        try
        {
            string input = Path.Combine(dir, "x.npy"), outDir = Path.Combine(dir, "inv");
            var xs = Rand.Uniform(4, 1600, 0, 1);
            xs[123] = float.PositiveInfinity;
            using (var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), xs)) Npy.WriteTensor(input, x);
            var (code, _, stderr) = CliProcess.Run("invariance", "--input", input, "--transform", "translate", "--steps", "5", "--out", outDir + "/", "--device", "opencl");
            Assert.Equal(1, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("holds 1 non-finite value (+Inf) — inputs must be finite", stderr);
            Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(), "invariance left files behind");
        }
        finally { Directory.Delete(dir, true); }
    }
}
