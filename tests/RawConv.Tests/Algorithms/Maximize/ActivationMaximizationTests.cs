using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Ops;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Maximize;

/// <summary>Class models of the default model, target parsing, and reproducibility of activation maximization.</summary>
public class ActivationMaximizationTests(ITestOutputHelper output)
{
    private static LoadedWeights Default(IBackend b) => WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);

    [Fact]
    public void DefaultSettingsMakeClassModelsTheModelRecognizesForEveryClass()
    {
        using var w = Default(Backends.Get("opencl"));
        var net = w.Net;
        var pre = w.Preprocessing!.For(net.Spec.InputChannels);
        for (int k = 0; k < 10; k++)
        {
            using var start = ActivationMaximization.RandomStart(net, pre, 0);
            using var r = ActivationMaximization.Run(net, pre, new ClassScore(k), start, new MaximizeOptions());
            using var pass = net.Forward(r.Input);
            var p = ClassProbability.Softmax(pass[net.Spec.Roles.Logits].ToArray());
            output.WriteLine($"class {k}: P = {p[k]:F5}, score {r.History[0]:F2} → {r.Final.Terms[0]:F2}");
            Assert.True(p[k] >= 0.99, $"class {k}: the class model is classified {Array.IndexOf(p, p.Max())} with P({k}) = {p[k]:F4}");
            // Clipped to the preprocessing's pixel range 0–255 → [0, 1].
            Assert.All(r.Input.ToArray(), v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameImageAndAnotherSeedAnother()
    {
        using var w = Default(Backends.Get("opencl"));
        var pre = w.Preprocessing!.For(1);
        var o = new MaximizeOptions { Iterations = 12, Seed = 3 };
        float[] Run(MaximizeOptions opts)
        {
            using var start = ActivationMaximization.RandomStart(w.Net, pre, opts.Seed);
            using var r = ActivationMaximization.Run(w.Net, pre, new ClassScore(2), start, opts);
            return r.Input.ToArray();
        }
        var a = Run(o);
        Assert.Equal(a, Run(o));
        Assert.NotEqual(a, Run(o with { Seed = 4 }));
    }

    [Fact]
    public void OneUnregularizedSgdStepIsTheScaledGradient()
    {
        // With momentum 0 and nothing else, one ascent step is x + lr·∂s/∂x exactly (the gradient from the objective).
        using var w = Default(Backends.Reference);
        var pre = w.Preprocessing!.For(1);
        using var x = ActivationMaximization.RandomStart(w.Net, pre, 1);
        var o = new MaximizeOptions
        {
            Iterations = 1, Optimizer = new OptimizerSettings(OptimizerKind.Sgd, 0.25f, 0f), L2 = 0, Tv = 0, BlurEvery = 0, Jitter = 0, Clip = PixelClip.None,
        };
        using var r = ActivationMaximization.Run(w.Net, pre, new UnitActivation("conv2", 5), x, o);
        var (_, g) = new InputObjective([new UnitActivation("conv2", 5)], [], true).Evaluate(w.Net, x);
        using (g)
        {
            var xs = x.ToArray();
            var gs = g.ToArray();
            Assert.Equal(xs.Select((v, i) => v + 0.25f * gs[i]).ToArray(), r.Input.ToArray());
        }
    }

    [Fact]
    public void TargetsParseAndBadOnesNameTheProblem()
    {
        var spec = MiniAlexNet.Spec();
        Assert.Equal(new ClassScore(3), MaximizeTarget.Parse("class:3", spec));
        Assert.Equal(new UnitActivation("conv5", 2, 1, 2), MaximizeTarget.Parse("unit:conv5:2:1:2", spec));
        Assert.Equal(new ChannelMean("conv2", 7), MaximizeTarget.Parse("channel:conv2:7", spec));
        var d = Assert.IsType<Direction>(MaximizeTarget.Parse("direction:conv3:4", spec));
        Assert.Equal(Direction.Random(spec.Shapes(spec.InputShape(1), "conv3")[^1][1], 4), d.Weights);
        Assert.Equal(1.0, Math.Sqrt(d.Weights.Sum(v => (double)v * v)), 6);
        foreach (var (text, says) in new[]
        {
            ("class:10", "0–9"), ("class:-1", "non-negative"), ("unit:nope:1", "no layer 'nope'"), ("unit:conv5:1:99:0", "outside"),
            ("pixel:3", "use class:K"), ("channel:conv2", "use class:K"), ("unit::1", "name a layer"),
        })
            Assert.Contains(says, Assert.Throws<RawConvException>(() => MaximizeTarget.Parse(text, spec)).Message);
    }
}
