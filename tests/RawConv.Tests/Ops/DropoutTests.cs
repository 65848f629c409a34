using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class DropoutTests : BackendTest
{
    [SkippableTheory]
    [InlineData(0.3f, 0x0123456789ABCDEFUL)]
    [InlineData(0.5f, 7UL)]
    [InlineData(0f, 99UL)]
    public void SameMaskAndOutputAsReference(float p, ulong seed)
    {
        var shape = new Shape(3, 7, 9, 11);
        var xs = Rand.Uniform(51, shape.Count);
        var dys = Rand.Uniform(52, shape.Count);
        using var x = Tensor.FromArray(B, shape, xs);
        using var dy = Tensor.FromArray(B, shape, dys);
        var (y, mask) = Dropout.Forward(x, p, true, seed);
        var (yr, maskr) = Dropout.Forward(Tensor.FromArray(Ref, shape, xs), p, true, seed);
        using (y) using (mask)
        {
            Check.Close(mask.ToArray(), maskr.ToArray(), 0, 0, $"dropout mask p={p}");
            Check.Close(y.ToArray(), yr.ToArray(), 0, 0, $"dropout output p={p}");
            using var dx = Dropout.Backward(dy, mask, p);
            using var dxr = Dropout.Backward(Tensor.FromArray(Ref, shape, dys), maskr, p);
            Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, $"dropout backward p={p}");
        }
    }

    [SkippableTheory]
    [InlineData(0.5f)]
    [InlineData(0.1f)]
    [InlineData(0.9f)]
    public void KeepFractionWithinThreeSigma(float p)
    {
        var shape = new Shape(16, 96, 27, 27);
        using var x = Tensor.Zeros(B, shape);
        var (y, mask) = Dropout.Forward(x, p, true, 2024);
        using (y) using (mask)
        {
            double n = shape.Count, kept = Reduce.Sum(mask);
            double sigma = Math.Sqrt(n * p * (1 - p));
            Assert.True(Math.Abs(kept - n * (1 - p)) <= 3 * sigma, $"kept {kept} of {n}, expected {n * (1 - p)} ± {3 * sigma}");
        }
    }

    [SkippableFact]
    public void BothSeedHalvesChangeTheMask()
    {
        var shape = new Shape(4096);
        using var x = Tensor.Zeros(B, shape);
        float[] Mask(ulong seed) { var (y, m) = Dropout.Forward(x, 0.5f, true, seed); y.Dispose(); using (m) return m.ToArray(); }
        var a = Mask(5);
        Assert.False(a.SequenceEqual(Mask(6)), "low seed half ignored");
        Assert.False(a.SequenceEqual(Mask(5 | (1UL << 40))), "high seed half ignored");
        Assert.True(a.SequenceEqual(Mask(5)), "mask not reproducible");
    }

    [SkippableFact]
    public void InferenceIsIdentityAndBackwardScalesKept()
    {
        var shape = new Shape(2, 3, 5, 7);
        var xs = Rand.Uniform(53, shape.Count);
        using var x = Tensor.FromArray(B, shape, xs);
        var (y, mask) = Dropout.Forward(x, 0.4f, false, 1);
        using (y) using (mask)
        {
            Check.Close(y.ToArray(), xs, 0, 0, "inference output");
            Assert.All(mask.ToArray(), m => Assert.Equal(1f, m));
        }
        var (yt, mt) = Dropout.Forward(x, 0.4f, true, 1);
        using var keepY = yt;
        using var keepMask = mt;
        var dys = Rand.Uniform(54, shape.Count);
        using var dy = Tensor.FromArray(B, shape, dys);
        using var dx = Dropout.Backward(dy, mt, 0.4f);
        var m = mt.ToArray();
        var expected = dys.Select((d, i) => (float)(m[i] * d / (1 - 0.4))).ToArray();
        Check.Close(dx.ToArray(), expected, 1e-7, 1e-6, "dropout backward = mask·dy/(1−p)");
        var yv = yt.ToArray();
        for (int i = 0; i < yv.Length; i++) Assert.Equal(m[i] == 0 ? 0f : xs[i] / 0.6f, yv[i], 1e-6f);
    }

    [SkippableFact]
    public void BadProbabilityAndShapesNameOp()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 3));
        foreach (var p in new[] { 1f, -0.1f, float.NaN })
        {
            var e = Assert.Throws<RawConvException>(() => Dropout.Forward(x, p, true, 1));
            Assert.Contains("dropout.forward", e.Message);
            Assert.Contains("(2, 3)", e.Message);
        }
        using var m = Tensor.Zeros(B, new Shape(3, 2));
        var e2 = Assert.Throws<RawConvException>(() => Dropout.Backward(x, m, 0.5f));
        Assert.Contains("dropout.backward", e2.Message);
        Assert.Contains("(3, 2)", e2.Message);
    }
}

public sealed class DropoutOpenClTests : DropoutTests { protected override string BackendName => "opencl"; }
public sealed class DropoutCudaTests : DropoutTests { protected override string BackendName => "cuda"; }

public class DropoutReferenceTests
{
    [Fact]
    public void PcgMatchesThePublishedPermutation()
    {
        // PCG-RXS-M-XS 32 written out independently: state = v·747796405 + 2891336453, then output permutation.
        foreach (uint v in new uint[] { 0, 1, 12345, 0xFFFFFFFF })
        {
            ulong state = ((ulong)v * 747796405UL + 2891336453UL) & 0xFFFFFFFFUL;
            int shift = (int)((state >> 28) + 4);
            ulong word = (((state >> shift) ^ state) * 277803737UL) & 0xFFFFFFFFUL;
            Assert.Equal((uint)((word >> 22) ^ word), DropoutRef.Pcg(v));
        }
    }

    [Fact]
    public void ThresholdAndScaleFollowP()
    {
        Assert.Equal(0u, DropoutRef.Threshold(0));
        Assert.Equal(1u << 23, DropoutRef.Threshold(0.5f));
        Assert.Equal(2f, DropoutRef.Scale(0.5f));
        double[] dy = [1, 2, 3], mask = [1, 0, 1], dx = new double[3];
        DropoutRef.Backward<double>(dy, mask, dx, 0.5f);
        Assert.Equal([2, 0, 6], dx);
    }
}
