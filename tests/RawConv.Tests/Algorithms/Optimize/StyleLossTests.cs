using System.Text.Json;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>tools/make_style_refs.py: a seeded random VGG-19 up to relu5_1, its inputs, and the Gatys losses' values and input gradients from PyTorch (float64).</summary>
internal static class StyleRefs
{
    private static readonly ScriptRefs Refs = new("make_style_refs.py", "rawconv-style-ref", "vgg19_style/meta.json",
        "torch, torchvision, numpy", scratch => ["--out", scratch], timeoutMs: 300_000);

    /// <summary>A file of the reference folder.</summary>
    public static string File(string name) => Path.Combine(Refs.Dir, "vgg19_style", name);

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

    /// <summary>The zoo's vgg19 truncated after the reference's last layer at its size, with the reference weights.</summary>
    public static Net Net(IBackend b)
    {
        var meta = Meta;
        int size = meta.GetProperty("size").GetInt32();
        var net = new Net(Zoo.Truncate(Zoo.Get("vgg19"), meta.GetProperty("last").GetString()!, size, size), b);
        foreach (var name in net.Parameters.Keys.ToList()) net.SetParams(name, Array("w_" + name), Array("b_" + name));
        return net;
    }
}

/// <summary>Gatys et al.'s content, style and TV losses and their input gradients against PyTorch autograd on a random VGG-19, rtol 1e-3.</summary>
public abstract class StyleLossTests(ITestOutputHelper output) : BackendTest
{
    private static double Value(string name) => StyleRefs.Meta.GetProperty("values").GetProperty(name).GetDouble();

    private void Matches(ObjectiveValue v, Tensor g, string name)
    {
        double e = Value(name);
        output.WriteLine($"{name,-8} value {v.Total:G8} vs PyTorch {e:G8}");
        Assert.True(Math.Abs(v.Total - e) <= 1e-3 * Math.Abs(e), $"{name}: value {v.Total} vs PyTorch {e}");
        SaliencyRefs.AssertClose(g.ToArray(), StyleRefs.Array("grad_" + name), $"{BackendName} {name}", output);
    }

    [SkippableFact]
    public void ContentAndStyleLossesMatchPyTorch()
    {
        var meta = StyleRefs.Meta;
        using var net = StyleRefs.Net(B);
        using var x = StyleRefs.Load(B, "x");
        using var content = StyleRefs.Load(B, "content");
        using var style = StyleRefs.Load(B, "style");
        string contentLayer = meta.GetProperty("contentLayer").GetString()!;
        var styleLayers = meta.GetProperty("styleLayers").EnumerateArray().Select(e => e.GetString()!).ToArray();

        Tensor target;
        using (var pass = net.Forward(content, contentLayer)) target = pass[contentLayer].Clone();
        using (var term = new ContentLoss(contentLayer, target))
        {
            var (v, g) = new InputObjective([term], [], maximize: false).Evaluate(net, x);
            using (g) Matches(v, g, "content");
        }

        var grams = StyleTargets.Gram(net, style, styleLayers);
        var terms = styleLayers.Select((l, i) => new StyleLoss(l, grams[i], styleLayers.Length)).ToArray();
        try
        {
            var (v, g) = new InputObjective(terms, [], maximize: false).Evaluate(net, x);
            using (g) Matches(v, g, "style");
            Assert.Equal(v.Total, v.Terms.Sum(), 1e-12 * v.Total);
        }
        finally
        {
            foreach (var t in terms) t.Dispose();
        }
    }

    [SkippableFact]
    public void TotalVariationWithBetaTwoIsTheStyleTvLoss()
    {
        using var x = StyleRefs.Load(B, "x");
        var (v, g) = new TotalVariationPenalty(1f).Evaluate(x);
        using (g) Matches(new ObjectiveValue(v, [], [v]), g, "tv");
    }

    [SkippableFact]
    public void AStyleLossAtItsTargetIsZeroAndATargetOfAnotherShapeIsRefusedByLayer()
    {
        using var net = StyleRefs.Net(B);
        using var style = StyleRefs.Load(B, "style");
        var grams = StyleTargets.Gram(net, style, ["relu1_1", "relu2_1"]);
        using var at = new StyleLoss("relu1_1", grams[0], 1);
        using var wrong = new StyleLoss("relu2_1", grams[1], 1);
        var (v, g) = new InputObjective([at], [], maximize: false).Evaluate(net, style);
        using (g)
        {
            Assert.Equal(0, v.Total, 1e-12);
            Assert.Equal(0, Reduce.L2Norm(g), 1e-9);
        }
        var swapped = wrong with { Layer = "relu1_1" };
        var e = Assert.Throws<RawConvException>(() => new InputObjective([swapped], [], maximize: false).Evaluate(net, style));
        Assert.Contains("relu1_1", e.Message);
        Assert.Contains("(1, 128, 128)", e.Message);
    }
}

public sealed class StyleLossOpenClTests(ITestOutputHelper o) : StyleLossTests(o) { protected override string BackendName => "opencl"; }
public sealed class StyleLossCudaTests(ITestOutputHelper o) : StyleLossTests(o) { protected override string BackendName => "cuda"; }
