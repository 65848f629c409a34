using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class TopKTests : BackendTest
{
    [SkippableTheory]
    [InlineData(new[] { 3, 7, 9 }, 4, false)]
    [InlineData(new[] { 3, 7, 9 }, 9, true)]
    [InlineData(new[] { 5, 300 }, 7, true)]
    [InlineData(new[] { 16, 1000 }, 5, false)]
    [InlineData(new[] { 11 }, 1, false)]
    public void MatchesReferenceIncludingTies(int[] dims, int k, bool ties)
    {
        var shape = new Shape(dims);
        // Ties: values from {0, …, 4} so most rows hold many equal values.
        var v = ties ? Rand.Uniform(111, shape.Count, 0, 5).Select(MathF.Floor).ToArray() : Rand.Normal(112, shape.Count);
        using var x = Tensor.FromArray(B, shape, v);
        using var xr = Tensor.FromArray(Ref, shape, v);
        var (vals, idx) = TopK.Forward(x, k);
        var (valsr, idxr) = TopK.Forward(xr, k);
        using (vals) using (idx) using (valsr) using (idxr)
        {
            Assert.Equal(valsr.Shape, vals.Shape);
            Check.Close(vals.ToArray(), valsr.ToArray(), 0, 0, $"top-{k} values {shape}");
            Check.Exact(idx.ToIntArray(), idxr.ToIntArray(), $"top-{k} indices {shape}");
        }
        using var am = TopK.ArgMax(x);
        using var amr = TopK.ArgMax(xr);
        Check.Exact(am.ToIntArray(), amr.ToIntArray(), $"argmax {shape}");
    }

    [SkippableFact]
    public void BadKNamesOpAndShape()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 3));
        foreach (var k in new[] { 0, 4 })
        {
            var e = Assert.Throws<RawConvException>(() => TopK.Forward(x, k));
            Assert.Contains("topk.forward", e.Message);
            Assert.Contains("(2, 3)", e.Message);
        }
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(999)]
    public void ANaNIsRefusedNotRankedAsMinusOne(int at)
    {
        var v = Rand.Normal(113, 2 * 1000);
        v[1000 + at] = float.NaN;
        using var x = Tensor.FromArray(B, new Shape(2, 1000), v);
        foreach (var call in new Action[] { () => TopK.Forward(x, 5), () => TopK.ArgMax(x) })
        {
            var e = Assert.Throws<RawConvException>(call);
            Assert.Contains($"holds NaN (row 1, column {at})", e.Message);
            Assert.Contains("(2, 1000)", e.Message);
        }
    }
}

public sealed class TopKOpenClTests : TopKTests { protected override string BackendName => "opencl"; }
public sealed class TopKCudaTests : TopKTests { protected override string BackendName => "cuda"; }

public class TopKReferenceTests
{
    [Fact]
    public void DescendingWithLowerIndexFirstOnTies()
    {
        using var x = Tensor.FromArray(Backends.Reference, new Shape(2, 4), [3, 1, 3, 2, float.NegativeInfinity, -1, -1, -5]);
        var (v, i) = TopK.Forward(x, 3);
        Assert.Equal([3f, 3f, 2f, -1f, -1f, -5f], v.ToArray());
        Assert.Equal([0, 2, 3, 1, 2, 3], i.ToIntArray());
        Assert.Equal(new Shape(2, 3), v.Shape);
        using var am = TopK.ArgMax(x);
        Assert.Equal([0, 1], am.ToIntArray());
    }
}
