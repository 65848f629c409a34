using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class TotalVariationTests : BackendTest
{
    [SkippableTheory]
    [InlineData(2, 3, 7, 9, 2f)]
    [InlineData(2, 3, 7, 9, 1.5f)]
    [InlineData(1, 1, 1, 5, 1f)]
    [InlineData(1, 3, 227, 227, 2f)]
    public void ForwardAndBackwardMatchReference(int n, int c, int h, int w, float beta)
    {
        var shape = new Shape(n, c, h, w);
        var v = Rand.Uniform(101, shape.Count);
        using var x = Tensor.FromArray(B, shape, v);
        using var xr = Tensor.FromArray(Ref, shape, v);
        Check.Nmse([(float)TotalVariation.Forward(x, beta)], [(float)TotalVariation.Forward(xr, beta)], 1e-7, $"TV {shape} β={beta}");
        using var dx = TotalVariation.Backward(x, beta);
        using var dxr = TotalVariation.Backward(xr, beta);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, $"TV backward {shape} β={beta}");
    }

    [SkippableFact]
    public void BadInputNamesOp()
    {
        using var x = Tensor.Zeros(B, new Shape(3, 4, 5));
        var e = Assert.Throws<RawConvException>(() => TotalVariation.Forward(x));
        Assert.Contains("total_variation.forward", e.Message);
        Assert.Contains("(3, 4, 5)", e.Message);
        using var x4 = Tensor.Zeros(B, new Shape(1, 3, 4, 5));
        e = Assert.Throws<RawConvException>(() => TotalVariation.Backward(x4, 0f));
        Assert.Contains("total_variation.backward", e.Message);
    }
}

public sealed class TotalVariationOpenClTests : TotalVariationTests { protected override string BackendName => "opencl"; }
public sealed class TotalVariationCudaTests : TotalVariationTests { protected override string BackendName => "cuda"; }

public class TotalVariationReferenceTests
{
    [Fact]
    public void HandComputed()
    {
        // x = [[0, 1], [3, 5]]: (a, b) per pixel = (1, 3), (0, 4), (2, 0), (0, 0).
        using var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 2, 2), [0, 1, 3, 5]);
        Assert.Equal(10 + 16 + 4, TotalVariation.Forward(x), 5);
        Assert.Equal(Math.Sqrt(10) + 4 + 2, TotalVariation.Forward(x, 1f), 5);
        // β = 2: d/dx00 = −2(1 + 3) = −8; d/dx01 = 2·1 − 2·4 = −6; d/dx10 = 2·3 − 2·2 = 2; d/dx11 = 2·4 + 2·2 = 12.
        using var dx = TotalVariation.Backward(x);
        Assert.Equal([-8f, -6f, 2f, 12f], dx.ToArray());
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.5)]
    [InlineData(1.0)]
    public void BackwardMatchesFiniteDifferences(double beta)
    {
        int p = 2, h = 4, w = 5;
        var x = FiniteDiff.Uniform(102, p * h * w);
        var dx = new double[x.Length];
        TotalVariationRef.Backward<double>(x, dx, p, h, w, beta);
        FiniteDiff.AssertMatches(dx, v => [TotalVariationRef.Forward<double>(v, p, h, w, beta)], x, [1.0], $"TV β={beta}");
    }
}
