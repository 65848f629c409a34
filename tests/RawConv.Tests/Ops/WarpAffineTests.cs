using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>Affine sampling through the warp op: the flow kernel, the forward, and the map-bounded adjoint gather.</summary>
public abstract class WarpAffineTests : BackendTest
{
    /// <summary>Maps (as θ degrees, scale, shift and output size) that stress the bounded gather: zooms in and out, turns, resizes.</summary>
    public static TheoryData<string, int, int, WarpPadding> Maps()
    {
        var d = new TheoryData<string, int, int, WarpPadding>();
        foreach (var p in new[] { WarpPadding.Zeros, WarpPadding.Border })
        {
            d.Add("shift 4.25 -3.5", 7, 9, p);
            d.Add("zoom 0.45", 7, 9, p);
            d.Add("zoom 3.1", 7, 9, p);
            d.Add("turn 33", 7, 9, p);
            d.Add("turn 180", 7, 9, p);
            d.Add("turn 90 zoom 1.7 shift 1 0.5", 7, 9, p);
            d.Add("resize", 17, 4, p);
            d.Add("resize", 3, 25, p);
        }
        return d;
    }

    /// <summary>The sampling map of output (h, w) into an input (hx, wx) for a named case.</summary>
    public static AffineMap Map(string name, int hx, int wx, int h, int w)
    {
        var words = name.Split(' ');
        double deg = 0, s = 1, dx = 0, dy = 0;
        for (int i = 0; i < words.Length; i++)
            switch (words[i])
            {
                case "turn": deg = double.Parse(words[++i]); break;
                case "zoom": s = double.Parse(words[++i]); break;
                case "shift": dx = double.Parse(words[++i]); dy = double.Parse(words[++i]); break;
            }
        double t = deg * Math.PI / 180, cos = Math.Cos(t) / s, sin = Math.Sin(t) / s;
        double cx = (wx - 1) / 2.0, cy = (hx - 1) / 2.0;
        // Inverse of q = c + s·R(θ)(p − c) + d, R counter-clockwise on screen, then the resize.
        var inverse = new AffineMap(cos, -sin, cx - cos * (cx + dx) + sin * (cy + dy), sin, cos, cy - sin * (cx + dx) - cos * (cy + dy));
        return AffineMap.Resize(hx, wx, h, w).Then(inverse);
    }

    [SkippableTheory]
    [MemberData(nameof(Maps))]
    public void ForwardAndBoundedAdjointMatchReferenceAndTheRadiusGather(string name, int h, int w, WarpPadding padding)
    {
        var xs = new Shape(2, 3, 7, 9);
        var maps = new[] { Map(name, 7, 9, h, w), Map(name + " shift 0.3 -0.7", 7, 9, h, w) };
        var xv = Rand.Uniform(81, xs.Count);
        var ys = new Shape(2, 3, h, w);
        var dyv = Rand.Uniform(82, ys.Count);
        using var x = Tensor.FromArray(B, xs, xv);
        using var dy = Tensor.FromArray(B, ys, dyv);
        using var xr = Tensor.FromArray(Ref, xs, xv);
        using var dyr = Tensor.FromArray(Ref, ys, dyv);
        string what = $"{name} {h}×{w} {padding}";

        using var flow = Warp.AffineFlow(B, maps, 2, h, w);
        using var flowr = Warp.AffineFlow(Ref, maps, 2, h, w);
        Assert.Equal(flowr.ToArray(), flow.ToArray());

        using var y = Warp.ForwardAffine(x, maps, h, w, padding);
        using var yr = Warp.ForwardAffine(xr, maps, h, w, padding);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, what + " forward");

        using var dx = Warp.AdjointAffine(dy, maps, xs, padding);
        using var dxr = Warp.AdjointAffine(dyr, maps, xs, padding);
        using var dxGather = Warp.Adjoint(dy, flow, xs, padding);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, what + " adjoint vs reference scatter");
        // Same candidates in the same order as the radius gather, so the same sums.
        Assert.Equal(dxGather.ToArray(), dx.ToArray());

        double lhs = FiniteDiff.Dot(Array.ConvertAll(y.ToArray(), v => (double)v), Array.ConvertAll(dyv, v => (double)v));
        double rhs = FiniteDiff.Dot(Array.ConvertAll(xv, v => (double)v), Array.ConvertAll(dx.ToArray(), v => (double)v));
        Assert.True(Math.Abs(lhs - rhs) <= 1e-5 * (1 + Math.Abs(lhs)), $"{what}: ⟨F x, y⟩ = {lhs} but ⟨x, Fᵀ y⟩ = {rhs}");
    }

    [SkippableFact]
    public void RandomMapsAndSizesMatchTheRadiusGatherExactly()
    {
        // Zooms from 1/20 to 20, any angle, shifts past the edges, planes down to one pixel: the bounded scan must
        // find every sample that taps a pixel, so its sums equal the radius gather's bit for bit.
        var r = new Random(85);
        for (int trial = 0; trial < 40; trial++)
        {
            int hx = r.Next(1, 8), wx = r.Next(1, 8), h = r.Next(1, 12), w = r.Next(1, 12);
            var padding = trial % 2 == 0 ? WarpPadding.Zeros : WarpPadding.Border;
            var maps = Enumerable.Range(0, 2).Select(_ =>
            {
                double s = Math.Exp(r.NextDouble() * 6 - 3), t = r.NextDouble() * 2 * Math.PI;
                double a = Math.Cos(t) / s, b = Math.Sin(t) / s;
                return new AffineMap(a, -b, r.NextDouble() * 20 - 10, b, a, r.NextDouble() * 20 - 10);
            }).ToArray();
            var xs = new Shape(2, 2, hx, wx);
            using var dy = Rand.Tensor(B, 86 + trial, 2, 2, h, w);
            using var flow = Warp.AffineFlow(B, maps, 2, h, w);
            using var dx = Warp.AdjointAffine(dy, maps, xs, padding);
            using var gather = Warp.Adjoint(dy, flow, xs, padding);
            Assert.True(gather.ToArray().SequenceEqual(dx.ToArray()), $"trial {trial}: {hx}×{wx} ← {h}×{w} {padding} {maps[0]} {maps[1]}");
        }
    }

    [SkippableFact]
    public void OneMapServesTheWholeBatch()
    {
        var xs = new Shape(2, 3, 7, 9);
        var map = Map("turn 20 zoom 1.3", 7, 9, 7, 9);
        using var x = Rand.Tensor(B, 83, 2, 3, 7, 9);
        using var one = Warp.ForwardAffine(x, [map], 7, 9, WarpPadding.Border);
        using var each = Warp.ForwardAffine(x, [map, map], 7, 9, WarpPadding.Border);
        Assert.Equal(each.ToArray(), one.ToArray());
        using var dOne = Warp.AdjointAffine(one, [map], xs, WarpPadding.Border);
        using var dEach = Warp.AdjointAffine(one, [map, map], xs, WarpPadding.Border);
        Assert.Equal(dEach.ToArray(), dOne.ToArray());
    }

    [SkippableFact]
    public void AlexNetSizedTurnMatchesReference()
    {
        var xs = new Shape(1, 3, 227, 227);
        var map = Map("turn 10 zoom 1.1 shift 8 -5", 227, 227, 227, 227);
        var xv = Rand.Uniform(84, xs.Count);
        using var x = Tensor.FromArray(B, xs, xv);
        using var xr = Tensor.FromArray(Ref, xs, xv);
        using var y = Warp.ForwardAffine(x, [map], 227, 227, WarpPadding.Zeros);
        using var yr = Warp.ForwardAffine(xr, [map], 227, 227, WarpPadding.Zeros);
        Check.Close(y.ToArray(), yr.ToArray(), Check.ForwardAtol, Check.ForwardRtol, "227 forward");
        using var dx = Warp.AdjointAffine(y, [map], xs, WarpPadding.Zeros);
        using var dxr = Warp.AdjointAffine(yr, [map], xs, WarpPadding.Zeros);
        Check.Close(dx.ToArray(), dxr.ToArray(), Check.BackwardAtol, Check.BackwardRtol, "227 adjoint");
    }

    [SkippableFact]
    public void BadMapsAreRefusedNamingTheOp()
    {
        using var x = Tensor.Zeros(B, new Shape(2, 1, 4, 5));
        var e = Assert.Throws<RawConvException>(() => Warp.ForwardAffine(x, [AffineMap.Identity, AffineMap.Identity, AffineMap.Identity], 4, 5));
        Assert.Contains("warp.affine_flow: 3 affine maps for a batch of 2", e.Message);
        e = Assert.Throws<RawConvException>(() => Warp.AdjointAffine(x, [new AffineMap(1, 0, 0, 2, 0, 0)], x.Shape));
        Assert.Contains("must be finite and invertible", e.Message);
        e = Assert.Throws<RawConvException>(() => Warp.AdjointAffine(x, [AffineMap.Identity], new Shape(2, 3, 4, 5)));
        Assert.Contains("warp.adjoint_affine", e.Message);
    }
}

public sealed class WarpAffineOpenClTests : WarpAffineTests { protected override string BackendName => "opencl"; }
public sealed class WarpAffineCudaTests : WarpAffineTests { protected override string BackendName => "cuda"; }

public class AffineMapTests
{
    [Fact]
    public void ResizeAlignsPixelAreasAndComposesLeftToRight()
    {
        // 4 → 8: output pixel 0 reads −0.25, pixel 7 reads 3.25 (PyTorch align_corners=False).
        var r = AffineMap.Resize(4, 4, 8, 8);
        Assert.Equal(-0.25, r.Ax * 0 + r.Cx, 12);
        Assert.Equal(3.25, r.Ax * 7 + r.Cx, 12);
        Assert.Equal(AffineMap.Resize(5, 6, 5, 6), AffineMap.Identity);
        // q ↦ shift(scale(q)): scale by 2, then add (1, −3).
        var m = new AffineMap(2, 0, 0, 0, 2, 0).Then(new AffineMap(1, 0, 1, 0, 1, -3));
        Assert.Equal(new AffineMap(2, 0, 1, 0, 2, -3), m);
    }

    [Fact]
    public void ReferenceFlowOfAShiftIsExactAndOfATurnIsItsDisplacement()
    {
        // θ = (a − 1, b, k, d, e − 1, k'): a shift (1.5, −2) is a constant flow; a half turn about the centre of a
        // 3×5 output sends (w, h) to (4 − w, 2 − h), so flow = (4 − 2w, 2 − 2h).
        var flow = new float[2 * 3 * 5];
        WarpRef.AffineFlow([0, 0, 1.5f, 0, 0, -2f], flow, 1, 0, 3, 5);
        Assert.All(flow.AsSpan(0, 15).ToArray(), v => Assert.Equal(1.5f, v));
        Assert.All(flow.AsSpan(15, 15).ToArray(), v => Assert.Equal(-2f, v));
        WarpRef.AffineFlow([-2, 0, 0, 0, -2, 0], flow, 1, 0, 3, 5);
        for (int h = 0; h < 3; h++)
            for (int w = 0; w < 5; w++)
            {
                Assert.Equal(4 - 2 * w, flow[h * 5 + w]);
                Assert.Equal(2 - 2 * h, flow[15 + h * 5 + w]);
            }
    }
}
