using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>
/// The input transforms on each backend (the reference backend included) against the host oracle, scipy.ndimage,
/// exact index arithmetic, their adjoint identity and central differences.
/// </summary>
public abstract class DeviceTransformsTests
{
    private static readonly ScriptRefs Refs = new("dump_transforms.py", "rawconv-transforms", "cases.json", "numpy, scipy.ndimage, PIL", d => [d]);

    /// <summary>"reference", "opencl" or "cuda".</summary>
    protected abstract string BackendName { get; }
    private IBackend B => Backends.Get(BackendName);

    /// <summary>One of each kind, and a composition, at amounts that move pixels by fractions.</summary>
    public static TheoryData<string, FillMode> Kinds()
    {
        var d = new TheoryData<string, FillMode>();
        foreach (var f in new[] { FillMode.Zero, FillMode.Border })
            foreach (var k in new[] { "translate", "scale", "scale-down", "rotate", "composed" })
                d.Add(k, f);
        return d;
    }

    private static InputTransform Kind(string kind, int image) => kind switch
    {
        "translate" => InputTransform.Translate(2.5 - image, -1.25 + 3 * image),
        "scale" => InputTransform.Zoom(1.3 + 0.4 * image),
        "scale-down" => InputTransform.Zoom(0.6 - 0.15 * image),
        "rotate" => InputTransform.Rotate(33.3 - 80 * image),
        _ => InputTransform.Rotate(20 + image).Then(InputTransform.Zoom(1.1)).Then(InputTransform.Translate(1.5, -2 * image)),
    };

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void ApplyMatchesTheHostOracleOnABatchOfTwo(string kind, FillMode fill)
    {
        int c = 3, h = 7, w = 9, per = c * h * w;
        var xv = Rand.Uniform(91, 2 * per);
        var t = new[] { Kind(kind, 0), Kind(kind, 1) };
        using var x = Tensor.FromArray(B, Shape.Nchw(2, c, h, w), xv);
        using var y = Transforms.Apply(x, t, fill);
        using var first = Transforms.Apply(x, t[0], fill);
        var got = y.ToArray();
        for (int n = 0; n < 2; n++)
        {
            var want = TransformsRef.Apply(xv.AsSpan(n * per, per), c, h, w, t[n], fill);
            Check.Close(got.AsSpan(n * per, per), want, Check.ForwardAtol, Check.ForwardRtol, $"{kind} {t[n]} {fill} image {n}");
            Check.Close(first.ToArray().AsSpan(n * per, per), TransformsRef.Apply(xv.AsSpan(n * per, per), c, h, w, t[0], fill),
                Check.ForwardAtol, Check.ForwardRtol, $"{kind} {t[0]} {fill} for all, image {n}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void BackwardIsTheAdjointOfApply(string kind, FillMode fill)
    {
        foreach (var (h, w) in new[] { (7, 9), (0, 0), (11, 5) })
        {
            var xs = Shape.Nchw(2, 3, 7, 9);
            var t = new[] { Kind(kind, 0), Kind(kind, 1) };
            using var x = Rand.Tensor(B, 92, 2, 3, 7, 9);
            using var y = Transforms.Apply(x, t, fill, h, w);
            using var dy = Rand.Tensor(B, 93, y.Shape.Dims);
            using var dx = Transforms.Backward(dy, t, fill, xs);
            Assert.Equal(xs, dx.Shape);
            double lhs = Dot(y, dy), rhs = Dot(x, dx);
            Assert.True(Math.Abs(lhs - rhs) <= 1e-5 * (1 + Math.Abs(lhs)), $"{kind} {fill} → {y.Shape}: ⟨T x, y⟩ = {lhs} but ⟨x, Tᵀ y⟩ = {rhs}");
        }
    }

    [SkippableTheory]
    [InlineData("rotate", FillMode.Zero)]
    [InlineData("composed", FillMode.Border)]
    [InlineData("scale-down", FillMode.Border)]
    public void GradientOfAScalarLossMatchesCentralDifferences(string kind, FillMode fill)
    {
        // L(x) = Σ seed · T(x)², so dL/dx = Tᵀ(2 · seed · T(x)); the numeric side samples in double by the same map.
        int c = 3, h = 7, w = 9, oh = 6, ow = 11;
        var xs = Shape.Nchw(2, c, h, w);
        var t = new[] { Kind(kind, 0), Kind(kind, 1) };
        var x = FiniteDiff.Uniform(94, (int)xs.Count);
        var seed = FiniteDiff.Uniform(95, 2 * c * oh * ow);
        var maps = t.Select(ti => ti.Map(h, w, oh, ow)).ToArray();
        double[] Forward(double[] v)
        {
            var y = new double[seed.Length];
            WarpRef.Forward<double>(v, Flow(maps, oh, ow), y, 2, c, h, w, oh, ow, fill == FillMode.Border);
            return y.Select(e => e * e).ToArray();
        }
        using var xt = Tensor.FromArray(B, xs, Array.ConvertAll(x, v => (float)v));
        using var y = Transforms.Apply(xt, t, fill, oh, ow);
        var dyv = y.ToArray().Select((e, i) => (float)(2 * seed[i] * e)).ToArray();
        using var dy = Tensor.FromArray(B, y.Shape, dyv);
        using var dx = Transforms.Backward(dy, t, fill, xs);
        // The analytic side runs in fp32: the backward tolerances of STYLE.md.
        FiniteDiff.AssertMatches(Array.ConvertAll(dx.ToArray(), v => (double)v), Forward, x, seed, $"{kind} {fill}",
            Check.BackwardAtol, Check.BackwardRtol);
    }

    /// <summary>The flow of affine maps in double, from the map alone (not from the kernels' coefficients).</summary>
    private static double[] Flow(AffineMap[] maps, int h, int w)
    {
        var f = new double[maps.Length * 2 * h * w];
        for (int n = 0; n < maps.Length; n++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    var m = maps[n];
                    f[(n * 2 * h + i) * w + j] = m.Ax * j + m.Bx * i + m.Cx - j;
                    f[((n * 2 + 1) * h + i) * w + j] = m.Ay * j + m.By * i + m.Cy - i;
                }
        return f;
    }

    [SkippableFact]
    public void IntegerShiftQuarterTurnAndIdentityAreExact()
    {
        int c = 3, h = 7, w = 9, n = 7;
        var xv = Rand.Uniform(96, c * h * w);
        using var x = Tensor.FromArray(B, Shape.Nchw(1, c, h, w), xv);
        foreach (var fill in new[] { FillMode.Zero, FillMode.Border })
        {
            using var y = Transforms.Apply(x, InputTransform.Translate(2, -3), fill);
            Assert.Equal(TransformsRef.Apply(xv, c, h, w, InputTransform.Translate(2, -3), fill), y.ToArray());
            using var same = Transforms.Apply(x, InputTransform.Identity, fill);
            Assert.Equal(xv, same.ToArray());
        }
        var sq = Rand.Uniform(97, 2 * n * n);
        using var s = Tensor.FromArray(B, Shape.Nchw(1, 2, n, n), sq);
        using var r = Transforms.Apply(s, InputTransform.Rotate(90));
        var rv = r.ToArray();
        for (int ch = 0; ch < 2; ch++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    Assert.Equal(sq[(ch * n + j) * n + n - 1 - i], rv[(ch * n + i) * n + j]); // np.rot90: out[i, j] = in[j, n-1-i]
        using var full = Transforms.Apply(s, InputTransform.Rotate(360));
        Assert.Equal(sq, full.ToArray());
        // Integer shifts have a plain adjoint too: the opposite shift with zeros coming in.
        using var back = Transforms.Backward(x, InputTransform.Translate(2, -3));
        Assert.Equal(TransformsRef.Apply(xv, c, h, w, InputTransform.Translate(-2, 3)), back.ToArray());
    }

    [SkippableFact]
    public void MatchScipyAffineTransformAndResize()
    {
        var dir = Refs.Dir;
        foreach (var (json, sized) in new[] { ("cases.json", false), ("resize.json", true) })
        {
            var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, json))).RootElement.EnumerateArray().ToList();
            Assert.True(cases.Count >= (sized ? 12 : 24), $"{cases.Count} cases in {json}");
            foreach (var c in cases)
            {
                var (shape, data, _) = Npy.Read(Path.Combine(dir, c.GetProperty("image").GetString()!));
                var t = new InputTransform(c.GetProperty("dx").GetDouble(), c.GetProperty("dy").GetDouble(), c.GetProperty("scale").GetDouble(), c.GetProperty("degrees").GetDouble());
                var fill = c.GetProperty("fill").GetString() == "zero" ? FillMode.Zero : FillMode.Border;
                int h = sized ? c.GetProperty("height").GetInt32() : 0, w = sized ? c.GetProperty("width").GetInt32() : 0;
                using var x = Tensor.FromArray(B, Shape.Nchw(1, shape[0], shape[1], shape[2]), (float[])data);
                using var y = Transforms.Apply(x, [t], fill, h, w);
                var want = (float[])Npy.Read(Path.Combine(dir, c.GetProperty("file").GetString()!)).Data;
                Check.Close(y.ToArray(), want, 1e-4, 0, $"{c.GetProperty("image")} {t} {fill} → {y.Shape}");
            }
        }
    }

    [SkippableFact]
    public void EnlargingResizeEqualsTheHostAntialiasedResize()
    {
        // When enlarging, Pillow's and PyTorch's antialiased triangle filter reduces to this bilinear with replicated edges.
        var xv = Rand.Uniform(98, 2 * 3 * 7 * 9);
        using var x = Tensor.FromArray(B, Shape.Nchw(2, 3, 7, 9), xv);
        using var y = Transforms.Resize(x, 16, 23);
        Check.Close(y.ToArray(), RawConv.Imaging.Resize.Bilinear(xv, 6, 7, 9, 16, 23), Check.ForwardAtol, Check.ForwardRtol, "resize 7×9 → 16×23");
        using var dx = Transforms.ResizeBackward(y, x.Shape);
        Assert.Equal(x.Shape, dx.Shape);
        // Each input pixel's weights sum to the area ratio, edge pixels too (they collect the replicated samples).
        using var ones = Tensor.FromArray(B, Shape.Nchw(1, 1, 8, 8), Enumerable.Repeat(1f, 64).ToArray());
        using var up = Transforms.Resize(ones, 32, 32);
        using var back = Transforms.ResizeBackward(up, ones.Shape);
        Assert.All(back.ToArray(), v => Assert.Equal(16f, v, 4));
    }

    [SkippableFact]
    public void BadArgumentsAreRefusedWithTheReason()
    {
        using var x = Tensor.Zeros(B, Shape.Nchw(2, 1, 4, 5));
        Assert.Contains("3 transforms for 2 images", Assert.Throws<RawConvException>(() =>
            Transforms.Apply(x, [InputTransform.Identity, InputTransform.Identity, InputTransform.Identity])).Message);
        Assert.Contains("positive finite scale", Assert.Throws<RawConvException>(() => Transforms.Apply(x, InputTransform.Zoom(0))).Message);
        Assert.Contains("does not match output gradient", Assert.Throws<RawConvException>(() =>
            Transforms.Backward(x, InputTransform.Identity, FillMode.Zero, Shape.Nchw(2, 3, 4, 5))).Message);
        using var flat = Tensor.Zeros(B, new Shape(2, 20));
        Assert.Contains("is not (N, C, H, W)", Assert.Throws<RawConvException>(() => Transforms.Apply(flat, InputTransform.Identity)).Message);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray();
        var y = b.ToArray();
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }
}

public sealed class DeviceTransformsReferenceTests : DeviceTransformsTests { protected override string BackendName => "reference"; }
public sealed class DeviceTransformsOpenClTests : DeviceTransformsTests { protected override string BackendName => "opencl"; }
public sealed class DeviceTransformsCudaTests : DeviceTransformsTests { protected override string BackendName => "cuda"; }

public class InputTransformTests
{
    [Fact]
    public void ThenComposesTheSamplingMapsAndMapResizesAfterTheTransform()
    {
        var a = new InputTransform(1.5, -2, 1.2, 25);
        var b = new InputTransform(-3, 0.5, 0.8, -70);
        // Output of b reads b's input (a's output), which reads a's input: map(a then b) = map(b) then map(a).
        AssertClose(b.Map(7, 9, 7, 9).Then(a.Map(7, 9, 7, 9)), a.Then(b).Map(7, 9, 7, 9));
        Assert.Equal(InputTransform.Rotate(90), InputTransform.Rotate(30).Then(InputTransform.Rotate(60)));
        Assert.Equal(new InputTransform(0, 0, 2, 0), InputTransform.Zoom(2).Then(InputTransform.Identity));
        // Shift then quarter turn: the shift (1, 0) turns counter-clockwise on screen to (0, −1).
        Assert.Equal(new InputTransform(0, -1, 1, 90), InputTransform.Translate(1, 0).Then(InputTransform.Rotate(90)));
        // With another output size the map resizes after transforming: the identity is a plain resize.
        Assert.Equal(AffineMap.Resize(7, 9, 14, 3), InputTransform.Identity.Map(7, 9, 14, 3));
        AssertClose(AffineMap.Resize(7, 9, 14, 3).Then(a.Map(7, 9, 7, 9)), a.Map(7, 9, 14, 3));
    }

    private static void AssertClose(AffineMap want, AffineMap got)
    {
        double[] w = [want.Ax, want.Bx, want.Cx, want.Ay, want.By, want.Cy], g = [got.Ax, got.Bx, got.Cx, got.Ay, got.By, got.Cy];
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(w[i] - g[i]) <= 1e-12, $"coefficient {i}: {g[i]} vs {w[i]} ({got} vs {want})");
    }
}
