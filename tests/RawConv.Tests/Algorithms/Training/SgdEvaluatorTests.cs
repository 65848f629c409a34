using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Training;

/// <summary>SGD against a hand computation, the learning-rate policies, evaluator scoring, the model's size.</summary>
public class SgdEvaluatorTests
{
    private static NetSpec TinyFc() => new("tiny", 1, 1, 2, [new FcLayer("fc", 2)]);

    [Fact]
    public void SgdStepsMatchTheCaffeUpdateByHand()
    {
        using var net = new Net(TinyFc(), Backends.Reference);
        net.SetParams("fc", [1f, -2f, 0.5f, 4f], [0.25f, -1f]);
        var opt = new SgdOptions(LearningRate: 0.1f, Momentum: 0.9f, WeightDecay: 0.01f, BiasLrMultiplier: 2f);
        using var sgd = new Sgd(net, opt);
        var b = Backends.Reference;
        var grads = new Dictionary<string, LayerParams>
        {
            ["fc"] = new(Tensor.FromArray(b, new Shape(2, 2), [0.5f, 1f, -1f, 2f]), Tensor.FromArray(b, new Shape(2), [1f, -0.5f])),
        };
        sgd.Step(NetGroups.Gradients(grads));
        sgd.Step(NetGroups.Gradients(grads));
        // Step 1: v = −0.1·(g + 0.01·w); w += v. Step 2: v = 0.9·v − 0.1·(g + 0.01·w). Bias: lr 0.2, no decay.
        // w0 = 1: v1 = −0.1·(0.5 + 0.01) = −0.051, w1 = 0.949; v2 = −0.0459 − 0.1·(0.5 + 0.00949) = −0.096849, w2 = 0.852151.
        // w0 = −2: v1 = −0.1·(1 − 0.02) = −0.098, w1 = −2.098; v2 = −0.0882 − 0.1·(1 − 0.02098) = −0.186102, w2 = −2.284102.
        // w0 = 0.5: v1 = −0.1·(−1 + 0.005) = 0.0995, w1 = 0.5995; v2 = 0.08955 − 0.1·(−1 + 0.005995) = 0.1889505, w2 = 0.7884505.
        // w0 = 4: v1 = −0.1·(2 + 0.04) = −0.204, w1 = 3.796; v2 = −0.1836 − 0.1·(2 + 0.03796) = −0.387396, w2 = 3.408604.
        // b0 = 0.25, g = 1: v1 = −0.2, b1 = 0.05; v2 = −0.18 − 0.2 = −0.38, b2 = −0.33.
        // b0 = −1, g = −0.5: v1 = 0.1, b1 = −0.9; v2 = 0.09 + 0.1 = 0.19, b2 = −0.71.
        var p = net.Parameters["fc"];
        Check.Close(p.Weight.ToArray(), [0.852151f, -2.284102f, 0.7884505f, 3.408604f], 1e-6, 1e-6, "weights after two steps");
        Check.Close(p.Bias!.ToArray(), [-0.33f, -0.71f], 1e-6, 1e-6, "biases after two steps");
        Check.Close(sgd.Velocity("fc.weight").ToArray(), [-0.096849f, -0.186102f, 0.1889505f, -0.387396f], 1e-6, 1e-6, "velocity");
        Assert.Equal(2, sgd.Iteration);
        foreach (var g in grads.Values) g.Dispose();
    }

    [Fact]
    public void SgdRejectsMissingOrMisshapenGradients()
    {
        using var net = new Net(TinyFc(), Backends.Reference);
        using var sgd = new Sgd(net, new SgdOptions());
        var e = Assert.Throws<RawConvException>(() => sgd.Step(NetGroups.Gradients(new Dictionary<string, LayerParams>())));
        Assert.Contains("fc", e.Message);
        var b = Backends.Reference;
        using var bad = new LayerParams(Tensor.Zeros(b, new Shape(4)), Tensor.Zeros(b, new Shape(2)));
        e = Assert.Throws<RawConvException>(() => sgd.Step(NetGroups.Gradients(new Dictionary<string, LayerParams> { ["fc"] = bad })));
        Assert.Contains("(4)", e.Message);
    }

    [Fact]
    public void LearningRatePolicies()
    {
        var step = new SgdOptions(LearningRate: 0.1f, Policy: LrPolicy.Step, StepSize: 10, Gamma: 0.5f);
        Assert.Equal(0.1f, step.LearningRateAt(9));
        Assert.Equal(0.05f, step.LearningRateAt(10));
        Assert.Equal(0.025f, step.LearningRateAt(25));
        var cos = new SgdOptions(LearningRate: 0.1f, Policy: LrPolicy.Cosine, TotalSteps: 100, MinFactor: 0.1f);
        Assert.Equal(0.1f, cos.LearningRateAt(0), 6);
        Assert.Equal(0.055f, cos.LearningRateAt(50), 6); // 0.1·(0.1 + 0.9·½)
        Assert.Equal(0.01f, cos.LearningRateAt(100), 6);
        Assert.Equal(0.01f, cos.LearningRateAt(500), 6);
    }

    [Fact]
    public void EvaluatorScoresAHandMadeCase()
    {
        // 7 classes, 4 rows. Row 0: label 2 is the max (top-1 hit). Row 1: label 0 ranks 2nd (top-5 hit).
        // Row 2: label 6 ranks 7th, last (miss both). Row 3: label 3 ties with the max at index 1: argmax picks 1.
        float[] s =
        [
            0, 1, 5, 2, 0, 0, 0,
            3, 4, 0, 0, 0, 0, 0,
            7, 6, 5, 4, 3, 2, 1,
            0, 9, 0, 9, 0, 0, 0,
        ];
        var r = EvalResult.FromScores(s, [2, 0, 6, 3], 7);
        Assert.Equal(4, r.N);
        Assert.Equal(0.25, r.Top1);
        Assert.Equal(0.75, r.Top5);
        int total = 0;
        foreach (var c in r.Confusion) total += c;
        Assert.Equal(4, total);
        Assert.Equal(1, r.Confusion[2, 2]);
        Assert.Equal(1, r.Confusion[0, 1]);
        Assert.Equal(1, r.Confusion[6, 0]);
        Assert.Equal(1, r.Confusion[3, 1]);
        var recall = r.Recall();
        Assert.Equal(1.0, recall[2]);
        Assert.Equal(0.0, recall[0]);
        Assert.True(double.IsNaN(recall[4]));
        Assert.Throws<RawConvException>(() => EvalResult.FromScores(s, [2, 0, 6], 7));
        Assert.Throws<RawConvException>(() => EvalResult.FromScores(s, [2, 0, 6, 7], 7));
    }

    [Fact]
    public void MiniAlexNetHasTheDocumentedShapeAndSize()
    {
        var spec = MiniAlexNet.Spec();
        var shapes = spec.Shapes(1);
        Assert.Equal(new Shape(1, 1, 40, 40), shapes[0]);
        Assert.Equal(new Shape(1, 32, 20, 20), shapes[spec.IndexOf("conv1") + 1]);
        Assert.Equal(new Shape(1, 32, 10, 10), shapes[spec.IndexOf("pool1") + 1]);
        Assert.Equal(new Shape(1, 64, 5, 5), shapes[spec.IndexOf("pool2") + 1]);
        Assert.Equal(new Shape(1, 64, 2, 2), shapes[spec.IndexOf("pool5") + 1]);
        Assert.Equal(new Shape(1, 10), shapes[^1]);
        // conv1 32·25+32, conv2 64·16·25+64, conv3 96·64·9+96, conv4 96·48·9+96, conv5 64·48·9+64,
        // fc6 256·256+256, fc7 256·256+256, fc8 10·256+10.
        Assert.Equal(832 + 25664 + 55392 + 41568 + 27712 + 65792 + 65792 + 2570, spec.ParameterCount());
        Assert.Equal("fc8", spec.Roles.Logits);
    }
}
