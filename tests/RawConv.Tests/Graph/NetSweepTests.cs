using RawConv.Graph;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>Backward from several seeds, stopping partway, kept activations, and inputs of other sizes.</summary>
public abstract class NetSweepTests : BackendTest
{
    [SkippableFact]
    public void SeedsAtSeveralLayersAddUpToTheSumOfSingleSweeps()
    {
        var spec = NetTests.Tiny();
        using var net = new Net(spec, B);
        net.InitializeRandom(21);
        using var x = Rand.Tensor(B, 22, 2, 3, 19, 17);
        using var f = net.Forward(x);
        using var s1 = Rand.Tensor(B, 23, [.. f["fc2"].Shape.Dims]);
        using var s2 = Rand.Tensor(B, 24, [.. f["conv2"].Shape.Dims]);
        using var s3 = Rand.Tensor(B, 25, [.. f["norm1"].Shape.Dims]);
        using var both = net.Backward(f, new Dictionary<string, Tensor> { ["fc2"] = s1, ["conv2"] = s2, ["norm1"] = s3 },
            new BackwardOptions(ParameterGradients: true));
        using var g1 = net.Backward(f, "fc2", s1, parameterGradients: true);
        using var g2 = net.Backward(f, "conv2", s2, parameterGradients: true);
        using var g3 = net.Backward(f, "norm1", s3, parameterGradients: true);
        var sum = Add(g1.InputGradient.ToArray(), g2.InputGradient.ToArray(), g3.InputGradient.ToArray());
        Check.Close(both.InputGradient.ToArray(), sum, 1e-4, 1e-3, "input gradient of three seeds");
        Check.Close(both.ParameterGradients["conv1"].Weight.ToArray(),
            Add(g1.ParameterGradients["conv1"].Weight.ToArray(), g2.ParameterGradients["conv1"].Weight.ToArray(),
                g3.ParameterGradients["conv1"].Weight.ToArray()), 1e-4, 1e-3, "dconv1.weight of three seeds");
        // above the second seed only the first contributes
        Check.Close(both["relu2"].ToArray(), g1["relu2"].ToArray(), 0, 0, "gradient at relu2");
        Assert.False(both.ParameterGradients.ContainsKey("prob"));
    }

    [SkippableFact]
    public void StoppingGivesTheSameGradientThereAndVisitsNothingBelow()
    {
        var spec = NetTests.Tiny();
        using var net = new Net(spec, B);
        net.InitializeRandom(31);
        using var x = Rand.Tensor(B, 32, 2, 3, 19, 17);
        using var f = net.Forward(x);
        using var s = Rand.Tensor(B, 33, [.. f["fc2"].Shape.Dims]);
        using var full = net.Backward(f, "fc2", s, parameterGradients: true);
        using var part = net.Backward(f, new Dictionary<string, Tensor> { ["fc2"] = s },
            new BackwardOptions(ParameterGradients: true, StopAt: "pool1", KeepLayerGradients: false));
        Check.Close(part["pool1"].ToArray(), full["pool1"].ToArray(), 0, 0, "gradient at the stop layer");
        Check.Close(part.ParameterGradients["conv2"].Weight.ToArray(), full.ParameterGradients["conv2"].Weight.ToArray(), 0, 0, "dconv2");
        Assert.False(part.ParameterGradients.ContainsKey("conv1"));
        Assert.Contains("not computed", Assert.Throws<RawConvException>(() => part.InputGradient).Message);
        Assert.Throws<RawConvException>(() => part["fc1"]);
        Assert.Contains("below the stop layer", Assert.Throws<RawConvException>(() => net.Backward(f,
            new Dictionary<string, Tensor> { ["fc2"] = s, ["conv1"] = f["conv1"] }, new BackwardOptions(StopAt: "pool1"))).Message);
    }

    [SkippableFact]
    public void ForwardKeepsOnlyTheActivationsAskedFor()
    {
        var spec = NetTests.Tiny();
        using var net = new Net(spec, B);
        net.InitializeRandom(41);
        using var x = Rand.Tensor(B, 42, 2, 3, 19, 17);
        using var all = net.Forward(x);
        using var some = net.Forward(x, "fc1", keep: new HashSet<string> { "conv2" });
        Check.Close(some["conv2"].ToArray(), all["conv2"].ToArray(), 0, 0, "kept conv2");
        Check.Close(some.Output.ToArray(), all["fc1"].ToArray(), 0, 0, "the last output");
        Assert.Contains("not kept", Assert.Throws<RawConvException>(() => some["relu1"]).Message);
        Assert.Equal(all.Switches.Keys.Order(), some.Switches.Keys.Order());
        using var s = Tensor.Zeros(B, some.Output.Shape);
        Assert.Contains("not kept", Assert.Throws<RawConvException>(() => net.Backward(some, "fc1", s)).Message);
    }

    [SkippableFact]
    public void ConvolutionalLayersRunOnLargerInputs()
    {
        // The same conv weights in a net declared for the larger size are the independent oracle.
        var spec = NetTests.Tiny();
        var big = spec with { Input = new Shape(3, 31, 26), Layers = spec.Layers.TakeWhile(l => l.Name != "flatten").ToList() };
        using var net = new Net(spec, B);
        using var bigNet = new Net(big, B);
        net.InitializeRandom(51);
        foreach (var (name, p) in bigNet.Parameters)
            bigNet.SetParams(name, net.Parameters[name].Weight.ToArray(), net.Parameters[name].Bias?.ToArray());
        using var x = Rand.Tensor(B, 52, 2, 3, 31, 26);
        using var f = net.Forward(x, "pool2");
        using var fb = bigNet.Forward(x);
        Assert.Equal(big.Shapes(2)[^1], f.Output.Shape);
        Check.Close(f.Output.ToArray(), fb.Output.ToArray(), 0, 0, "pool2 at 31×26");
        using var s = Rand.Tensor(B, 53, [.. f.Output.Shape.Dims]);
        using var g = net.Backward(f, "pool2", s);
        using var gb = bigNet.Backward(fb, "pool2", s);
        Check.Close(g.InputGradient.ToArray(), gb.InputGradient.ToArray(), 0, 0, "input gradient at 31×26");
        var e = Assert.Throws<RawConvException>(() => net.Forward(x));
        Assert.Contains("'fc1'", e.Message);
        Assert.Contains("valid up to 'flatten'", e.Message);
        using var grey = Rand.Tensor(B, 54, 1, 1, 19, 17);
        Assert.Contains("3 channels", Assert.Throws<RawConvException>(() => net.Forward(grey)).Message);
    }

    private static float[] Add(params float[][] parts)
    {
        var r = new float[parts[0].Length];
        foreach (var p in parts)
            for (int i = 0; i < r.Length; i++) r[i] += p[i];
        return r;
    }
}

public sealed class NetSweepReferenceTests : NetSweepTests { protected override string BackendName => "reference"; }
public sealed class NetSweepOpenClTests : NetSweepTests { protected override string BackendName => "opencl"; }
public sealed class NetSweepCudaTests : NetSweepTests { protected override string BackendName => "cuda"; }

public class NetInputShapeTests
{
    [Fact]
    public void ACodeInputIsAShapeOfItsOwn()
    {
        var spec = new NetSpec("head", new Shape(16), [new FcLayer("fc1", 8), new ReluLayer("relu1"), new FcLayer("fc2", 4)]).Validate();
        Assert.False(spec.TakesImages);
        Assert.Equal(new Shape(3, 16), spec.InputShape(3));
        Assert.Contains("not (C, H, W) images", Assert.Throws<RawConvException>(() => spec.InputChannels).Message);
        var json = spec.ToJson();
        Assert.Contains("\"input\": [", json);
        Assert.DoesNotContain("inputChannels", json);
        Assert.Equal(json, NetSpec.FromJson(json).ToJson());
        using var net = new Net(spec, Backends.Reference);
        net.InitializeRandom(3);
        var xs = Rand.Uniform(4, 3 * 16);
        using var x = Tensor.FromArray(Backends.Reference, spec.InputShape(3), xs);
        using var f = net.Forward(x, "fc1");
        // fc1 by hand: y = W·x + 0 (zero biases)
        var w = net.Parameters["fc1"].Weight.ToArray();
        var y = f.Output.ToArray();
        for (int n = 0; n < 3; n++)
            for (int o = 0; o < 8; o++)
            {
                double e = 0;
                for (int i = 0; i < 16; i++) e += w[o * 16 + i] * xs[n * 16 + i];
                Assert.True(Math.Abs(y[n * 8 + o] - e) <= 1e-5 + 1e-4 * Math.Abs(e), $"fc1[{n}, {o}] = {y[n * 8 + o]}, expected {e}");
            }
    }

    [Fact]
    public void OlderImageDescriptionsReadAndWriteTheSameBytes()
    {
        const string old = "{\"name\": \"t\", \"inputChannels\": 1, \"inputHeight\": 6, \"inputWidth\": 5, \"layers\": [{\"type\": \"relu\", \"name\": \"r\"}]}";
        var spec = NetSpec.FromJson(old);
        Assert.Equal(new Shape(1, 6, 5), spec.Input);
        Assert.Contains("\"inputChannels\": 1,", spec.ToJson());
        Assert.Contains("both", Assert.Throws<RawConvException>(() => NetSpec.FromJson(
            "{\"name\": \"t\", \"input\": [1, 6, 5], \"inputChannels\": 1, \"layers\": []}", "x.json")).Message);
        Assert.Contains("x.json", Assert.Throws<RawConvException>(() => NetSpec.FromJson(
            "{\"name\": \"t\", \"input\": [0], \"layers\": [{\"type\": \"relu\", \"name\": \"r\"}]}", "x.json")).Message);
    }

    [Theory]
    [InlineData("{\"type\": \"lrn\", \"name\": \"n\", \"size\": 0}", "layer 'n' (lrn): size 0")]
    [InlineData("{\"type\": \"conv\", \"name\": \"c\", \"out\": 4, \"kernelH\": 3, \"kernelW\": 3, \"strideH\": 0}", "layer 'c' (conv): stride 0×1")]
    [InlineData("{\"type\": \"conv\", \"name\": \"c\", \"out\": 6, \"kernelH\": 3, \"kernelW\": 3, \"groups\": 4}", "6 filters do not split into 4 groups")]
    [InlineData("{\"type\": \"dropout\", \"name\": \"d\", \"p\": 1.5}", "layer 'd' (dropout): probability 1.5")]
    [InlineData("{\"type\": \"maxpool\", \"name\": \"p\", \"kernelH\": 2, \"kernelW\": 2, \"strideH\": 2, \"strideW\": 2, \"padH\": 2}", "layer 'p' (maxpool): window 2×2")]
    [InlineData("{\"type\": \"fc\", \"name\": \"f\", \"out\": 2147483647}", "layer 'f' cannot take input")]
    [InlineData("{\"type\": \"fc\", \"name\": \"\", \"out\": 3}", "a layer has no name")]
    public void ArchitectureValuesAreCheckedAtLoadNamingTheLayer(string layer, string expected)
    {
        string json = $"{{\"name\": \"t\", \"inputChannels\": 4, \"inputHeight\": 8, \"inputWidth\": 8, \"layers\": [{layer}]}}";
        var e = Assert.Throws<RawConvException>(() => NetSpec.FromJson(json, "net.json"));
        Assert.StartsWith("net.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("no layers", Assert.Throws<RawConvException>(() => NetSpec.FromJson(
            "{\"name\": \"t\", \"input\": [3], \"layers\": []}", "net.json")).Message);
    }
}
