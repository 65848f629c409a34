using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>Shared transposed-convolution cases: x shape, w shape (C_in, C_out/g, R, S), parameters.</summary>
public static class ConvTCases
{
    public static readonly (int[] X, int[] W, ConvTranspose2dParams P)[] All =
    [
        ([2, 3, 4, 5], [3, 2, 3, 3], new ConvTranspose2dParams()),
        ([2, 3, 4, 5], [3, 4, 2, 3], new ConvTranspose2dParams(2, 2, 1, 1, 1, 0)),
        ([1, 4, 5, 3], [4, 3, 3, 3], new ConvTranspose2dParams(3, 2, 1, 0, 2, 1, Groups: 2)),
        ([2, 4, 3, 4], [4, 1, 3, 2], new ConvTranspose2dParams(2, 1, 0, 1, 1, 0, 2, 2, 4)),
    ];

    public static TheoryData<int> Indices()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < All.Length; i++) d.Add(i);
        return d;
    }
}

public abstract class ConvTranspose2dTests : BackendTest
{
    private (float[] Got, float[] Want) Both(Func<IBackend, Tensor> f)
    {
        using var got = f(B);
        using var want = f(Ref);
        return (got.ToArray(), want.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(ConvTCases.Indices), MemberType = typeof(ConvTCases))]
    public void AllPassesMatchReference(int i)
    {
        var (xd, wd, p) = ConvTCases.All[i];
        var xs = new Shape(xd);
        var ws = new Shape(wd);
        var ys = ConvTranspose2d.OutputShape(xs, ws, p);
        var x = Rand.Uniform(10 + i, xs.Count);
        var w = Rand.Uniform(20 + i, ws.Count);
        var bias = Rand.Uniform(30 + i, ys[1]);
        var dy = Rand.Uniform(40 + i, ys.Count);
        var T = Conv2dTests.T;
        var (y, yr) = Both(b => ConvTranspose2d.Forward(T(b, xs, x), T(b, ws, w), T(b, new Shape(ys[1]), bias), p));
        Check.Close(y, yr, Check.ForwardAtol, Check.ForwardRtol, $"conv_transpose2d forward case {i}");
        var (dx, dxr) = Both(b => ConvTranspose2d.BackwardData(T(b, ys, dy), T(b, ws, w), xs, p));
        Check.Close(dx, dxr, Check.BackwardAtol, Check.BackwardRtol, $"conv_transpose2d backward data case {i}");
        var (dw, dwr) = Both(b => ConvTranspose2d.BackwardFilter(T(b, xs, x), T(b, ys, dy), ws, p));
        Check.Close(dw, dwr, Check.BackwardAtol, Check.BackwardRtol, $"conv_transpose2d backward filter case {i}");
        var (db, dbr) = Both(b => ConvTranspose2d.BackwardBias(T(b, ys, dy)));
        Check.Close(db, dbr, Check.BackwardAtol, Check.BackwardRtol, $"conv_transpose2d backward bias case {i}");
    }

    [SkippableFact]
    public void HandComputedStrideTwoUpsampling()
    {
        using var x = Conv2dTests.T(B, new Shape(1, 1, 2, 2), [1, 2, 3, 4]);
        using var w = Conv2dTests.T(B, new Shape(1, 1, 2, 2), [1, 1, 1, 1]);
        using var y = ConvTranspose2d.Forward(x, w, null, new ConvTranspose2dParams(2, 2));
        Assert.Equal(new Shape(1, 1, 4, 4), y.Shape);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], y.ToArray());
        using var y1 = ConvTranspose2d.Forward(x, w, null, new ConvTranspose2dParams());
        Assert.Equal([1f, 3, 2, 4, 10, 6, 3, 7, 4], y1.ToArray());
    }

    [SkippableFact]
    public void BadInputNamesOpAndShapes()
    {
        using var x = Tensor.Zeros(B, new Shape(1, 3, 4, 4));
        using var w = Tensor.Zeros(B, new Shape(2, 2, 3, 3));
        var e = Assert.Throws<RawConvException>(() => ConvTranspose2d.Forward(x, w, null, new ConvTranspose2dParams()));
        Assert.Contains("conv_transpose2d.forward", e.Message);
        Assert.Contains("(1, 3, 4, 4)", e.Message);
        Assert.Contains("(2, 2, 3, 3)", e.Message);
        using var w3 = Tensor.Zeros(B, new Shape(3, 2, 3, 3));
        e = Assert.Throws<RawConvException>(() => ConvTranspose2d.Forward(x, w3, null, new ConvTranspose2dParams(OutputPadH: 1)));
        Assert.Contains("output padding", e.Message);
        using var bias = Tensor.Zeros(B, new Shape(3));
        e = Assert.Throws<RawConvException>(() => ConvTranspose2d.Forward(x, w3, bias, new ConvTranspose2dParams()));
        Assert.Contains("bias (3)", e.Message);
    }
}

public sealed class ConvTranspose2dOpenClTests : ConvTranspose2dTests { protected override string BackendName => "opencl"; }
public sealed class ConvTranspose2dCudaTests : ConvTranspose2dTests { protected override string BackendName => "cuda"; }

public class ConvTranspose2dReferenceTests
{
    [Fact]
    public void OutputShapeFollowsTheFormula()
    {
        // (H − 1)·s − 2p + d·(R − 1) + op + 1 = 3·2 − 2 + 2·2 + 1 + 1 = 10; W: 4·1 − 0 + 1·2 + 0 + 1 = 7
        Assert.Equal(new Shape(2, 6, 10, 7), ConvTranspose2d.OutputShape(new Shape(2, 4, 4, 5), new Shape(4, 3, 3, 3),
            new ConvTranspose2dParams(2, 1, 1, 0, 1, 0, 2, 1, 2)));
    }

    [Theory]
    [MemberData(nameof(ConvTCases.Indices), MemberType = typeof(ConvTCases))]
    public void BackwardMatchesFiniteDifferences(int i)
    {
        // Transposed conv forward is Conv2dRef.BackwardData with x in the role of dy; check its gradients.
        var (xd, wd, tp) = ConvTCases.All[i];
        var xs = new Shape(1, xd[1], xd[2], xd[3]);
        var ws = new Shape(wd);
        var ys = ConvTranspose2d.OutputShape(xs, ws, tp);
        var p = tp.Conv;
        var x = FiniteDiff.Uniform(60 + i, (int)xs.Count);
        var w = FiniteDiff.Uniform(70 + i, (int)ws.Count);
        var seed = FiniteDiff.Uniform(90 + i, (int)ys.Count);
        double[] Fwd(double[] xv, double[] wv)
        {
            var y = new double[ys.Count];
            Conv2dRef.BackwardData<double>(xv, wv, y, ys, ws, p);
            return y;
        }
        var dx = new double[xs.Count];
        Conv2dRef.Forward<double>(seed, w, [], dx, ys, ws, p);
        FiniteDiff.AssertMatches(dx, v => Fwd(v, w), x, seed, $"conv_transpose2d dx case {i}");
        var dw = new double[ws.Count];
        Conv2dRef.BackwardFilter<double>(seed, x, dw, ys, ws, p);
        FiniteDiff.AssertMatches(dw, v => Fwd(x, v), w, seed, $"conv_transpose2d dw case {i}");
    }
}
