using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class LrnTests : BackendTest
{
    // Alpha 1 and k 2 make the normalization strongly nonlinear on inputs in [−1, 1).
    [SkippableTheory]
    [InlineData(5, 1f, 0.75f, 2f)]
    [InlineData(4, 1f, 0.75f, 2f)]
    [InlineData(3, 0.5f, 1f, 1f)]
    [InlineData(1, 2f, 0.5f, 1f)]
    [InlineData(9, 1f, 0.75f, 2f)]
    [InlineData(17, 1f, 0.75f, 2f)] // past LRN_RING: the two-sweep backward with a scratch tensor
    public void ForwardAndBackwardMatchReference(int size, float alpha, float beta, float k)
    {
        Compare(new Shape(2, 7, 5, 9), new LrnParams(size, alpha, beta, k), -1, 1, $"size {size}");
        Compare(new Shape(1, 3, 13, 11), new LrnParams(size, alpha, beta, k), -1, 1, $"size {size} C 3");
    }

    [SkippableFact]
    public void WideScaleRangesMatchReference()
    {
        // The OpenCL kernel evaluates scale^(−beta) with its own log2/exp2 polynomials: cover scales over
        // many octaves, a negative beta, and exponents past ±125 (the builtin fallback, results 0 or huge).
        Compare(new Shape(2, 6, 4, 9), new LrnParams(3, 1f, 2.5f, 1e-3f), -1e3f, 1e3f, "scales 1e-3..1e6");
        Compare(new Shape(1, 5, 3, 17), new LrnParams(4, 0.5f, -0.75f, 0.5f), -30, 30, "negative beta");
        Compare(new Shape(1, 4, 2, 16), new LrnParams(3, 1f, 3f, 1f), -1e15f, 1e15f, "exponent past -125");
    }

    [SkippableFact]
    public void MoreThan65535ImagesAreLaunchedInChunks() => Compare(new Shape(65537, 3, 1, 2), new LrnParams(3, 1f, 0.75f, 2f), -1, 1, "65537 images");

    [SkippableFact]
    public void Rank2InputMatchesReference() => Compare(new Shape(3, 10), new LrnParams(5, 1f, 0.75f, 2f), -1, 1, "rank 2");

    [SkippableFact]
    public void AlexNetLrn1MatchesReference()
    {
        // Post-ReLU conv1 magnitudes (0..100): scale reaches about 6, so the default alpha = 1e-4 bites.
        Compare(new Shape(2, 96, 55, 55), new LrnParams(), 0, 100, "alexnet lrn1");
    }

    [SkippableFact]
    public void BadShapesAndParametersAreRejected()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 3, 2, 2));
        using var y = Tensor.Zeros(B, new Shape(1, 3, 2, 3));
        Assert.Contains("(1, 3, 2, 3)", Fails(() => Lrn.Backward(x, y, x, new LrnParams())));
        Assert.Contains("(1, 3, 2, 3)", Fails(() => Lrn.Backward(x, x, y, new LrnParams())));
        Assert.Contains("size 0", Fails(() => Lrn.Forward(x, new LrnParams(0))));
        Assert.Contains("k > 0", Fails(() => Lrn.Forward(x, new LrnParams(5, 1e-4f, 0.75f, 0f))));
        using var flat = Tensor.Zeros(B, new Shape(12));
        Assert.Contains("(12)", Fails(() => Lrn.Forward(flat, new LrnParams())));
        using var ints = Tensor.Zeros(B, new Shape(1, 3, 2, 2), DType.Int32);
        Assert.Contains("Float32", Fails(() => Lrn.Forward(ints, new LrnParams())));
    }

    private static string Fails(Func<object> f)
    {
        var e = Assert.Throws<RawConvException>(() => f());
        Assert.Contains("lrn.", e.Message);
        return e.Message;
    }

    private void Compare(Shape shape, LrnParams p, float lo, float hi, string what)
    {
        var xs = Rand.Uniform(90 + (int)(shape.Count % 97), shape.Count, lo, hi);
        var dys = Rand.Uniform(91, shape.Count);
        using var x = Tensor.FromArray(B, shape, xs);
        using var xr = Tensor.FromArray(Ref, shape, xs);
        using var y = Lrn.Forward(x, p);
        using var yr = Lrn.Forward(xr, p);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, what + " forward");
        using var dx = Lrn.Backward(x, y, Tensor.FromArray(B, shape, dys), p);
        using var dxr = Lrn.Backward(xr, yr, Tensor.FromArray(Ref, shape, dys), p);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " backward");
    }
}

public sealed class LrnOpenClTests : LrnTests { protected override string BackendName => "opencl"; }
public sealed class LrnCudaTests : LrnTests { protected override string BackendName => "cuda"; }

public class LrnReferenceTests
{
    [Fact]
    public void HandComputedThreeChannels()
    {
        // One pixel, x = (1, 2, 3), squares (1, 4, 9), beta 1, k 1.
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(1, 3, 1, 1), [1f, 2, 3]);
        // size 3, alpha 3 (alpha/size = 1): windows {0,1}, {0,1,2}, {1,2} → scale (6, 15, 14).
        Check.Close(Lrn.Forward(x, new LrnParams(3, 3f, 1f, 1f)).ToArray(), [1 / 6f, 2 / 15f, 3 / 14f], 1e-7, 1e-6, "size 3");
        // Even size 2, alpha 2: ONNX window c … c + 1 → {0,1}, {1,2}, {2} → scale (6, 14, 10).
        Check.Close(Lrn.Forward(x, new LrnParams(2, 2f, 1f, 1f)).ToArray(), [1 / 6f, 2 / 14f, 3 / 10f], 1e-7, 1e-6, "size 2");
        // size 3, alpha 3, beta 0.5: y = x / sqrt(scale).
        Check.Close(Lrn.Forward(x, new LrnParams(3, 3f, 0.5f, 1f)).ToArray(),
            [1 / MathF.Sqrt(6), 2 / MathF.Sqrt(15), 3 / MathF.Sqrt(14)], 1e-7, 1e-6, "beta 0.5");
        // Backward, size 3, alpha 3, beta 1, dy = (1, 0, 0): dx_c = [c = 0]/6 − 2·x_c·Σ_{c'' ∋ c} dy·y/scale,
        // only c'' = 0 contributes r = 1·(1/6)/6 = 1/36, and channel 0's window holds channels 0 and 1.
        using var y = Lrn.Forward(x, new LrnParams(3, 3f, 1f, 1f));
        using var dy = Tensor.FromArray(b, x.Shape, [1f, 0, 0]);
        Check.Close(Lrn.Backward(x, y, dy, new LrnParams(3, 3f, 1f, 1f)).ToArray(),
            [1 / 6f - 2 * 1 / 36f, -2 * 2 / 36f, 0], 1e-7, 1e-6, "backward");
    }

    [Theory]
    [InlineData(5, 0.75)]
    [InlineData(4, 0.75)]
    [InlineData(2, 0.75)]
    [InlineData(3, 1.5)]
    [InlineData(6, 0.75)]
    public void BackwardMatchesFiniteDifferences(int size, double beta)
    {
        var s = new Shape(2, 7, 2, 3);
        var p = new LrnParams(size, 0.5f, (float)beta, 1.5f);
        var x = FiniteDiff.Uniform(100 + size, (int)s.Count, -2, 2);
        var seed = FiniteDiff.Uniform(101 + size, (int)s.Count);
        var y = new double[s.Count];
        LrnRef.Forward<double>(x, y, s, p);
        var dx = new double[s.Count];
        LrnRef.Backward<double>(x, y, seed, dx, s, p);
        FiniteDiff.AssertMatches(dx, v =>
        {
            var o = new double[s.Count];
            LrnRef.Forward<double>(v, o, s, p);
            return o;
        }, x, seed, $"lrn size {size} beta {beta}");
    }

    [Fact]
    public void EvenWindowFollowsOnnx()
    {
        Assert.Equal((2, 2), LrnRef.Window(5));
        Assert.Equal((1, 2), LrnRef.Window(4));
        Assert.Equal((0, 1), LrnRef.Window(2));
        Assert.Equal((0, 0), LrnRef.Window(1));
    }
}
