using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class CrossEntropyTests : BackendTest
{
    [SkippableTheory]
    [InlineData(3, 7)]
    [InlineData(5, 300)]
    [InlineData(16, 1000)]
    public void LossAndGradientMatchReference(int n, int c)
    {
        var xs = Rand.Normal(41, (long)n * c, 3);
        var labels = Enumerable.Range(0, n).Select(i => (i * 7919 + 13) % c).ToArray();
        using var x = Tensor.FromArray(B, new Shape(n, c), xs);
        using var l = Tensor.FromInts(B, new Shape(n), labels);
        using var xr = Tensor.FromArray(Ref, new Shape(n, c), xs);
        using var lr = Tensor.FromInts(Ref, new Shape(n), labels);
        Check.Close([CrossEntropy.Forward(x, l)], [CrossEntropy.Forward(xr, lr)], Check.ForwardAtol, Check.ForwardRtol, $"CE ({n}, {c})");
        using var dx = CrossEntropy.Backward(x, l);
        using var dxr = CrossEntropy.Backward(xr, lr);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, $"CE backward ({n}, {c})");
    }

    [SkippableFact]
    public void BadLabelsNameOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 3));
        using var bad = Tensor.FromInts(B, new Shape(2), [0, 3]);
        var e = Assert.Throws<RawConvException>(() => CrossEntropy.Forward(x, bad));
        Assert.Contains("cross_entropy.forward", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        using var neg = Tensor.FromInts(B, new Shape(2), [-1, 0]);
        e = Assert.Throws<RawConvException>(() => CrossEntropy.Backward(x, neg));
        Assert.Contains("cross_entropy.backward", e.Message);
        using var shortLabels = Tensor.FromInts(B, new Shape(3), [0, 1, 2]);
        e = Assert.Throws<RawConvException>(() => CrossEntropy.Forward(x, shortLabels));
        Assert.Contains("(3)", e.Message);
        using var floatLabels = Tensor.Zeros(B, new Shape(2));
        e = Assert.Throws<RawConvException>(() => CrossEntropy.Forward(x, floatLabels));
        Assert.Contains("Int32", e.Message);
    }
}

public sealed class CrossEntropyOpenClTests : CrossEntropyTests { protected override string BackendName => "opencl"; }
public sealed class CrossEntropyCudaTests : CrossEntropyTests { protected override string BackendName => "cuda"; }

public class CrossEntropyReferenceTests
{
    [Fact]
    public void HandComputedLossAndGradient()
    {
        // Row 0: exp = (1, 2, 3)/6, label 2 → −ln(1/2). Row 1: uniform over 3, label 0 → ln 3.
        float[] logits = [0, MathF.Log(2), MathF.Log(3), 1, 1, 1];
        using var x = Tensor.FromArray(Backends.Reference, new Shape(2, 3), logits);
        using var l = Tensor.FromInts(Backends.Reference, new Shape(2), [2, 0]);
        Assert.Equal((Math.Log(2) + Math.Log(3)) / 2, CrossEntropy.Forward(x, l), 6);
        using var dx = CrossEntropy.Backward(x, l);
        Check.Close(dx.ToArray(), [1 / 12f, 1 / 6f, -1 / 4f, -1 / 3f, 1 / 6f, 1 / 6f], 1e-6, 0, "CE gradient");
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        int n = 3, c = 5;
        var x = FiniteDiff.Uniform(43, n * c, -3, 3);
        int[] labels = [4, 0, 2];
        var dx = new double[n * c];
        CrossEntropyRef.Backward<double>(x, labels, dx, n, c);
        FiniteDiff.AssertMatches(dx, v => [CrossEntropyRef.Forward<double>(v, labels, n, c)], x, [1.0], "cross-entropy");
    }
}
