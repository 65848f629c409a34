using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

public abstract class ElementwiseTests : BackendTest
{
    private static readonly Shape Odd = new(3, 7, 9);

    private (Tensor X, Tensor Xr) Pair(int seed)
    {
        var v = Rand.Uniform(seed, Odd.Count, -2, 2);
        return (Tensor.FromArray(B, Odd, v), Tensor.FromArray(Ref, Odd, v));
    }

    [SkippableFact]
    public void AllMatchReference()
    {
        var (a, ar) = Pair(81);
        var (b, br) = Pair(82);
        using (a) using (ar) using (b) using (br)
        {
            void Same(Tensor t, Tensor r, string what) { using (t) using (r) Check.Close(t.ToArray(), r.ToArray(), Check.ForwardAtol, Check.ForwardRtol, what); }
            Same(Elementwise.Add(a, b), Elementwise.Add(ar, br), "add");
            Same(Elementwise.Mul(a, b), Elementwise.Mul(ar, br), "mul");
            Same(Elementwise.Scale(a, -1.5f), Elementwise.Scale(ar, -1.5f), "scale");
            Same(Elementwise.Clamp(a, -0.5f, 1f), Elementwise.Clamp(ar, -0.5f, 1f), "clamp");
            Same(Elementwise.ClampBackward(a, b, -0.5f, 1f), Elementwise.ClampBackward(ar, br, -0.5f, 1f), "clamp backward");
            Elementwise.Axpy(0.25f, a, b);
            Elementwise.Axpy(0.25f, ar, br);
            Check.Close(b.ToArray(), br.ToArray(), Check.ForwardAtol, Check.ForwardRtol, "axpy");
            Elementwise.ScaleInPlace(a, 3f);
            Elementwise.ScaleInPlace(ar, 3f);
            Check.Close(a.ToArray(), ar.ToArray(), Check.ForwardAtol, Check.ForwardRtol, "scale in place");
            Elementwise.Fill(a, 2.5f);
            Assert.All(a.ToArray(), v => Assert.Equal(2.5f, v));
        }
    }

    [SkippableFact]
    public void BadShapesNameOp()
    {
        using var a = Tensor.Zeros(B, new Shape(2, 3));
        using var b = Tensor.Zeros(B, new Shape(3, 2));
        var e = Assert.Throws<RawConvException>(() => Elementwise.Add(a, b));
        Assert.Contains("elementwise.add", e.Message);
        Assert.Contains("(3, 2)", e.Message);
        e = Assert.Throws<RawConvException>(() => Elementwise.Axpy(1, a, b));
        Assert.Contains("elementwise.axpy", e.Message);
        e = Assert.Throws<RawConvException>(() => Elementwise.Clamp(a, 1, 0));
        Assert.Contains("elementwise.clamp", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }
}

public sealed class ElementwiseOpenClTests : ElementwiseTests { protected override string BackendName => "opencl"; }
public sealed class ElementwiseCudaTests : ElementwiseTests { protected override string BackendName => "cuda"; }

public class ElementwiseReferenceTests
{
    [Fact]
    public void HandComputed()
    {
        var r = Backends.Reference;
        using var x = Tensor.FromArray(r, new Shape(4), [-2, 0.5f, 1, 3]);
        using var y = Tensor.FromArray(r, new Shape(4), [1, 1, 1, 1]);
        using var c = Elementwise.Clamp(x, 0, 1);
        Assert.Equal([0f, 0.5f, 1f, 1f], c.ToArray());
        using var dc = Elementwise.ClampBackward(x, y, 0, 1);
        Assert.Equal([0f, 1f, 1f, 0f], dc.ToArray());
        Elementwise.Axpy(2, x, y);
        Assert.Equal([-3f, 2f, 3f, 7f], y.ToArray());
        using var m = Elementwise.Mul(x, y);
        Assert.Equal([6f, 1f, 3f, 21f], m.ToArray());
    }

    [Fact]
    public void ClampBackwardMatchesFiniteDifferences()
    {
        var x = FiniteDiff.Uniform(83, 40, -2, 2);
        var seed = FiniteDiff.Uniform(84, 40);
        var dx = new double[40];
        ElementwiseRef.ClampBackward<double>(x, seed, -1, 1, dx);
        FiniteDiff.AssertMatches(dx, v => { var y = new double[v.Length]; ElementwiseRef.Clamp<double>(v, -1, 1, y); return y; }, x, seed, "clamp");
    }
}
