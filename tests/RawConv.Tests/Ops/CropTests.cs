using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class CropTests : BackendTest
{
    [SkippableFact]
    public void ForwardAndBackwardMatchReference()
    {
        var xs = new Shape(2, 3, 11, 9);
        var xv = Rand.Uniform(31, xs.Count);
        using var y = Crop.Forward(Tensor.FromArray(B, xs, xv), 2, 1, 7, 6);
        using var yr = Crop.Forward(Tensor.FromArray(Ref, xs, xv), 2, 1, 7, 6);
        Assert.Equal(new Shape(2, 3, 7, 6), y.Shape);
        Check.Close(y.ToArray(), yr.ToArray(), 0, 0, "crop forward");
        var dyv = Rand.Uniform(32, y.Count);
        using var dx = Crop.Backward(Tensor.FromArray(B, y.Shape, dyv), xs, 2, 1);
        using var dxr = Crop.Backward(Tensor.FromArray(Ref, y.Shape, dyv), xs, 2, 1);
        Check.Close(dx.ToArray(), dxr.ToArray(), 0, 0, "crop backward");
    }

    [SkippableFact]
    public void BackwardIsTheAdjoint()
    {
        // ⟨crop(x), y⟩ = ⟨x, cropᵀ(y)⟩
        var xs = new Shape(2, 2, 8, 10);
        var xv = Rand.Uniform(33, xs.Count);
        var yv = Rand.Uniform(34, 2 * 2 * 5 * 7);
        using var cx = Crop.Forward(Tensor.FromArray(B, xs, xv), 3, 2, 5, 7);
        using var ty = Crop.Backward(Tensor.FromArray(B, cx.Shape, yv), xs, 3, 2);
        double a = cx.ToArray().Select((v, i) => (double)v * yv[i]).Sum(), b = ty.ToArray().Select((v, i) => (double)v * xv[i]).Sum();
        Assert.True(Math.Abs(a - b) <= 1e-5 * (1 + Math.Abs(a)), $"⟨crop x, y⟩ = {a}, ⟨x, cropᵀ y⟩ = {b}");
    }

    [SkippableFact]
    public void AWindowOutsideThePlaneNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 2, 5, 5));
        var e = Assert.Throws<RawConvException>(() => Crop.Forward(x, 1, 0, 5, 5));
        Assert.Contains("crop.forward: a 5×5 window at (1, 0) does not fit inside the 5×5 planes of (1, 2, 5, 5)", e.Message);
    }
}

public sealed class CropOpenClTests : CropTests { protected override string BackendName => "opencl"; }
public sealed class CropCudaTests : CropTests { protected override string BackendName => "cuda"; }

public class CropReferenceTests
{
    [Fact]
    public void KeepsTheWindowAndPadsTheGradientWithZeros()
    {
        // one 3×4 plane 0..11, window 2×2 at (1, 1): 5 6 / 9 10
        var x = Enumerable.Range(0, 12).Select(v => (double)v).ToArray();
        var y = new double[4];
        CropRef.Forward<double>(x, y, new Shape(1, 1, 3, 4), 2, 2, 1, 1);
        Assert.Equal([5, 6, 9, 10], y);
        var dx = Enumerable.Repeat(7.0, 12).ToArray();
        CropRef.Backward<double>([1, 2, 3, 4], dx, new Shape(1, 1, 3, 4), 2, 2, 1, 1);
        Assert.Equal([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0], dx);
    }
}
