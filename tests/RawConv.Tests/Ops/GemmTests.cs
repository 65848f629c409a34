using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class GemmTests : BackendTest
{
    [SkippableTheory]
    [InlineData(7, 19, 13, false, false)]
    [InlineData(7, 19, 13, true, false)]
    [InlineData(7, 19, 13, false, true)]
    [InlineData(9, 33, 5, true, true)]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(17, 16, 40, false, true)]
    public void ForwardMatchesReference(int m, int n, int k, bool ta, bool tb)
    {
        var aShape = ta ? new Shape(k, m) : new Shape(m, k);
        var bShape = tb ? new Shape(n, k) : new Shape(k, n);
        var a = Rand.Uniform(1, aShape.Count);
        var b = Rand.Uniform(2, bShape.Count);
        var c = Rand.Uniform(3, (long)m * n);
        float[] Run(IBackend be)
        {
            using var y = Gemm.Forward(Tensor.FromArray(be, aShape, a), Tensor.FromArray(be, bShape, b),
                Tensor.FromArray(be, new Shape(m, n), c), ta, tb, 0.5f, -2f);
            return y.ToArray();
        }
        Check.Close(Run(B), Run(Ref), Check.ForwardAtol, Check.ForwardRtol, $"gemm {m}x{n}x{k} transA {ta} transB {tb}");
    }

    [SkippableTheory]
    [InlineData(new int[0])]
    [InlineData(new[] { 11 })]
    [InlineData(new[] { 1, 11 })]
    [InlineData(new[] { 6, 1 })]
    [InlineData(new[] { 6, 11 })]
    public void BiasBroadcastsLikeOnnx(int[] cDims)
    {
        var cs = new Shape(cDims);
        var a = Rand.Uniform(4, 6 * 5);
        var b = Rand.Uniform(5, 5 * 11);
        var c = Rand.Uniform(6, cs.Count);
        float[] Run(IBackend be)
        {
            using var y = Gemm.Forward(Tensor.FromArray(be, new Shape(6, 5), a), Tensor.FromArray(be, new Shape(5, 11), b),
                Tensor.FromArray(be, cs, c));
            return y.ToArray();
        }
        var got = Run(B);
        Check.Close(got, Run(Ref), Check.ForwardAtol, Check.ForwardRtol, $"gemm with c {cs}");
        // independent check of the broadcast: y[1, 2] = Σ a[1, :]·b[:, 2] + c[broadcast]
        double want = 0;
        for (int p = 0; p < 5; p++) want += a[5 + p] * b[p * 11 + 2];
        int ci = cDims.Length == 0 ? 0 : cDims.Length == 1 ? 2 : (cDims[0] == 1 ? 0 : 1) * cDims[1] + (cDims[1] == 1 ? 0 : 2);
        want += c[ci];
        Assert.Equal(want, got[1 * 11 + 2], 4);
    }

    [SkippableFact]
    public void LargeProductMatchesReference()
    {
        int m = 70, n = 130, k = 900;
        var a = Rand.Uniform(7, (long)m * k);
        var b = Rand.Uniform(8, (long)k * n);
        float[] Run(IBackend be)
        {
            using var y = Gemm.Forward(Tensor.FromArray(be, new Shape(m, k), a), Tensor.FromArray(be, new Shape(k, n), b), null);
            return y.ToArray();
        }
        Check.Nmse(Run(B), Run(Ref), 1e-7, "gemm 70x130x900");
    }

    [SkippableFact]
    public void BadInputNamesOpAndShapes()
    {
        using var a = Tensor.Zeros(B, new Shape(3, 4));
        using var b = Tensor.Zeros(B, new Shape(5, 2));
        var e = Assert.Throws<RawConvException>(() => Gemm.Forward(a, b, null));
        Assert.Contains("gemm.forward", e.Message);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
        using var b2 = Tensor.Zeros(B, new Shape(4, 2));
        using var c = Tensor.Zeros(B, new Shape(3, 3));
        e = Assert.Throws<RawConvException>(() => Gemm.Forward(a, b2, c));
        Assert.Contains("c (3, 3)", e.Message);
    }
}

public sealed class GemmOpenClTests : GemmTests { protected override string BackendName => "opencl"; }
public sealed class GemmCudaTests : GemmTests { protected override string BackendName => "cuda"; }

public class GemmReferenceTests
{
    [Fact]
    public void HandComputedTwoByTwo()
    {
        var y = new double[4];
        GemmRef.Forward<double>([1.0, 2, 3, 4], [5.0, 6, 7, 8], [10.0], 0, 0, y, 2, 2, 2, false, false, 1.0, 1.0);
        Assert.Equal([29, 32, 53, 60], y);
        GemmRef.Forward<double>([1.0, 2, 3, 4], [5.0, 6, 7, 8], [], 0, 0, y, 2, 2, 2, true, true, 2.0, 0.0);
        Assert.Equal([2 * 23, 2 * 31, 2 * 34, 2 * 46], y);
    }

    [Fact]
    public void GradientFormulasMatchFiniteDifferences()
    {
        int m = 3, n = 4, k = 5;
        var a = FiniteDiff.Uniform(1, m * k);
        var b = FiniteDiff.Uniform(2, k * n);
        var seed = FiniteDiff.Uniform(3, m * n);
        double[] F(double[] av, double[] bv)
        {
            var y = new double[m * n];
            GemmRef.Forward<double>(av, bv, [], 0, 0, y, m, n, k, false, false, 1.0, 0.0);
            return y;
        }
        var da = new double[m * k]; // dA = dY · Bᵀ
        GemmRef.Forward<double>(seed, b, [], 0, 0, da, m, k, n, false, true, 1.0, 0.0);
        FiniteDiff.AssertMatches(da, v => F(v, b), a, seed, "gemm dA");
        var db = new double[k * n]; // dB = Aᵀ · dY
        GemmRef.Forward<double>(a, seed, [], 0, 0, db, k, n, m, true, false, 1.0, 0.0);
        FiniteDiff.AssertMatches(db, v => F(a, v), b, seed, "gemm dB");
    }
}
