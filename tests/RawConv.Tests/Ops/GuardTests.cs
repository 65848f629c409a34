using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>Turns on <see cref="Guard.CheckNaN"/>, which every op reads: runs alone so no other test sees it on.</summary>
[Collection(ProcessWideCollection.Name)]
public class GuardCheckNaNTests
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
}

public class GuardTests
{
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
