using RawConv.Algorithms.Data;
using RawConv.Algorithms.Invert;
using RawConv.Graph.Weights;
using RawConv.Ops;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Invert;

/// <summary>Mahendran–Vedaldi inversion on the default model: conv1 reconstructs to ≤ 5 % error; restarts keep the best.</summary>
public class InversionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Conv1ReconstructsWithinFivePercentAndTheErrorIsWhatTheCodesSay()
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");
        var b = Backends.Get("opencl");
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);
        var test = FashionMnist.Load("test");
        var item = new float[test.ItemShape.Count];
        test.CopyItem(0, item);
        using var x0 = Tensor.FromArray(b, test.ItemShape, item);
        using var r = Inversion.Run(w.Net, w.Preprocessing!.For(1), "conv1", x0, new InvertOptions());
        output.WriteLine($"conv1: normalized error {r.NormalizedError:F4}");
        Assert.True(r.NormalizedError <= 0.05, $"conv1 inversion error {r.NormalizedError:F4} > 0.05");
        // The reported error is ‖Φ(x*) − Φ(x₀)‖ / ‖Φ(x₀)‖, recomputed here from the two codes.
        using var a = w.Net.Forward(r.Input, "conv1");
        using var e = w.Net.Forward(x0, "conv1");
        var av = a["conv1"].ToArray();
        var ev = e["conv1"].ToArray();
        double num = Math.Sqrt(av.Select((v, i) => (double)(v - ev[i]) * (v - ev[i])).Sum()), den = Math.Sqrt(ev.Sum(v => (double)v * v));
        Assert.Equal(num / den, r.NormalizedError, 4);
        Assert.All(r.Input.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [SkippableFact]
    public void RestartsKeepTheBestAndEachHasItsOwnSeed()
    {
        var b = Backends.Get("opencl");
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);
        var v = Rand.Uniform(5, 1600, 0, 1);
        using var x0 = Tensor.FromArray(b, new Shape(1, 1, 40, 40), v);
        using var r = Inversion.Run(w.Net, w.Preprocessing!.For(1), "relu2", x0, new InvertOptions { Iterations = 20, Restarts = 3, Seed = 7 });
        Assert.Equal([7, 8, 9], r.Restarts.Select(q => q.Seed));
        Assert.Equal(r.Restarts.Min(q => q.NormalizedError), r.NormalizedError);
        Assert.Equal(r.Restarts.Select(q => q.NormalizedError).ToList().IndexOf(r.NormalizedError), r.Best);
        Assert.All(r.Restarts, q => Assert.True(q.History[^1] < q.History[0], "the loss did not decrease"));
    }
}
