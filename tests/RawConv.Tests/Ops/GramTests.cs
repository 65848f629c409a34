using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class GramTests : BackendTest
{
    [SkippableTheory]
    [InlineData(2, 3, 7, 9, 1f)]
    [InlineData(1, 17, 5, 3, 0.5f)]
    [InlineData(3, 1, 1, 1, 2f)]
    public void ForwardAndBackwardMatchReference(int n, int c, int h, int w, float scale)
    {
        var shape = new Shape(n, c, h, w);
        var xs = Rand.Uniform(61, shape.Count);
        var dgs = Rand.Uniform(62, (long)n * c * c);
        using var x = Tensor.FromArray(B, shape, xs);
        using var xr = Tensor.FromArray(Ref, shape, xs);
        using var g = Gram.Forward(x, scale);
        using var gr = Gram.Forward(xr, scale);
        Check.Close(g.ToArray(), gr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, $"gram {shape}");
        using var dx = Gram.Backward(x, Tensor.FromArray(B, g.Shape, dgs), scale);
        using var dxr = Gram.Backward(xr, Tensor.FromArray(Ref, g.Shape, dgs), scale);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, $"gram backward {shape}");
    }

    [SkippableTheory]
    [InlineData(256, 13)]
    [InlineData(64, 55)]
    public void AlexNetSizedMatchesReference(int c, int hw)
    {
        var shape = new Shape(1, c, hw, hw);
        var xs = Rand.Uniform(63, shape.Count);
        var dgs = Rand.Uniform(64, (long)c * c);
        float scale = 1f / (c * hw * hw);
        using var x = Tensor.FromArray(B, shape, xs);
        using var xr = Tensor.FromArray(Ref, shape, xs);
        using var g = Gram.Forward(x, scale);
        using var gr = Gram.Forward(xr, scale);
        Check.Nmse(g.ToArray(), gr.ToArray(), 1e-7, $"gram {shape}");
        using var dx = Gram.Backward(x, Tensor.FromArray(B, g.Shape, dgs), scale);
        using var dxr = Gram.Backward(xr, Tensor.FromArray(Ref, g.Shape, dgs), scale);
        Check.Nmse(dx.ToArray(), dxr.ToArray(), 1e-7, $"gram backward {shape}");
    }

    [SkippableFact]
    public void BadShapesNameOp()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 3, 4, 5));
        using var dg = Tensor.Zeros(B, new Shape(1, 3, 4));
        var e = Assert.Throws<RawConvException>(() => Gram.Backward(x, dg));
        Assert.Contains("gram.backward", e.Message);
        Assert.Contains("(1, 3, 4)", e.Message);
        using var flat = Tensor.Zeros(B, new Shape(3, 20));
        e = Assert.Throws<RawConvException>(() => Gram.Forward(flat));
        Assert.Contains("gram.forward", e.Message);
        Assert.Contains("(3, 20)", e.Message);
    }
}

public sealed class GramOpenClTests : GramTests { protected override string BackendName => "opencl"; }
public sealed class GramCudaTests : GramTests { protected override string BackendName => "cuda"; }

public class GramReferenceTests
{
    [Fact]
    public void HandComputed()
    {
        // Channels (1, 2) and (3, 4): G = [[5, 11], [11, 25]].
        using var x = Tensor.FromArray(Backends.Reference, new Shape(1, 2, 1, 2), [1, 2, 3, 4]);
        using var g = Gram.Forward(x, 0.5f);
        Assert.Equal([2.5f, 5.5f, 5.5f, 12.5f], g.ToArray());
        // dG = [[1, 0], [2, 0]]: S = dG + dGᵀ = [[2, 2], [2, 0]]; dx_0 = 2·x_0 + 2·x_1, dx_1 = 2·x_0.
        using var dg = Tensor.FromArray(Backends.Reference, new Shape(1, 2, 2), [1, 0, 2, 0]);
        using var dx = Gram.Backward(x, dg);
        Assert.Equal([8f, 12f, 2f, 4f], dx.ToArray());
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        int n = 2, c = 3, hw = 5;
        var x = FiniteDiff.Uniform(65, n * c * hw);
        var seed = FiniteDiff.Uniform(66, n * c * c);
        double[] F(double[] v) { var g = new double[n * c * c]; GramRef.Forward<double>(v, g, n, c, hw, 0.7); return g; }
        var dx = new double[x.Length];
        GramRef.Backward<double>(x, seed, dx, n, c, hw, 0.7);
        FiniteDiff.AssertMatches(dx, F, x, seed, "gram");
    }
}
