using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class MaxUnpool2dTests : BackendTest
{
    [SkippableFact]
    public void ScatterMatchesReferenceOnUniqueIndices()
    {
        // Unique random positions per plane of a larger (9, 11) output, not tied to any pooling.
        var xs = new Shape(2, 3, 5, 7);
        var outShape = new Shape(2, 3, 9, 11);
        var idx = UniqueIndices(50, xs, outShape);
        var vals = Rand.Uniform(51, xs.Count);
        using var x = Tensor.FromArray(B, xs, vals);
        using var xr = Tensor.FromArray(Ref, xs, vals);
        using var i = Tensor.FromInts(B, xs, idx);
        using var ir = Tensor.FromInts(Ref, xs, idx);
        using var y = MaxUnpool2d.Forward(x, i, outShape);
        using var yr = MaxUnpool2d.Forward(xr, ir, outShape);
        // Unpooling and its backward only copy values: exact equality.
        Check.Close(y.ToArray(), yr.ToArray(), 0, 0, "unpool scatter");
        var dys = Rand.Uniform(52, outShape.Count);
        using var dx = MaxUnpool2d.Backward(Tensor.FromArray(B, outShape, dys), i, xs);
        using var dxr = MaxUnpool2d.Backward(Tensor.FromArray(Ref, outShape, dys), ir, xs);
        Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, "unpool backward");
    }

    [SkippableTheory]
    [InlineData(3, 2, 0, false)]
    [InlineData(3, 2, 1, true)]
    [InlineData(2, 2, 0, true)]
    [InlineData(3, 1, 1, false)]
    public void GatherMatchesReferenceAndMaxPoolBackward(int k, int s, int pad, bool ceil)
    {
        var p = Pool2dParams.Square(k, s, pad, ceil);
        var xs = new Shape(2, 3, 9, 11);
        var data = Rand.Uniform(53, xs.Count);
        using var x0 = Tensor.FromArray(B, xs, data);
        var (values, idx) = MaxPool2d.Forward(x0, p);
        using (values) using (idx)
        {
            var ys = Rand.Uniform(54, values.Count);
            using var y = Tensor.FromArray(B, values.Shape, ys);
            using var up = MaxUnpool2d.Forward(y, idx, xs, p);
            using var back = MaxPool2d.Backward(y, idx, xs, p);
            // The same kernel on the same data: bit-identical.
            Check.Close(up.ToArray(), back.ToArray(), 0, 0, "unpool(p) vs maxpool backward");
            using var ir = idx.To(Ref);
            using var upr = MaxUnpool2d.Forward(Tensor.FromArray(Ref, values.Shape, ys), ir, xs, p);
            Check.Close(up.ToArray(), upr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, "unpool(p) vs reference");
        }
    }

    [SkippableFact]
    public void AlexNetSizedUnpoolMatchesReference()
    {
        var p = Pool2dParams.Square(3, 2);
        var xs = new Shape(2, 96, 55, 55);
        using var x0 = Tensor.FromArray(B, xs, Rand.Uniform(55, xs.Count));
        var (values, idx) = MaxPool2d.Forward(x0, p);
        using (values) using (idx)
        {
            var ys = Rand.Uniform(56, values.Count);
            using var up = MaxUnpool2d.Forward(Tensor.FromArray(B, values.Shape, ys), idx, xs, p);
            using var upr = MaxUnpool2d.Forward(Tensor.FromArray(Ref, values.Shape, ys), idx.To(Ref), xs, p);
            Check.Close(up.ToArray(), upr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, "alexnet unpool");
        }
    }

    [SkippableFact]
    public void BadIndicesAndShapesAreRejected()
    {
        var xs = new Shape(1, 2, 2, 2);
        var outShape = new Shape(1, 2, 4, 4);
        using var x = Tensor.FromArray(B, xs, Rand.Uniform(57, 8));
        foreach (var ints in new[] { new[] { 0, 3, 8, 16, 5, 2, 13, 10 }, new[] { 0, 3, 8, 15, 5, -1, 13, 10 } })
        {
            using var bad = Tensor.FromInts(B, xs, ints);
            Assert.Contains("maxunpool2d.forward", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, bad, outShape)).Message);
            Assert.Contains("maxunpool2d.forward", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, bad, outShape, Pool2dParams.Square(2, 2))).Message);
            using var dy = Tensor.Zeros(B, outShape);
            Assert.Contains("maxunpool2d.backward", Assert.Throws<RawConvException>(() => MaxUnpool2d.Backward(dy, bad, xs)).Message);
        }
        // In range but outside its own 2×2 window: only the params overload can tell.
        using var stray = Tensor.FromInts(B, xs, [0, 3, 8, 15, 5, 2, 13, 4]);
        MaxUnpool2d.Forward(x, stray, outShape).Dispose();
        Assert.Contains("outside that output's window", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, stray, outShape, Pool2dParams.Square(2, 2))).Message);
        using var good = Tensor.FromInts(B, xs, [0, 3, 8, 15, 5, 2, 13, 10]);
        Assert.Contains("(2, 2, 4, 4)", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, good, new Shape(2, 2, 4, 4))).Message);
        Assert.Contains("pooled shape", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, good, new Shape(1, 2, 6, 6), Pool2dParams.Square(2, 2))).Message);
        using var wrong = Tensor.FromInts(B, new Shape(1, 2, 2, 3), new int[12]);
        Assert.Contains("(1, 2, 2, 3)", Assert.Throws<RawConvException>(() => MaxUnpool2d.Forward(x, wrong, outShape)).Message);
    }

    /// <summary>Per plane, distinct positions in [0, OH·OW) drawn by a seeded shuffle.</summary>
    internal static int[] UniqueIndices(int seed, Shape xs, Shape outShape)
    {
        var r = new Random(seed);
        int ihw = xs.H * xs.W, ohw = outShape.H * outShape.W;
        var idx = new int[xs.Count];
        for (int pl = 0; pl < xs.N * xs.C; pl++)
        {
            var perm = Enumerable.Range(0, ohw).ToArray();
            r.Shuffle(perm);
            Array.Copy(perm, 0, idx, pl * ihw, ihw);
        }
        return idx;
    }
}

public sealed class MaxUnpool2dOpenClTests : MaxUnpool2dTests { protected override string BackendName => "opencl"; }
public sealed class MaxUnpool2dCudaTests : MaxUnpool2dTests { protected override string BackendName => "cuda"; }

public class MaxUnpool2dReferenceTests
{
    [Fact]
    public void OnnxExampleWithoutOutputShape()
    {
        // ONNX MaxUnpool documentation example (test_maxunpool_export_without_output_shape), Caffe-style
        // indices being equal to ONNX's flat ones for N = C = 1.
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(1, 1, 2, 2), [1f, 2, 3, 4]);
        using var idx = Tensor.FromInts(b, x.Shape, [5, 7, 13, 15]);
        float[] expected = [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4];
        Assert.Equal(expected, MaxUnpool2d.Forward(x, idx, new Shape(1, 1, 4, 4)).ToArray());
        Assert.Equal(expected, MaxUnpool2d.Forward(x, idx, new Shape(1, 1, 4, 4), Pool2dParams.Square(2, 2)).ToArray());
        using var dy = Tensor.FromArray(b, new Shape(1, 1, 4, 4), Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
        Assert.Equal([5f, 7, 13, 15], MaxUnpool2d.Backward(dy, idx, x.Shape).ToArray());
    }

    [Fact]
    public void OverlappingWindowsSumAtASharedSwitch()
    {
        // 3×3 stride 1 on a 4×4 plane: outputs 0 and 1 both chose pixel 6, so unpooling sums them there.
        var b = Backends.Reference;
        using var y = Tensor.FromArray(b, new Shape(1, 1, 2, 2), [1f, 2, 3, 4]);
        using var idx = Tensor.FromInts(b, y.Shape, [6, 6, 12, 15]);
        var up = MaxUnpool2d.Forward(y, idx, new Shape(1, 1, 4, 4), Pool2dParams.Square(3, 1)).ToArray();
        Assert.Equal([0f, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 0, 4], up);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(61)]
    public void BackwardIsTheAdjointOfTheScatter(int seed)
    {
        // ⟨unpool(x), z⟩ = ⟨x, unpool_backward(z)⟩ for unique indices, in float64 on the reference loops.
        var xs = new Shape(2, 3, 4, 5);
        var outShape = new Shape(2, 3, 7, 6);
        var idx = MaxUnpool2dTests.UniqueIndices(seed, xs, outShape);
        var x = FiniteDiff.Uniform(seed + 1, (int)xs.Count);
        var z = FiniteDiff.Uniform(seed + 2, (int)outShape.Count);
        var y = new double[outShape.Count];
        Pool2dRef.UnpoolScatter<double>(x, idx, y, xs, outShape);
        var dx = new double[xs.Count];
        Pool2dRef.UnpoolBackward<double>(z, idx, dx, xs, outShape);
        Assert.Equal(FiniteDiff.Dot(y, z), FiniteDiff.Dot(x, dx), 12);
    }
}
