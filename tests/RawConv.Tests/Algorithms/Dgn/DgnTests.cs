using RawConv.Algorithms.Dgn;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Dgn;

/// <summary>
/// Generator training's loss gradient and DGN-AM's code step against central finite differences, on a small encoder and
/// generator on the reference backend; the pixel map against its formula.
/// </summary>
public class DgnTests(ITestOutputHelper output)
{
    private static IBackend R => Backends.Reference;

    private static Net Encoder()
    {
        var spec = new NetSpec("enc", 1, 8, 8,
            [new ConvLayer("c1", 3, 3, 3, PadH: 1, PadW: 1), new ReluLayer("r1"), new FlattenLayer("flat"), new FcLayer("fc6", 6), new ReluLayer("relu6"),
             new FcLayer("fc8", 3)]);
        var net = new Net(spec, R);
        net.InitializeRandom(3);
        return net;
    }

    private static Net Generator()
    {
        var spec = new NetSpec("gen", new Shape(6),
            [new FcLayer("gfc", 2 * 4 * 4), new ReshapeLayer("gr", 2, 4, 4), new ConvTransposeLayer("gup", 1, 4, 4, 2, 2, 1, 1)]);
        var net = new Net(spec, R);
        net.InitializeRandom(4);
        return net;
    }

    private static float[] Images(int n, int seed) => FiniteDiff.Uniform(seed, n * 64, 0, 1).Select(v => (float)v).ToArray();

    [Fact]
    public void ThePixelMapSpansEachChannelsRange()
    {
        using var map = new PixelMap(R, [0f, -104f], [1f, 151f]);
        using var t = Tensor.FromArray(R, new Shape(1, 2, 1, 3), [-1f, 0f, 1f, -1f, 0.5f, 1f]);
        using var x = map.Forward(t);
        Assert.Equal([0f, 0.5f, 1f, -104f, 87.25f, 151f], x.ToArray()); // −104 + 255·(0.5 + 1)/2
        using var dx = Tensor.FromArray(R, x.Shape, [1f, 2f, 3f, 1f, 1f, 1f]);
        using var dt = map.Backward(dx);
        Assert.Equal([0.5f, 1f, 1.5f, 127.5f, 127.5f, 127.5f], dt.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheTrainingGradientMatchesFiniteDifferences(bool adversarial)
    {
        using var enc = Encoder();
        using var gen = Generator();
        using var critic = new Net(GeneratorTraining.Discriminator(new Shape(1, 1, 8, 8)), R);
        critic.InitializeRandom(5);
        using var map = new PixelMap(R, [0f], [1f]);
        using var x = Tensor.FromArray(R, new Shape(4, 1, 8, 8), Images(4, 1));
        var o = new GeneratorTrainOptions("relu6", "r1", PixelWeight: 1f, FeatureWeight: 0.5f, BatchSize: 4, AdversarialWeight: adversarial ? 0.3f : 0f);
        var judge = adversarial ? critic : null;
        var (loss, pixel, feature, grads) = GeneratorTraining.Evaluate(enc, gen, map, x, o, judge);
        output.WriteLine($"loss {loss:G6} = {pixel:G6} + 0.5·{feature:G6}" + (adversarial ? " + 0.3·adversarial" : ""));
        if (!adversarial) Assert.Equal(pixel + 0.5 * feature, loss, 9);
        else Assert.True(loss > pixel + 0.5 * feature);
        using (grads)
        {
            var rng = new Random(7);
            foreach (var layer in new[] { "gfc", "gup" })
            {
                var w = gen.Parameters[layer].Weight.ToArray();
                var b = gen.Parameters[layer].Bias!.ToArray();
                var analytic = grads.ParameterGradients[layer].Weight.ToArray();
                for (int trial = 0; trial < 8; trial++)
                {
                    int i = rng.Next(w.Length);
                    double Loss(float v)
                    {
                        var wi = (float[])w.Clone();
                        wi[i] = v;
                        gen.SetParams(layer, wi, b);
                        var (l, _, _, g) = GeneratorTraining.Evaluate(enc, gen, map, x, o, judge);
                        g.Dispose();
                        return l;
                    }
                    const float h = 1e-2f;
                    double numeric = (Loss(w[i] + h) - Loss(w[i] - h)) / (2 * h);
                    gen.SetParams(layer, w, b);
                    output.WriteLine($"{layer}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
                    Assert.True(Math.Abs(analytic[i] - numeric) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"{layer}[{i}]: {analytic[i]} vs {numeric}");
                }
            }
        }
    }

    [Fact]
    public void OneDgnStepMovesTheCodeByTheNormalizedFiniteDifferenceGradient()
    {
        using var enc = Encoder();
        using var gen = Generator();
        var info = new GeneratorInfo("enc", "0", "relu6", 6, "r1", [0f], [1f], [0.5f, 0.4f, 0.3f, 0.6f, 0.2f, 0.7f], [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f],
            1f, 2f, 3f, new GeneratorTrainOptions("relu6", "r1"), 0, 0, 0, 0);
        var target = new ClassScore(2);
        var o = new DgnOptions(Iterations: 1, LearningRate: 0.3f, Momentum: 0f, Decay: 0.1f, CodeMax: 5f, Seeds: 2, Seed: 9, StripEvery: 1);
        using var r = DgnMaximization.Run(enc, gen, info, target, o);
        var h0 = DgnMaximization.StartCodes(info, 2, 9, 5f);
        using var map = PixelMap.For(R, info);
        double Score(float[] h)
        {
            using var ht = Tensor.FromArray(R, new Shape(1, 6), h);
            using var g = gen.Forward(ht);
            using var x = map.Forward(g.Output);
            using var pass = enc.Forward(x);
            return pass.Output.ToArray()[2];
        }
        for (int s = 0; s < 2; s++)
        {
            var h = h0.AsSpan(s * 6, 6).ToArray();
            var grad = new double[6];
            for (int k = 0; k < 6; k++)
            {
                var (a, b) = ((float[])h.Clone(), (float[])h.Clone());
                a[k] += 1e-2f;
                b[k] -= 1e-2f;
                grad[k] = (Score(a) - Score(b)) / 2e-2;
            }
            double mean = grad.Average(Math.Abs);
            Assert.Equal(Score(h), r.History[s][0], 4);
            for (int k = 0; k < 6; k++)
            {
                // Cosine schedule at step 0 is the full rate; decay shrinks: h + lr·(g/mean|g| − decay·h), clipped to [0, 5].
                double expected = Math.Clamp(h[k] + 0.3 * (grad[k] / mean - 0.1 * h[k]), 0, 5);
                output.WriteLine($"start {s} unit {k}: {r.Codes[s * 6 + k]:G6} vs {expected:G6}");
                Assert.True(Math.Abs(expected - r.Codes[s * 6 + k]) <= 1e-4, $"start {s} unit {k}: {r.Codes[s * 6 + k]} vs {expected}");
            }
        }
        Assert.Equal([0, 1], r.Strip.Select(x => x.Step).ToArray());
    }
}
