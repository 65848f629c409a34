using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Core;

public class ShapeTests
{
    [Fact]
    public void CountsAndAccessors()
    {
        var s = Shape.Nchw(2, 3, 7, 9);
        Assert.Equal(2 * 3 * 7 * 9, s.Count);
        Assert.Equal((2, 3, 7, 9), (s.N, s.C, s.H, s.W));
        Assert.Equal(9, s[-1]);
        Assert.Equal("(2, 3, 7, 9)", s.ToString());
        Assert.Equal(s, new Shape(2, 3, 7, 9));
        Assert.NotEqual(s, new Shape(2, 3, 9, 7));
    }

    [Fact]
    public void NegativeOrOverflowingShapesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
        Assert.Throws<OverflowException>(() => new Shape(int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.Throws<InvalidOperationException>(() => new Shape(3, 4).H);
    }
}

public class ReferenceBackendTests
{
    private static readonly IBackend B = Backends.Reference;

    [Fact]
    public void TensorRoundTripAndReshape()
    {
        var data = Rand.Uniform(1, 24);
        using var t = Tensor.FromArray(B, new Shape(2, 3, 4), data);
        Assert.Equal(data, t.ToArray());
        using var r = t.CopyAs(new Shape(6, 4));
        Assert.Equal(data, r.ToArray());
        Assert.Throws<RawConvException>(() => t.CopyAs(new Shape(5, 5)));
        Assert.Throws<RawConvException>(() => t.ToIntArray());
    }

    [Fact]
    public void WrongLengthAndAbsurdSizesAreRejected()
    {
        var e = Assert.Throws<RawConvException>(() => Tensor.FromArray(B, new Shape(2, 3), new float[5]));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Throws<RawConvException>(() => B.Allocate(DType.Float32, long.MaxValue / 8));
        Assert.Throws<RawConvException>(() => B.Allocate(DType.Float32, -1));
    }

    [Fact]
    public void IntTensorsRoundTrip()
    {
        int[] ids = [3, -1, 7, int.MaxValue];
        using var t = Tensor.FromInts(B, new Shape(4), ids);
        Assert.Equal(ids, t.ToIntArray());
        Assert.Equal(DType.Int32, t.DType);
    }

    [Fact]
    public void TensorsMoveBetweenBackends()
    {
        var data = Rand.Uniform(2, 10);
        using var t = Tensor.FromArray(B, new Shape(10), data);
        using var u = t.To(new ReferenceBackend());
        Assert.Equal(data, u.ToArray());
    }
}
