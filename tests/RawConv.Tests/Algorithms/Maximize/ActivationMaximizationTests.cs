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
    public void TheLogProbabilityStaysFiniteWhereTheProbabilityUnderflows()
    {
        // log softmax([0, 2000, −5])₀ = −2000 − log(1 + e^−2000 + e^−2005) = −2000 to double precision; exp(−2000) is 0.
        using var z = Tensor.FromArray(Backends.Get("reference"), new Shape(1, 3), [0f, 2000f, -5f]);
        var (value, g) = new ClassProbability(0, Log: true).Evaluate(z);
        using (g)
        {
            Assert.Equal(-2000.0, value, 9);
            Assert.Equal([1f, -1f, 0f], g.ToArray());
        }
    }

    [Fact]
    public void TargetsParseAndBadOnesNameTheProblem()
    {
        var spec = MiniAlexNet.Spec();
        Assert.Equal(new ClassScore(3), MaximizeTarget.Parse("class:3", spec));
        Assert.Equal(new ClassProbability(4, Log: true), MaximizeTarget.Parse("logprob:4", spec));
        Assert.Equal(new UnitActivation("conv5", 2, 1, 2), MaximizeTarget.Parse("unit:conv5:2:1:2", spec));
        Assert.Equal(new ChannelMean("conv2", 7), MaximizeTarget.Parse("channel:conv2:7", spec));
        var d = Assert.IsType<Direction>(MaximizeTarget.Parse("direction:conv3:4", spec));
        Assert.Equal(Direction.Random(spec.Shapes(spec.InputShape(1), "conv3")[^1][1], 4), d.Weights);
        Assert.Equal(1.0, Math.Sqrt(d.Weights.Sum(v => (double)v * v)), 6);
        foreach (var (text, says) in new[]
        {
            ("class:10", "0–9"), ("logprob:10", "0–9"), ("class:-1", "non-negative"), ("unit:nope:1", "no layer 'nope'"), ("unit:conv5:1:99:0", "outside"),
            ("pixel:3", "use class:K"), ("channel:conv2", "use class:K"), ("unit::1", "name a layer"),
        })
            Assert.Contains(says, Assert.Throws<RawConvException>(() => MaximizeTarget.Parse(text, spec)).Message);
    }
}

/// <summary>The Fourier loop and the presets: one spectrum step against the parameterization, and each preset's unit conversion by hand.</summary>
public class MaximizePresetTests(ITestOutputHelper output)
{
    private static LoadedWeights Default(IBackend b) => WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);

    [Fact]
    public void OneFourierStepAscendsTheSpectrumByTheAdjointOfTheImageGradient()
    {
        using var w = Default(Backends.Reference);
        var pre = w.Preprocessing!.For(1);
        var term = new ClassScore(4);
        var o = new MaximizeOptions
        {
            Iterations = 1, Optimizer = new OptimizerSettings(OptimizerKind.Sgd, 0.05f, 0f), L2 = 0, Tv = 0, BlurEvery = 0, Jitter = 0, Clip = PixelClip.None,
            Parameterization = InputParameterization.Fourier, Seed = 7,
        };
        using var r = ActivationMaximization.Run(w.Net, pre, term, null, o);
        using var f = new FourierImage(Backends.Reference, pre, 1, 40, 40, seed: 7);
        using (var x0 = f.Image())
        {
            var (v, g) = new InputObjective([term], [], true).Evaluate(w.Net, x0);
            using (g)
            using (var dp = f.Backward(g))
            {
                Assert.Equal(v.Total, r.History[0], 6);
                var p = f.Parameters.ToArray();
                var d = dp.ToArray();
                f.Parameters.CopyFrom(p.Select((a, i) => a + 0.05f * d[i]).ToArray());
            }
        }
        using var x1 = f.Image();
        Assert.Equal(x1.ToArray(), r.Input.ToArray());
        Assert.Throws<RawConvException>(() => ActivationMaximization.Run(w.Net, pre, term, x1, o));
        output.WriteLine($"score {r.History[0]:F4} → {r.Final.Terms[0]:F4}");
        Assert.True(r.Final.Terms[0] > r.History[0]);
    }

    [Fact]
    public void PresetsConvertTheirStepsAndPenaltiesToTheModelsInputUnits()
    {
        var caffe = Preprocessing.Caffe;                                   // 1 input unit per grey level
        var grey = new Preprocessing(ChannelOrder.RGB, [0f], [1f], 1f / 255f, 40, 40); // the default model: 1/255
        var cls = new ClassScore(0);
        var unit = new ChannelMean("conv3", 1);

        // The default preset is stated in the default model's units: unchanged there, ×255² / ÷255² on Caffe inputs.
        Assert.Equal(new MaximizeOptions(), MaximizePresets.Default.For(cls, grey));
        var d = MaximizePresets.Default.For(cls, caffe);
        Assert.Equal(0.5 * 255 * 255, d.Optimizer.LearningRate, 0.5);
        Assert.Equal(0.05 / (255.0 * 255), d.L2, 1e-9);
        Assert.Equal(0.05 / (255.0 * 255), d.Tv, 1e-9);
        Assert.Equal(20f, MaximizePresets.Default.For(unit, grey).Optimizer.LearningRate);
        Assert.Equal(0.0005f, MaximizePresets.Default.For(unit, grey).L2);

        // Yosinski et al. are stated in Caffe units: literal on Caffe inputs, lr ÷255² and decay-as-L2 ×255² on the default model.
        var y = MaximizePresets.Yosinski.For(cls, caffe);
        Assert.Equal((100f, 0f, 1000, 4, 1f), (y.Optimizer.LearningRate, y.Optimizer.Momentum, y.Iterations, y.BlurEvery, y.BlurSigma));
        Assert.Equal(0.0001 / 200, y.L2, 1e-12);
        var yg = MaximizePresets.Yosinski.For(cls, grey);
        Assert.Equal(100.0 / (255 * 255), yg.Optimizer.LearningRate, 1e-7);
        Assert.Equal(0.0001 / 200 * 255 * 255, yg.L2, 1e-6);
        Assert.Equal(0.0001, 2 * yg.Optimizer.LearningRate * yg.L2, 1e-8); // the decay per step is the published θ on any model

        // Lucid steps a spectrum through a sigmoid: nothing to convert.
        var l = MaximizePresets.Lucid.For(cls, grey);
        Assert.Equal((OptimizerKind.Adam, 0.05f, 512, InputParameterization.Fourier, 12, 0.1f, 10f),
            (l.Optimizer.Kind, l.Optimizer.LearningRate, l.Iterations, l.Parameterization, l.Jitter, l.ScaleJitter, l.Rotate));
        Assert.Equal(l, MaximizePresets.Lucid.For(cls, caffe));

        // Adam's step is about lr in input units: it converts by r, not r².
        var adam = MaximizePresets.Default with { ForClass = new MaximizeOptions { Optimizer = new(OptimizerKind.Adam, 0.1f, 0f) } };
        Assert.Equal(0.1 * 255, adam.For(cls, caffe).Optimizer.LearningRate, 1e-3);
        Assert.Equal("--preset: unknown preset 'x'; use default, simonyan, yosinski, lucid", Assert.Throws<RawConvException>(() => MaximizePresets.Get("x")).Message);
    }
}
