using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class NarrowTests : BackendTest
{
    [SkippableFact]
    public void ReadAndWriteMatchReferenceAlongEveryAxis()
    {
        var s = new Shape(2, 5, 3, 4);
        var xv = Rand.Uniform(41, s.Count);
        for (int axis = 0; axis < 4; axis++)
        {
            int start = 1, length = s[axis] - start - (s[axis] > 2 ? 1 : 0);
            using var x = Tensor.FromArray(B, s, xv);
            using var xr = Tensor.FromArray(Ref, s, xv);
            using var y = Narrow.Read(x, axis, start, length);
            using var yr = Narrow.Read(xr, axis, start, length);
            Check.Close(y.ToArray(), yr.ToArray(), 0, 0, $"read axis {axis}");
            var pv = Rand.Uniform(42 + axis, y.Count);
            using var p = Tensor.FromArray(B, y.Shape, pv);
            using var pr = Tensor.FromArray(Ref, y.Shape, pv);
            Narrow.Write(x, p, axis, start);
            Narrow.Write(xr, pr, axis, start);
            Check.Close(x.ToArray(), xr.ToArray(), 0, 0, $"write axis {axis}");
        }
    }

    [SkippableFact]
    public void ASliceOutsideTheTensorNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 4, 2, 2));
        var e = Assert.Throws<RawConvException>(() => Narrow.Read(x, 1, 3, 2));
        Assert.Contains("narrow.read: slice [3, 5) of axis 1 does not fit inside (1, 4, 2, 2)", e.Message);
        using var part = Tensor.Zeros(B, new Shape(1, 2, 2, 3));
        var e2 = Assert.Throws<RawConvException>(() => Narrow.Write(x, part, 1, 0));
        Assert.Contains("narrow.write: part (1, 2, 2, 3) does not fit dst (1, 4, 2, 2) along axis 1", e2.Message);
    }
}

public sealed class NarrowOpenClTests : NarrowTests { protected override string BackendName => "opencl"; }
public sealed class NarrowCudaTests : NarrowTests { protected override string BackendName => "cuda"; }

public class NarrowReferenceTests
{
    [Fact]
    public void ReadsAndWritesChannelsByHand()
    {
        // (2, 3, 1, 2) holding 0..11: channels [1, 3) of item 0 are 2 3 4 5, of item 1 are 8 9 10 11
        var b = Backends.Reference;
        using var x = Tensor.FromArray(b, new Shape(2, 3, 1, 2), Enumerable.Range(0, 12).Select(v => (float)v).ToArray());
        using var y = Narrow.Read(x, 1, 1, 2);
        Assert.Equal(new Shape(2, 2, 1, 2), y.Shape);
        Assert.Equal([2f, 3, 4, 5, 8, 9, 10, 11], y.ToArray());
        using var part = Tensor.FromArray(b, new Shape(2, 1, 1, 2), [-1f, -2, -3, -4]);
        Narrow.Write(x, part, 1, 2);
        Assert.Equal([0f, 1, 2, 3, -1, -2, 6, 7, 8, 9, -3, -4], x.ToArray());
    }
}
