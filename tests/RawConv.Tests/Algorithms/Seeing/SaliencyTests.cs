using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>
/// PyTorch's gradient, deconvnet and guided maps from tools/make_saliency_refs.py, which imports the network
/// and weights of tools/make_alexnet_refs.py; the cache folder is keyed by the hashes of both scripts
/// (ScriptRefs hashes the first, the folder name carries the second).
/// </summary>
internal static class SaliencyRefs
{
    private static readonly ScriptRefs Refs = new("make_saliency_refs.py", Path.Combine("rawconv-saliency-ref", AlexScriptHash()),
        "bvlc_alexnet_saliency/meta.json", "torch, torchvision, onnx, h5py, numpy, PIL", scratch => ["--out", scratch], timeoutMs: 300_000);

    private static string AlexScriptHash() =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(AlexRefs.Script)))[..12];

    /// <summary>A file of the reference folder.</summary>
    public static string File(string name) => Path.Combine(Refs.Dir, "bvlc_alexnet_saliency", name);

    /// <summary>meta.json: top class and score, the strongest conv5 unit, the whole-map channel.</summary>
    public static JsonElement Meta => JsonDocument.Parse(System.IO.File.ReadAllText(File("meta.json"))).RootElement;

    /// <summary>A reference map.</summary>
    public static float[] Map(string name) => (float[])Npy.Read(File(name + ".npy")).Data;

    /// <summary>The seeded AlexNet (make_alexnet_refs.py's bvlc_alexnet.h5) and the preprocessed photo on <paramref name="b"/>.</summary>
    public static (Net Net, Tensor X) Load(IBackend b)
    {
        var input = File("input.npy");
        var net = WeightsFile.Load(AlexRefs.File("bvlc_alexnet.h5"), b).Net;
        var (shape, data, _) = Npy.Read(input);
        return (net, Tensor.FromArray(b, new Shape(shape), (float[])data));
    }

    /// <summary>rtol 1e-3 plus atol 1e-3·max|e| (float32 sums in another order than PyTorch's float64), with a report line.</summary>
    public static void AssertClose(float[] a, float[] e, string what, ITestOutputHelper output)
    {
        double scale = e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - (double)e[i]));
        output.WriteLine($"{what,-40} max|e| {scale,10:g4}  max|a−e|/max|e| {worst / Math.Max(scale, 1e-30):e2}");
        Check.Close(a, e, 1e-3 * scale, 1e-3, what);
    }
}

/// <summary>Class saliency on the seeded AlexNet against PyTorch autograd with custom ReLU backward rules.</summary>
public abstract class AlexNetSaliencyTests(ITestOutputHelper output) : BackendTest
{
    [SkippableFact]
    public void TopClassMapsMatchPyTorchForEveryRule()
    {
        var meta = SaliencyRefs.Meta;
        var (net, x) = SaliencyRefs.Load(B);
        using (net)
        using (x)
            foreach (var (method, name) in new[] { (SaliencyMethod.Gradient, "gradient"), (SaliencyMethod.Deconvnet, "deconvnet"), (SaliencyMethod.Guided, "guided") })
            {
                using var map = Saliency.Compute(net, x, SaliencyTarget.TopClass, new SaliencyOptions(method));
                var t = Assert.Single(map.Targets);
                Assert.Equal(("fc8", true, meta.GetProperty("top_class").GetInt32()), (t.Layer, t.IsClass, t.Channel));
                Assert.Equal(meta.GetProperty("top_score").GetDouble(), t.Score, 1e-2);
                SaliencyRefs.AssertClose(map.Map.ToArray(), SaliencyRefs.Map("class_" + name), $"{BackendName} class {name}", output);
            }
    }

    [SkippableFact]
    public void UnitTargetIsTheStrongestProjectionOverItsValue()
    {
        // The saliency seed is 1 at the unit; Deconvnet.Project's (and the reference's) is the unit's value.
        var s = SaliencyRefs.Meta.GetProperty("strongest");
        var (net, x) = SaliencyRefs.Load(B);
        using (net)
        using (x)
        using (var map = Saliency.Compute(net, x, SaliencyTarget.OfUnit("conv5", s.GetProperty("channel").GetInt32()), new SaliencyOptions(SaliencyMethod.Guided)))
        {
            var t = map.Targets[0];
            Assert.Equal((s.GetProperty("channel").GetInt32(), s.GetProperty("y").GetInt32(), s.GetProperty("x").GetInt32()), (t.Channel, t.Y, t.X));
            Assert.False(t.IsClass);
            var scaled = map.Map.ToArray().Select(v => v * t.Score).ToArray();
            SaliencyRefs.AssertClose(scaled, SaliencyRefs.Map("strongest_guided"), $"{BackendName} conv5 unit guided", output);
        }
    }

    [SkippableFact]
    public void SmoothGradOnTheDeviceMatchesTheReferenceBackend()
    {
        var spec = SaliencyProperties.SmallSpec;
        using var net = new Net(spec, B);
        using var netRef = new Net(spec, Ref);
        net.InitializeRandom(5);
        netRef.InitializeRandom(5);
        var data = Rand.Normal(11, spec.InputShape(3).Count);
        using var x = Tensor.FromArray(B, spec.InputShape(3), data);
        using var xr = Tensor.FromArray(Ref, spec.InputShape(3), data);
        var o = new SaliencyOptions(SaliencyMethod.SmoothGrad, Samples: 6, Seed: 9, BaseRule: ReluRule.Guided, BatchSize: 4);
        using var a = Saliency.Compute(net, x, SaliencyTarget.TopClass, o);
        using var e = Saliency.Compute(netRef, xr, SaliencyTarget.TopClass, o);
        Assert.Equal(e.Targets, a.Targets.Select((t, i) => t with { Score = e.Targets[i].Score }));
        var ea = e.Map.ToArray();
        Check.Close(a.Map.ToArray(), ea, 1e-4 * ea.Max(Math.Abs), 1e-3, $"smoothgrad on {BackendName}");
    }
}

public sealed class AlexNetSaliencyOpenClTests(ITestOutputHelper o) : AlexNetSaliencyTests(o) { protected override string BackendName => "opencl"; }
public sealed class AlexNetSaliencyCudaTests(ITestOutputHelper o) : AlexNetSaliencyTests(o) { protected override string BackendName => "cuda"; }

/// <summary>Properties of the saliency library on a small random MiniAlexNet on the reference backend.</summary>
public class SaliencyProperties
{
    /// <summary>A narrow MiniAlexNet (1×40×40, 10 classes) that runs fast on the reference backend.</summary>
    internal static NetSpec SmallSpec => MiniAlexNet.Spec(new MiniAlexNetConfig(C1: 8, C2: 12, C3: 16, C4: 16, C5: 12, Fc: 32));

    private static readonly IBackend R = Backends.Reference;

    internal static (Net Net, Tensor X) Small(int n, int seed = 3)
    {
        var net = new Net(SmallSpec, R);
        net.InitializeRandom(seed);
        return (net, Tensor.FromArray(R, SmallSpec.InputShape(n), Rand.Normal(seed + 100, SmallSpec.InputShape(n).Count)));
    }

    [Fact]
    public void LogitsAreTheLayerBeforeAFinalSoftmax()
    {
        Assert.Equal("fc8", Saliency.LogitsLayer(SmallSpec));
        var noSoftmax = SmallSpec with { Layers = SmallSpec.Layers.Take(SmallSpec.Layers.Count - 1).ToList() };
        Assert.Equal("fc8", Saliency.LogitsLayer(noSoftmax));
        var toFc7 = SmallSpec with { Layers = SmallSpec.Layers.TakeWhile(l => l.Name != "drop7").ToList() };
        Assert.Equal("relu7", Saliency.LogitsLayer(toFc7));
    }

    [Fact]
    public void DefaultTargetIsEachImagesTopClassAndTheMapIsItsGradient()
    {
        var (net, x) = Small(3);
        using (net)
        using (x)
        using (var map = Saliency.Compute(net, x, SaliencyTarget.TopClass))
        using (var f = net.Forward(x, "fc8"))
        {
            var logits = f["fc8"].ToArray();
            var seed = new float[logits.Length];
            for (int i = 0; i < 3; i++)
            {
                var row = logits.AsSpan(i * 10, 10);
                int top = row.IndexOf(MaxOf(row));
                Assert.Equal(new SaliencyTargetUsed("fc8", true, top, 0, 0, row[top]), map.Targets[i]);
                seed[i * 10 + top] = 1;
            }
            using var s = Tensor.FromArray(R, f["fc8"].Shape, seed);
            using var g = net.Backward(f, "fc8", s);
            Check.Close(map.Map.ToArray(), g.InputGradient.ToArray(), 0, 0, "class saliency = one-hot backward from fc8");
        }
    }

    [Fact]
    public void SmoothGradWithoutNoiseIsTheGradient()
    {
        var (net, x) = Small(2);
        using (net)
        using (x)
        using (var plain = Saliency.Compute(net, x, SaliencyTarget.OfClass(4)))
        using (var smooth = Saliency.Compute(net, x, SaliencyTarget.OfClass(4), new SaliencyOptions(SaliencyMethod.SmoothGrad, Samples: 5, NoiseFraction: 0, BatchSize: 3)))
        {
            Assert.Equal(plain.Targets, smooth.Targets);
            var e = plain.Map.ToArray();
            Check.Close(smooth.Map.ToArray(), e, 1e-6 * e.Max(Math.Abs), 1e-6, "smoothgrad σ = 0");
        }
    }

    [Fact]
    public void SmoothGradIsTheMeanGradientOverTheSeededNoisyCopies()
    {
        // Independent of the implementation's batching: one plain gradient per noisy copy, averaged here.
        var (net, x) = Small(2);
        const int samples = 4;
        const float fraction = 0.2f;
        using (net)
        using (x)
        using (var smooth = Saliency.Compute(net, x, SaliencyTarget.OfUnit("conv4", 5),
                   new SaliencyOptions(SaliencyMethod.SmoothGrad, samples, fraction, Seed: 77, BatchSize: 3)))
        {
            var host = x.ToArray();
            int per = host.Length / 2;
            var expected = new double[host.Length];
            for (int i = 0; i < 2; i++)
            {
                var img = host.AsSpan(i * per, per).ToArray();
                float sigma = fraction * (img.Max() - img.Min());
                var t = smooth.Targets[i];
                for (int s = 0; s < samples; s++)
                {
                    var z = Saliency.Noise(77, i, s, per);
                    using var xs = Tensor.FromArray(R, SmallSpec.InputShape(1), img.Select((v, k) => v + sigma * z[k]).ToArray());
                    using var f = net.Forward(xs, "conv4");
                    var seed = new float[f["conv4"].Shape.Count];
                    int h = f["conv4"].Shape.H, w = f["conv4"].Shape.W;
                    seed[(t.Channel * h + t.Y) * w + t.X] = 1;
                    using var st = Tensor.FromArray(R, f["conv4"].Shape, seed);
                    using var g = net.Backward(f, "conv4", st);
                    var ga = g.InputGradient.ToArray();
                    for (int k = 0; k < per; k++) expected[i * per + k] += ga[k] / (double)samples;
                }
            }
            var a = smooth.Map.ToArray();
            Check.Close(a.Select(v => (double)v).ToArray(), expected, 1e-6 * expected.Max(Math.Abs), 1e-5, "smoothgrad = mean of noisy gradients");
        }
    }

    [Fact]
    public void SmoothGradIsDeterministicGivenASeedWhateverTheBatchSize()
    {
        var (net, x) = Small(2);
        using (net)
        using (x)
        {
            float[] Run(ulong seed, int batch)
            {
                using var m = Saliency.Compute(net, x, SaliencyTarget.TopClass, new SaliencyOptions(SaliencyMethod.SmoothGrad, 5, Seed: seed, BatchSize: batch));
                return m.Map.ToArray();
            }
            var a = Run(1, 16);
            Assert.Equal(a, Run(1, 16));
            Check.Close(Run(1, 3), a, 1e-7, 1e-6, "batch 3 vs 16");
            var other = Run(2, 16);
            Assert.True(a.Zip(other).Count(p => p.First != p.Second) > a.Length / 2, "another seed gives another map");
        }
    }

    [Fact]
    public void NoiseIsStandardNormalAndDiffersPerCopy()
    {
        var z = Saliency.Noise(5, 0, 0, 100_001);
        double mean = z.Average(), sd = Math.Sqrt(z.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(sd, 0.99, 1.01);
        Assert.Equal(z, Saliency.Noise(5, 0, 0, 100_001));
        Assert.NotEqual(z.Take(10), Saliency.Noise(5, 0, 1, 10));
        Assert.NotEqual(z.Take(10), Saliency.Noise(5, 1, 0, 10));
        Assert.NotEqual(z.Take(10), Saliency.Noise(6, 0, 0, 10));
    }

    [Fact]
    public void ReductionsByHand()
    {
        // (C=2, H=1, W=3)
        float[] chw = [1, -3, 0.5f, -2, 2, -0.5f];
        Assert.Equal([2f, 3f, 0.5f], Saliency.Reduce(chw, 2, 1, 3, SaliencyReduction.MaxAbs));
        Assert.Equal([-1f, -1f, 0f], Saliency.Reduce(chw, 2, 1, 3, SaliencyReduction.Sum));
        Assert.Throws<RawConvException>(() => Saliency.Reduce(chw, 2, 2, 3, SaliencyReduction.Sum));
    }

    [Fact]
    public void BadTargetsAndOptionsAreNamed()
    {
        var (net, x) = Small(1);
        using (net)
        using (x)
        {
            void Rejects(Action a, params string[] words)
            {
                var e = Assert.Throws<RawConvException>(a);
                foreach (var w in words) Assert.Contains(w, e.Message);
            }
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.OfClass(10)), "class 10", "fc8", "10 classes");
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.OfClass(-1)), "class -1", "fc8");
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.OfUnit("conv5", 12)), "unit 12", "conv5", "12 feature maps");
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.OfUnit("conv9", 0)), "conv9");
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.TopClass, new SaliencyOptions(SaliencyMethod.SmoothGrad, Samples: 0)), "samples 0");
            Rejects(() => Saliency.Compute(net, x, SaliencyTarget.TopClass, new SaliencyOptions(SaliencyMethod.SmoothGrad, NoiseFraction: float.NaN)), "noise");
            Rejects(() => SaliencyTarget.Parse(null, "conv5"), "conv5", "LAYER:CHANNEL");
            Rejects(() => SaliencyTarget.Parse(3, "conv5:1"), "not both");
            Assert.Equal(SaliencyTarget.OfUnit("conv5", 7), SaliencyTarget.Parse(null, "conv5:7"));
            Assert.Equal(SaliencyTarget.OfClass(2), SaliencyTarget.Parse(2, null));
        }
    }

    private static float MaxOf(ReadOnlySpan<float> s)
    {
        float m = float.NegativeInfinity;
        foreach (var v in s) m = Math.Max(m, v);
        return m;
    }
}
