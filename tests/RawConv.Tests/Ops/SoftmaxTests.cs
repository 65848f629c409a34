using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class SoftmaxTests : BackendTest
{
    public static TheoryData<int[], int, bool> Cases => new()
    {
        { [3, 7], 1, false }, { [3, 7], -1, true }, { [2, 5, 7, 9], 1, false }, { [2, 5, 7, 9], 1, true },
        { [2, 5, 7, 9], -1, false }, { [2, 5, 7, 9], 0, true }, { [3, 300], 1, false }, { [2, 257, 3], 1, true },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(int[] dims, int axis, bool log)
    {
        var shape = new Shape(dims);
        var xs = Rand.Uniform(21, shape.Count, -4, 4);
        var dys = Rand.Uniform(22, shape.Count);
        Compare(shape, xs, dys, axis, log, $"{(log ? "log-" : "")}softmax {shape} axis {axis}");
    }

    [SkippableFact]
    public void AlexNetClassifierMatchesReference()
    {
        var shape = new Shape(16, 1000);
        Compare(shape, Rand.Normal(23, shape.Count, 5), Rand.Uniform(24, shape.Count), 1, false, "softmax (16, 1000)");
        Compare(shape, Rand.Normal(25, shape.Count, 5), Rand.Uniform(26, shape.Count), 1, true, "log-softmax (16, 1000)");
    }

    private void Compare(Shape shape, float[] xs, float[] dys, int axis, bool log, string what)
    {
        using var x = Tensor.FromArray(B, shape, xs);
        using var xr = Tensor.FromArray(Ref, shape, xs);
        using var y = log ? Softmax.LogForward(x, axis) : Softmax.Forward(x, axis);
        using var yr = log ? Softmax.LogForward(xr, axis) : Softmax.Forward(xr, axis);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, what + " forward");
        using var dy = Tensor.FromArray(B, shape, dys);
        using var dyr = Tensor.FromArray(Ref, shape, dys);
        using var dx = log ? Softmax.LogBackward(y, dy, axis) : Softmax.Backward(y, dy, axis);
        using var dxr = log ? Softmax.LogBackward(yr, dyr, axis) : Softmax.Backward(yr, dyr, axis);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " backward");
    }

    [SkippableFact]
    public void HugeLogitsStayFinite()
    {
        using var x = Tensor.FromArray(B, new Shape(1, 3), [1000f, 0f, -1000f]);
        using var y = Softmax.Forward(x);
        using var ly = Softmax.LogForward(x);
        Check.Close(y.ToArray(), [1f, 0f, 0f], 1e-6, 0, "softmax of huge logits");
        Check.Close(ly.ToArray(), [0f, -1000f, -2000f], 1e-3, 0, "log-softmax of huge logits");
    }

    [SkippableFact]
    public void BadAxisAndShapesNameOp()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 3));
        var e = Assert.Throws<RawConvException>(() => Softmax.Forward(x, 2));
        Assert.Contains("softmax.forward", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        e = Assert.Throws<RawConvException>(() => Softmax.LogForward(x, -3));
        Assert.Contains("log_softmax.forward", e.Message);
        using var dy = Tensor.Zeros(B, new Shape(3, 2));
        e = Assert.Throws<RawConvException>(() => Softmax.Backward(x, dy));
        Assert.Contains("softmax.backward", e.Message);
        Assert.Contains("(3, 2)", e.Message);
    }
}

public sealed class SoftmaxOpenClTests : SoftmaxTests { protected override string BackendName => "opencl"; }
public sealed class SoftmaxCudaTests : SoftmaxTests { protected override string BackendName => "cuda"; }

public class SoftmaxReferenceTests
{
    [Fact]
    public void HandComputedRows()
    {
        // exp(x) = (1, 2, 3) and (4, 4, 4... ) rows: softmax = (1, 2, 3)/6 and uniform.
        double[] x = [0, Math.Log(2), Math.Log(3), 5, 5, 5];
        var y = new double[6];
        SoftmaxRef.Forward<double>(x, y, 2, 3, 1, false);
        Check.Close(y, [1 / 6.0, 1 / 3.0, 1 / 2.0, 1 / 3.0, 1 / 3.0, 1 / 3.0], 1e-15, 0, "softmax rows");
        SoftmaxRef.Forward<double>(x, y, 2, 3, 1, true);
        Check.Close(y, [-Math.Log(6), Math.Log(2) - Math.Log(6), Math.Log(0.5), -Math.Log(3), -Math.Log(3), -Math.Log(3)], 1e-15, 0, "log-softmax rows");
    }

    [Fact]
    public void AxisZeroOfAColumnLayout()
    {
        // (3, 2) over axis 0: columns (0, ln2, ln3) and (7, 7, 7).
        using var x = Tensor.FromArray(Backends.Reference, new Shape(3, 2), [0f, 7f, MathF.Log(2), 7f, MathF.Log(3), 7f]);
        using var y = Softmax.Forward(x, 0);
        Check.Close(y.ToArray(), [1 / 6f, 1 / 3f, 1 / 3f, 1 / 3f, 1 / 2f, 1 / 3f], 1e-6, 0, "softmax axis 0");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 0)]
    public void BackwardMatchesFiniteDifferences(bool log, int axis)
    {
        int[] dims = [2, 3, 4];
        var (outer, dim, inner) = Softmax.View("test", new Shape(dims), axis);
        var x = FiniteDiff.Uniform(31 + axis, 24, -2, 2);
        var seed = FiniteDiff.Uniform(32 + axis, 24);
        double[] F(double[] v) { var y = new double[v.Length]; SoftmaxRef.Forward<double>(v, y, outer, dim, inner, log); return y; }
        var dx = new double[24];
        SoftmaxRef.Backward<double>(F(x), seed, dx, outer, dim, inner, log);
        FiniteDiff.AssertMatches(dx, F, x, seed, log ? "log-softmax" : "softmax");
    }
}
