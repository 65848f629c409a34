using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Tests.Algorithms.Training;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>The groups a net exposes, freezing layers out of training, and the core's guards.</summary>
public class NetGroupsTests
{
    /// <summary>Seeded noise images with labels cycling through the classes.</summary>
    private sealed class Noise(int count, Shape item, int classes) : IDataset
    {
        public int Count => count;
        public IReadOnlyList<string> Classes { get; } = Enumerable.Range(0, classes).Select(i => $"c{i}").ToList();
        public Shape ItemShape => item;
        public int Label(int index) => index % classes;
        public void CopyItem(int index, Span<float> dst) => Rand.Uniform(100 + index, dst.Length, 0f, 1f).CopyTo(dst);
    }

    [Fact]
    public void ANetListsWeightsThenBiasesInLayerOrderWithTheirRates()
    {
        var spec = WholeNetGradientTests.Small();
        using var net = new Net(spec, Backends.Reference);
        var groups = NetGroups.Of(net, new SgdOptions(WeightDecay: 0.003f, BiasLrMultiplier: 2f));
        string[] layers = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"];
        Assert.Equal(layers.SelectMany(l => new[] { l + ".weight", l + ".bias" }), groups.Select(g => g.Name));
        foreach (var g in groups)
        {
            bool weight = g.Name.EndsWith(".weight");
            var p = net.Parameters[g.Name[..g.Name.IndexOf('.')]];
            Assert.Same(weight ? p.Weight : p.Bias, g.Value);
            Assert.Equal(weight ? 1f : 2f, g.LrMultiplier);
            Assert.Equal(weight ? 0.003f : 0f, g.WeightDecay);
        }
        var frozen = NetGroups.Of(net, freeze: ["conv1", "fc8"]);
        Assert.Equal(groups.Count - 4, frozen.Count);
        Assert.DoesNotContain(frozen, g => g.Name.StartsWith("conv1.") || g.Name.StartsWith("fc8."));
        var e = Assert.Throws<RawConvException>(() => NetGroups.Of(net, freeze: ["conv9"]));
        Assert.Contains("conv9", e.Message);
        e = Assert.Throws<RawConvException>(() => NetGroups.Of(net, freeze: ["relu1"]));
        Assert.Contains("relu1", e.Message);
    }

    [Fact]
    public void FrozenLayersKeepTheirWeightsBitForBitWhileTheOthersTrain()
    {
        var spec = WholeNetGradientTests.Small();
        using var net = new Net(spec, Backends.Reference);
        net.InitializeRandom(4);
        var before = net.Parameters.ToDictionary(kv => kv.Key, kv => (W: kv.Value.Weight.ToArray(), B: kv.Value.Bias!.ToArray()));
        var options = new TrainOptions(Epochs: 1, BatchSize: 4, Seed: 2, MaxShift: 1, MaxSteps: 3, Freeze: ["conv1", "conv2"],
            Sgd: new SgdOptions(LearningRate: 0.05f, BiasLrMultiplier: 2f));
        var result = new Trainer(net, options).Run(new Noise(12, spec.InputShape(1), 5));
        Assert.Equal(3, result.StepLosses.Length);
        foreach (var (name, p) in net.Parameters)
        {
            bool frozen = name is "conv1" or "conv2";
            bool sameW = Bits(p.Weight.ToArray()).SequenceEqual(Bits(before[name].W));
            bool sameB = Bits(p.Bias!.ToArray()).SequenceEqual(Bits(before[name].B));
            Assert.True(frozen == sameW, $"{name}.weight {(frozen ? "changed although frozen" : "did not train")}");
            Assert.True(frozen == sameB, $"{name}.bias {(frozen ? "changed although frozen" : "did not train")}");
        }
    }

    [Fact]
    public void TheCoreRejectsMismatchedGradientsAndDuplicateNames()
    {
        var b = Backends.Reference;
        using var x = Tensor.Zeros(b, new Shape(1, 2, 3, 3));
        using var y = Tensor.Zeros(b, new Shape(4));
        using var sgd = new Sgd([ParameterGroup.For(x), ParameterGroup.For(y, "code", lrMultiplier: 0.5f)], new SgdOptions());
        using var gx = Tensor.Zeros(b, x.Shape);
        var e = Assert.Throws<RawConvException>(() => sgd.Step([gx]));
        Assert.Contains("1 gradients for 2 groups", e.Message);
        e = Assert.Throws<RawConvException>(() => sgd.Step(new Dictionary<string, Tensor> { ["input"] = gx }));
        Assert.Contains("'code'", e.Message);
        e = Assert.Throws<RawConvException>(() => sgd.Step([gx, gx]));
        Assert.Contains("'code'", e.Message);
        Assert.Equal(0, sgd.Iteration);
        e = Assert.Throws<RawConvException>(() => sgd.Velocity("nothing"));
        Assert.Contains("input, code", e.Message);
        e = Assert.Throws<RawConvException>(() => new Sgd([ParameterGroup.For(x), ParameterGroup.For(y)], new SgdOptions()));
        Assert.Contains("two groups are named 'input'", e.Message);
    }

    [Fact]
    public void GroupsTakeTheirOwnLearningRateMultiplier()
    {
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(3), [1f, 2f, 3f]);
        using var c = Tensor.FromArray(b, new Shape(2), [-1f, 0.5f]);
        using var sgd = new Sgd([ParameterGroup.For(x), ParameterGroup.For(c, "code", lrMultiplier: 0.5f)],
            new SgdOptions(LearningRate: 0.1f, Momentum: 0f, WeightDecay: 0f));
        using var gx = Tensor.FromArray(b, new Shape(3), [1f, -1f, 2f]);
        using var gc = Tensor.FromArray(b, new Shape(2), [4f, -2f]);
        Assert.Equal(0.1f, sgd.Step(new Dictionary<string, Tensor> { ["code"] = gc, ["input"] = gx }));
        // x − 0.1·g and c − 0.05·g.
        Check.Close(x.ToArray(), [0.9f, 2.1f, 2.8f], 1e-7, 1e-6, "input after one step");
        Check.Close(c.ToArray(), [-1.2f, 0.6f], 1e-7, 1e-6, "code after one step at half the rate");
    }

    private static IEnumerable<int> Bits(float[] a) => a.Select(BitConverter.SingleToInt32Bits);
}
