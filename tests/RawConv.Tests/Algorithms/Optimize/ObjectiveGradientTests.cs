using System.Text.Json;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// tools/make_optimize_refs.py: values and input gradients of every objective term and penalty from PyTorch autograd
/// (float64) on make_alexnet_refs.py's seeded AlexNet; the cache folder is keyed by the hashes of both scripts.
/// </summary>
internal static class OptimizeRefs
{
    private static readonly ScriptRefs Refs = new("make_optimize_refs.py", Path.Combine("rawconv-optimize-ref", AlexScriptHash()),
        "bvlc_alexnet_optimize/meta.json", "torch, torchvision, onnx, h5py, numpy, PIL", scratch => ["--out", scratch], timeoutMs: 300_000);

    private static string AlexScriptHash() =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(AlexRefs.Script)))[..12];

    /// <summary>A file of the reference folder.</summary>
    public static string File(string name) => Path.Combine(Refs.Dir, "bvlc_alexnet_optimize", name);

    /// <summary>meta.json.</summary>
    public static JsonElement Meta => JsonDocument.Parse(System.IO.File.ReadAllText(File("meta.json"))).RootElement;

    /// <summary>An array of the folder.</summary>
    public static float[] Array(string name) => (float[])Npy.Read(File(name + ".npy")).Data;

    /// <summary>An array of the folder as a tensor on <paramref name="b"/>.</summary>
    public static Tensor Load(IBackend b, string name)
    {
        var (shape, data, _) = Npy.Read(File(name + ".npy"));
        return Tensor.FromArray(b, new Shape(shape), (float[])data);
    }
}

/// <summary>Every objective term's and penalty's value and input gradient against PyTorch autograd, rtol 1e-3.</summary>
public abstract class ObjectiveGradientTests(ITestOutputHelper output) : BackendTest
{
    private static double Value(string name) => OptimizeRefs.Meta.GetProperty("values").GetProperty(name).GetDouble();

    private void Term(Net net, Tensor x, ObjectiveTerm term, string name, double valueRtol = 1e-3)
    {
        var (v, g) = new InputObjective([term], [], maximize: true).Evaluate(net, x);
        using (g)
        {
            double e = Value(name);
            output.WriteLine($"{name,-20} value {v.Total:G8} vs {e:G8}");
            Assert.True(Math.Abs(v.Total - e) <= valueRtol * Math.Abs(e) + 1e-6, $"{name}: value {v.Total} vs PyTorch {e}");
            Assert.Equal(v.Total, v.Terms[0]);
            SaliencyRefs.AssertClose(g.ToArray(), OptimizeRefs.Array("grad_" + name), $"{BackendName} {name}", output);
        }
    }

    [SkippableFact]
    public void EveryTermMatchesPyTorch()
    {
        var meta = OptimizeRefs.Meta;
        int k = meta.GetProperty("class").GetInt32();
        var u = meta.GetProperty("unit");
        var cm = meta.GetProperty("channelMean");
        using var net = WeightsFile.Load(AlexRefs.File("bvlc_alexnet.h5"), B).Net;
        using var x = OptimizeRefs.Load(B, "input");
        Term(net, x, new ClassScore(k), "class_score");
        Term(net, x, new ClassProbability(k), "class_probability", 5e-3);
        Term(net, x, new ClassProbability(k, Log: true), "class_logprob");
        Term(net, x, new UnitActivation(u.GetProperty("layer").GetString()!, u.GetProperty("channel").GetInt32()), "unit");
        Term(net, x, new ChannelMean(cm.GetProperty("layer").GetString()!, cm.GetProperty("channel").GetInt32()), "channel_mean");
        Term(net, x, new Direction("conv5", OptimizeRefs.Array("direction")), "direction");
        Term(net, x, new FeatureEnergy("relu3"), "energy");
        using var noisy = OptimizeRefs.Load(B, "noisy");
        using var target = net.Forward(x, "conv2");
        Term(net, noisy, new FeatureReconstruction("conv2", target["conv2"].Clone()), "reconstruction");
    }

    [SkippableFact]
    public void PenaltiesMatchPyTorch()
    {
        using var x = OptimizeRefs.Load(B, "input");
        using var scaled = Elementwise.Scale(x, 0.01f);
        foreach (var (penalty, on, chain, name) in new (Penalty, Tensor, float, string)[]
        {
            (new AlphaNorm(1, 6), scaled, 0.01f, "alpha6"), (new AlphaNorm(1), x, 1f, "alpha2"),
            (new TotalVariationPenalty(1), x, 1f, "tv2"), (new TotalVariationPenalty(1, 1.5f), x, 1f, "tv1_5"),
        })
        {
            var (v, g) = penalty.Evaluate(on);
            using (g)
            {
                double e = Value(name);
                Assert.True(Math.Abs(v - e) <= 1e-4 * Math.Abs(e), $"{name}: {v} vs PyTorch {e}");
                SaliencyRefs.AssertClose(g.ToArray().Select(a => a * chain).ToArray(), OptimizeRefs.Array("grad_" + name), $"{BackendName} {name}", output);
            }
        }
    }

    [SkippableFact]
    public void WeightsAndSignsCombineTermsAndPenalties()
    {
        using var net = WeightsFile.Load(AlexRefs.File("bvlc_alexnet.h5"), B).Net;
        using var x = OptimizeRefs.Load(B, "input");
        int k = OptimizeRefs.Meta.GetProperty("class").GetInt32();
        // Maximizing 2·s_K − 1e-8·‖x‖²: gradient 2·∂s_K/∂x − 2e-8·x.
        var (v, g) = new InputObjective([new ClassScore(k) { Weight = 2 }], [new AlphaNorm(1e-8f)], maximize: true).Evaluate(net, x);
        using (g)
        {
            Assert.Equal(2 * Value("class_score") - 1e-8 * Value("alpha2"), v.Total, 1e-3 * Math.Abs(v.Total));
            var gs = OptimizeRefs.Array("grad_class_score");
            var xs = x.ToArray();
            SaliencyRefs.AssertClose(g.ToArray(), gs.Select((a, i) => 2 * a - 2e-8f * xs[i]).ToArray(), $"{BackendName} weighted", output);
        }
    }
}

public sealed class ObjectiveGradientOpenClTests(ITestOutputHelper o) : ObjectiveGradientTests(o) { protected override string BackendName => "opencl"; }
public sealed class ObjectiveGradientCudaTests(ITestOutputHelper o) : ObjectiveGradientTests(o) { protected override string BackendName => "cuda"; }
