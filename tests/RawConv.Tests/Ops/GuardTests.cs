using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public class GuardTests
{
    [Fact]
    public void NaNInputRaisesWhenDebugChecksAreOn()
    {
        bool keep = Guard.CheckNaN;
        try
        {
            Guard.CheckNaN = true;
            using var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 2, 2), [1f, float.NaN, 3f, 4f]);
            var e = Assert.Throws<RawConvException>(() => Relu.Forward(x));
            Assert.Contains("relu.forward", e.Message);
            Assert.Contains("flat index 1", e.Message);
        }
        finally { Guard.CheckNaN = keep; }
    }

    [Fact]
    public void MixedBackendsAreRejected()
    {
        using var a = Tensor.Zeros(Backends.Reference, new Shape(2, 2));
        using var b = Tensor.Zeros(new ReferenceBackend(), new Shape(2, 2));
        var e = Assert.Throws<RawConvException>(() => Relu.Backward(a, b));
        Assert.Contains("different backends", e.Message);
    }

    [Fact]
    public void UnknownDeviceIsNamed()
    {
        var e = Assert.Throws<RawConvException>(() => Devices.Open("tpu"));
        Assert.Contains("tpu", e.Message);
    }
}
