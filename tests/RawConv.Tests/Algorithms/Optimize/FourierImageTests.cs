using System.Text.Json;
using RawConv.Algorithms.Optimize;
using RawConv.Ops;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// The decorrelated Fourier image parameterization against torch.fft.irfft2 and autograd (tools/make_fourier_refs.py):
/// the image of a given spectrum and the adjoint (∂/∂spectrum of Σ G·x), for odd and even widths, BGR and RGB
/// preprocessing, with and without colour decorrelation, three channels and one; on each backend.
/// </summary>
public abstract class FourierImageTests(ITestOutputHelper output) : BackendTest
{
    private static readonly ScriptRefs Refs = new("make_fourier_refs.py", "rawconv-fourier-ref", "done.txt", "torch, numpy", d => [d]);

    public static TheoryData<string> Cases => new() { "caffe-bgr-odd", "torchvision-rgb-even", "rgb-no-decorrelation", "grey-default-model" };

    private static JsonElement Case(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Refs.Dir, "fourier.json"))).RootElement.EnumerateArray()
            .First(c => c.GetProperty("name").GetString() == name);

    private static float[] Floats(JsonElement e, string p) => e.GetProperty(p).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private FourierImage Make(JsonElement c, IBackend b)
    {
        var pre = new Preprocessing(Enum.Parse<ChannelOrder>(c.GetProperty("channelOrder").GetString()!), Floats(c, "mean"), Floats(c, "std"),
            (float)c.GetProperty("scale").GetDouble(), c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32());
        var f = new FourierImage(b, pre, c.GetProperty("channels").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(),
            seed: 0, decayPower: (float)c.GetProperty("decay").GetDouble(), decorrelate: c.GetProperty("decorrelate").GetBoolean());
        f.Parameters.CopyFrom(Floats(c, "spectrum"));
        return f;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ImageAndAdjointMatchTorch(string name)
    {
        var c = Case(name);
        foreach (var b in new[] { Ref, B })
        {
            using var f = Make(c, b);
            using var x = f.Image();
            Check.Close(x.ToArray(), Floats(c, "image"), 1e-4, 1e-3, $"{name} image on {b.Name}");
            using var g = Tensor.FromArray(b, x.Shape, Floats(c, "upstream"));
            using var dp = f.Backward(g);
            var expected = Floats(c, "gradient");
            double scale = expected.Max(v => Math.Abs(v));
            output.WriteLine($"{name} on {b.Name}: image {x.Shape}, spectrum {f.Parameters.Shape}, largest gradient {scale:G4}");
            Check.Close(dp.ToArray(), expected, 1e-4 * scale, 1e-3, $"{name} adjoint on {b.Name}");
        }
    }

    [SkippableFact]
    public void SeededSpectrumIsReproducibleAndImageStaysInThePixelRange()
    {
        var pre = Preprocessing.Caffe;
        using var a = new FourierImage(B, pre, 3, 16, 15, seed: 5);
        using var b = new FourierImage(B, pre, 3, 16, 15, seed: 5);
        using var other = new FourierImage(B, pre, 3, 16, 15, seed: 6);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.NotEqual(a.Parameters.ToArray(), other.Parameters.ToArray());
        Elementwise.ScaleInPlace(a.Parameters, 1e4f);
        using var x = a.Image();
        var v = x.ToArray();
        for (int ch = 0; ch < 3; ch++)
        {
            var (lo, hi) = InputSteps.PixelRange(pre, ch);
            for (int i = ch * 240; i < (ch + 1) * 240; i++) Assert.InRange(v[i], lo, hi);
        }
    }

    [SkippableFact]
    public void BadSizesAndGradientsAreRefused()
    {
        Assert.Contains("too small", Assert.Throws<RawConvException>(() => new FourierImage(B, Preprocessing.Caffe, 3, 1, 8, 0)).Message);
        using var f = new FourierImage(B, Preprocessing.Caffe, 3, 8, 8, 0);
        using var x = f.Image();
        using var wrong = Tensor.Zeros(B, new Shape(1, 3, 8, 7));
        Assert.Contains("does not match the image (1, 3, 8, 8)", Assert.Throws<RawConvException>(() => f.Backward(wrong)).Message);
    }
}

public sealed class FourierImageOpenClTests(ITestOutputHelper o) : FourierImageTests(o) { protected override string BackendName => "opencl"; }
public sealed class FourierImageCudaTests(ITestOutputHelper o) : FourierImageTests(o) { protected override string BackendName => "cuda"; }
