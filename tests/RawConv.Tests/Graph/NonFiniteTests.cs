using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>Net.CheckFinite: the first layer that turns a finite input into NaN/Inf is named, with what it produced.</summary>
public abstract class NonFiniteTests : BackendTest
{
    [SkippableFact]
    public void ADamagedBiasIsCaughtAtItsLayer()
    {
        var spec = NetTests.Tiny();
        using var net = new Net(spec, B);
        net.InitializeRandom(61);
        var bias = new float[10];
        bias[3] = float.PositiveInfinity;
        net.SetParams("fc1", net.Parameters["fc1"].Weight.ToArray(), bias);
        using var x = Rand.Tensor(B, 62, 2, 3, 19, 17);
        using (var unchecked_ = net.Forward(x)) Assert.Contains(unchecked_["fc1"].ToArray(), float.IsPositiveInfinity);
        net.CheckFinite = true;
        var e = Assert.Throws<NonFiniteException>(() => net.Forward(x));
        Assert.Equal("fc1", e.Layer);
        Assert.Equal(new NonFiniteCount(0, 2, 0), e.Found);   // one unit per image of the batch
        Assert.Equal("tiny: layer fc1 produced 2 non-finite values (+Inf) from a finite input — the weights are damaged or out of range", e.Message);
    }

    [SkippableFact]
    public void RequireFiniteWeightsNamesTheSourceLayerAndPart()
    {
        using var net = new Net(NetTests.Tiny(), B);
        net.InitializeRandom(65);
        net.RequireFiniteWeights();
        net.Source = "damaged.onnx";
        var w = net.Parameters["conv1"].Weight.ToArray();
        w[7] = float.NaN;
        w[9] = float.NegativeInfinity;
        net.SetParams("conv1", w, new float[8]);
        var e = Assert.Throws<NonFiniteException>(net.RequireFiniteWeights);
        Assert.Equal("conv1", e.Layer);
        Assert.Equal(new NonFiniteCount(1, 0, 1), e.Found);
        Assert.Equal("damaged.onnx: layer conv1 weight holds 2 non-finite values (1 NaN, 1 −Inf) — the weights are damaged; re-export or re-import the model", e.Message);
        net.SetParams("conv1", w.Select(v => float.IsFinite(v) ? v : 0f).ToArray(), [0, 0, 0, float.NaN, 0, 0, 0, 0]);
        Assert.Equal("damaged.onnx: layer conv1 bias holds 1 non-finite value (NaN) — the weights are damaged; re-export or re-import the model",
            Assert.Throws<NonFiniteException>(net.RequireFiniteWeights).Message);
    }

    [SkippableFact]
    public void OverflowAndNaNInputsAreNamed()
    {
        var spec = NetTests.Tiny();
        using var net = new Net(spec, B) { CheckFinite = true };
        net.InitializeRandom(63);
        var w = net.Parameters["conv1"].Weight.ToArray();
        using var x = Rand.Tensor(B, 64, 1, 3, 19, 17);
        using (var ok = net.Forward(x)) Assert.Equal(new Shape(1, 4), ok.Output.Shape);
        net.SetParams("conv1", w.Select(_ => 3e38f).ToArray(), new float[8]);   // finite weights whose sums overflow
        var e = Assert.Throws<NonFiniteException>(() => net.Forward(x));
        Assert.Equal("conv1", e.Layer);
        Assert.True(e.Found.Total > 0 && e.Found.NaN == 0, e.Message);
        var xs = x.ToArray();
        xs[5] = float.NaN;
        using var bad = Tensor.FromArray(B, x.Shape, xs);
        var ei = Assert.Throws<NonFiniteException>(() => net.Forward(bad));
        Assert.Null(ei.Layer);
        Assert.Contains("the input (1, 3, 19, 17) holds 1 non-finite value (NaN)", ei.Message);
    }
}

public sealed class NonFiniteReferenceTests : NonFiniteTests { protected override string BackendName => "reference"; }
public sealed class NonFiniteOpenClTests : NonFiniteTests { protected override string BackendName => "opencl"; }
public sealed class NonFiniteCudaTests : NonFiniteTests { protected override string BackendName => "cuda"; }
