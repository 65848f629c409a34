using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class LinearTests : BackendTest
{
    [SkippableTheory]
    [InlineData(new[] { 3, 37 }, 21)]
    [InlineData(new[] { 1, 5 }, 1)]
    [InlineData(new[] { 2, 3, 5, 7 }, 17)]
    [InlineData(new[] { 19, 40 }, 33)]
    [InlineData(new[] { 4, 70 }, 9)]
    public void AllPassesMatchReference(int[] xDims, int outF)
    {
        var xs = new Shape(xDims);
        int n = xDims[0], inF = (int)(xs.Count / n);
        var x = Rand.Uniform(1, xs.Count);
        var w = Rand.Uniform(2, (long)outF * inF);
        var bias = Rand.Uniform(3, outF);
        var dy = Rand.Uniform(4, (long)n * outF);
        var ws = new Shape(outF, inF);
        float[][] Run(IBackend b)
        {
            using var y = Linear.Forward(Tensor.FromArray(b, xs, x), Tensor.FromArray(b, ws, w), Tensor.FromArray(b, new Shape(outF), bias));
            using var dx = Linear.BackwardData(Tensor.FromArray(b, new Shape(n, outF), dy), Tensor.FromArray(b, ws, w), xs);
            Assert.Equal(xs, dx.Shape);
            using var dw = Linear.BackwardWeight(Tensor.FromArray(b, xs, x), Tensor.FromArray(b, new Shape(n, outF), dy));
            using var db = Linear.BackwardBias(Tensor.FromArray(b, new Shape(n, outF), dy));
            return [y.ToArray(), dx.ToArray(), dw.ToArray(), db.ToArray()];
        }
        var got = Run(B);
        var want = Run(Ref);
        Check.Close(got[0], want[0], Check.ForwardAtol, Check.ForwardRtol, "linear forward");
        Check.Close(got[1], want[1], Check.BackwardAtol, Check.BackwardRtol, "linear backward data");
        Check.Close(got[2], want[2], Check.BackwardAtol, Check.BackwardRtol, "linear backward weight");
        Check.Close(got[3], want[3], Check.BackwardAtol, Check.BackwardRtol, "linear backward bias");
    }

    [SkippableFact]
    public void Fc6SizedForwardMatchesReference()
    {
        // AlexNet fc6 has 9216 inputs; 512 of its 4096 outputs keep the reference quick.
        int n = 2, inF = 9216, outF = 512;
        var x = Rand.Uniform(5, (long)n * inF);
        var w = Rand.Normal(6, (long)outF * inF, 0.01f);
        float[] Run(IBackend b)
        {
            using var y = Linear.Forward(Tensor.FromArray(b, new Shape(n, 256, 6, 6), x), Tensor.FromArray(b, new Shape(outF, inF), w), null);
            return y.ToArray();
        }
        Check.Nmse(Run(B), Run(Ref), 1e-7, "linear fc6-sized forward");
    }

    [SkippableFact]
    public void BadInputNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 5));
        using var w = Tensor.Zeros(B, new Shape(3, 4));
        var e = Assert.Throws<RawConvException>(() => Linear.Forward(x, w, null));
        Assert.Contains("linear.forward", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        Assert.Contains("(3, 4)", e.Message);
        using var w5 = Tensor.Zeros(B, new Shape(3, 5));
        using var bias = Tensor.Zeros(B, new Shape(4));
        e = Assert.Throws<RawConvException>(() => Linear.Forward(x, w5, bias));
        Assert.Contains("bias (4)", e.Message);
        using var dy = Tensor.Zeros(B, new Shape(2, 4));
        e = Assert.Throws<RawConvException>(() => Linear.BackwardData(dy, w5, x.Shape));
        Assert.Contains("linear.backward_data", e.Message);
    }
}

public sealed class LinearOpenClTests : LinearTests { protected override string BackendName => "opencl"; }
public sealed class LinearCudaTests : LinearTests { protected override string BackendName => "cuda"; }

public class LinearReferenceTests
{
    [Fact]
    public void HandComputedForward()
    {
        var y = new double[2];
        // x (1, 3) · w (2, 3)ᵀ + b
        GemmRef.LinearForward<double>([1.0, 2, 3], [1.0, 0, -1, 2, 1, 0], [0.5, -0.5], y, 1, 3, 2);
        Assert.Equal([-1.5, 3.5], y);
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        int n = 3, inF = 4, outF = 5;
        var x = FiniteDiff.Uniform(1, n * inF);
        var w = FiniteDiff.Uniform(2, outF * inF);
        var b = FiniteDiff.Uniform(3, outF);
        var seed = FiniteDiff.Uniform(4, n * outF);
        double[] F(double[] xv, double[] wv, double[] bv)
        {
            var y = new double[n * outF];
            GemmRef.LinearForward<double>(xv, wv, bv, y, n, inF, outF);
            return y;
        }
        var dx = new double[n * inF];
        GemmRef.LinearBackwardData<double>(seed, w, dx, n, inF, outF);
        FiniteDiff.AssertMatches(dx, v => F(v, w, b), x, seed, "linear dx");
        var dw = new double[outF * inF];
        GemmRef.LinearBackwardWeight<double>(x, seed, dw, n, inF, outF);
        FiniteDiff.AssertMatches(dw, v => F(x, v, b), w, seed, "linear dw");
        var db = new double[outF];
        GemmRef.LinearBackwardBias<double>(seed, db, n, outF);
        FiniteDiff.AssertMatches(db, v => F(x, w, v), b, seed, "linear db");
    }
}
