using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// An input image as the only parameter group (activation maximization): gradient ascent on one class
/// score of a small seeded conv–ReLU–fc net on the reference backend, with <see cref="SgdOptions.Maximize"/>
/// rather than a negative learning rate so that weight decay keeps shrinking the image. The step is
/// checked bit for bit against x + lr·∂s/∂x written out on the host, and ∂s/∂x against float64 central
/// differences of an independent forward built from the generic reference ops.
/// </summary>
public class InputGroupTests
{
    private static readonly NetSpec Spec = new("tiny-conv", 3, 7, 9,
        [new ConvLayer("conv", 4, 3, 3, PadH: 1, PadW: 1), new ReluLayer("relu"), new FcLayer("fc", 5)]);
    private const int Class = 2;

    private static Net SeededNet()
    {
        var net = new Net(Spec, Backends.Reference);
        var shapes = Spec.Shapes(1);
        net.SetParams("conv", Rand.Uniform(1, Spec.Layers[0].WeightShape(shapes[0])!.Count, -0.5f, 0.5f), Rand.Uniform(2, 4, 0.05f, 0.2f));
        net.SetParams("fc", Rand.Uniform(3, Spec.Layers[2].WeightShape(shapes[2])!.Count, -0.5f, 0.5f), Rand.Uniform(4, 5, -0.1f, 0.1f));
        return net;
    }

    /// <summary>The class score and its input gradient from Net.Forward and Net.Backward (seed one-hot at the class).</summary>
    private static Evaluation Score(Net net, Tensor x)
    {
        using var pass = net.Forward(x);
        var seed = new float[5];
        seed[Class] = 1f;
        using var s = Tensor.FromArray(net.Backend, new Shape(1, 5), seed);
        var back = net.Backward(pass, "fc", s);
        return new Evaluation(pass.Output.ToArray()[Class], [back.InputGradient], back);
    }

    [Fact]
    public void AscentOnAnInputImageMatchesAHandWrittenStep()
    {
        using var net = SeededNet();
        var x0 = Rand.Uniform(9, Spec.InputShape(1).Count, 0f, 1f);
        using var x = Tensor.FromArray(Backends.Reference, Spec.InputShape(1), x0);
        const float lr = 0.1f, momentum = 0.5f, decay = 1e-2f;
        using var sgd = new Sgd([ParameterGroup.For(x, weightDecay: decay)], new SgdOptions(lr, momentum, Maximize: true));
        Assert.Equal("input", sgd.Groups[0].Name);

        var host = (float[])x0.Clone();
        var v = new float[host.Length];
        var scores = new List<float>();
        for (int step = 0; step < 4; step++)
        {
            float[] g;
            using (var e = Score(net, x)) g = e.Gradients[0].ToArray();
            if (step == 0)
                FiniteDiff.AssertMatches(g.Select(a => (double)a).ToArray(), ScoreOf, x0.Select(a => (double)a).ToArray(), [1.0],
                    "∂score/∂input", 1e-4, 1e-3);
            // Ascent: v ← μ·v + lr·g − lr·λ·x; x ← x + v.
            for (int i = 0; i < v.Length; i++) v[i] = momentum * v[i];
            for (int i = 0; i < v.Length; i++) v[i] += lr * g[i];
            for (int i = 0; i < v.Length; i++) v[i] += -lr * decay * host[i];
            for (int i = 0; i < v.Length; i++) host[i] += v[i];
            scores.Add(sgd.Step(() => Score(net, x)));
            Assert.True(x.ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(host.Select(BitConverter.SingleToInt32Bits)),
                $"step {step}: the image differs from x + v written out on the host");
        }
        using (var e = Score(net, x)) scores.Add(e.Loss);
        for (int i = 1; i < scores.Count; i++)
            Assert.True(scores[i] > scores[i - 1], $"class score did not rise at step {i}: {string.Join(", ", scores)}");
    }

    [Fact]
    public void TheFirstAscentStepIsLrTimesTheFiniteDifferenceGradient()
    {
        using var net = SeededNet();
        var x0 = Rand.Uniform(12, Spec.InputShape(1).Count, 0f, 1f);
        using var x = Tensor.FromArray(Backends.Reference, Spec.InputShape(1), x0);
        const float lr = 0.05f;
        using var sgd = new Sgd([ParameterGroup.For(x)], new SgdOptions(lr, Maximize: true));
        sgd.Step(() => Score(net, x));
        var x1 = x.ToArray();
        var delta = x1.Select((a, i) => ((double)a - x0[i]) / lr).ToArray();
        FiniteDiff.AssertMatches(delta, ScoreOf, x0.Select(a => (double)a).ToArray(), [1.0], "(x1 − x0)/lr", 1e-4, 1e-3);
    }

    /// <summary>The class score in float64 by the generic reference ops, independent of Net.</summary>
    private static double[] ScoreOf(double[] x)
    {
        using var net = SeededNet();
        var shapes = Spec.Shapes(1);
        var conv = (ConvLayer)Spec.Layers[0];
        var cp = net.Parameters["conv"];
        var h = new double[shapes[1].Count];
        Conv2dRef.Forward<double>(x, D(cp.Weight), D(cp.Bias!), h, shapes[0], cp.Weight.Shape, conv.Params);
        var r = new double[h.Length];
        ReluRef.Forward<double>(h, r);
        var fp = net.Parameters["fc"];
        var y = new double[5];
        GemmRef.LinearForward<double>(r, D(fp.Weight), D(fp.Bias!), y, 1, r.Length, 5);
        return [y[Class]];
    }

    private static double[] D(Tensor t) => t.ToArray().Select(a => (double)a).ToArray();
}
