using System.Text.Json;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>The input transforms against scipy.ndimage and exact index arithmetic.</summary>
public class TransformsTests
{
    private static readonly ScriptRefs Refs = new("dump_transforms.py", "rawconv-transforms", "cases.json", "numpy, scipy.ndimage, PIL", d => [d]);

    [SkippableFact]
    public void MatchScipyAffineTransformOnAPhotoAndACanvas()
    {
        var dir = Refs.Dir;
        var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cases.json"))).RootElement.EnumerateArray().ToList();
        Assert.True(cases.Count >= 24, $"{cases.Count} cases");
        foreach (var c in cases)
        {
            var (shape, data, _) = Npy.Read(Path.Combine(dir, c.GetProperty("image").GetString()!));
            var t = new InputTransform(c.GetProperty("dx").GetDouble(), c.GetProperty("dy").GetDouble(), c.GetProperty("scale").GetDouble(), c.GetProperty("degrees").GetDouble());
            var fill = c.GetProperty("fill").GetString() == "zero" ? FillMode.Zero : FillMode.Border;
            var got = TransformsRef.Apply((float[])data, shape[0], shape[1], shape[2], t, fill);
            var want = (float[])Npy.Read(Path.Combine(dir, c.GetProperty("file").GetString()!)).Data;
            Check.Close(got, want, 1e-4, 0, $"{c.GetProperty("image")} {t} {fill}");
        }
    }

    [Fact]
    public void IntegerTranslationIsAnExactShift()
    {
        int c = 3, h = 7, w = 9;
        var x = Rand.Uniform(5, c * h * w);
        foreach (var fill in new[] { FillMode.Zero, FillMode.Border })
        {
            var got = TransformsRef.Apply(x, c, h, w, InputTransform.Translate(2, -3), fill);
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++)
                    {
                        int sy = y + 3, sx = xx - 2;
                        bool inside = sy < h && sx >= 0;
                        float want = inside ? x[(ch * h + sy) * w + sx]
                            : fill == FillMode.Zero ? 0 : x[(ch * h + Math.Min(sy, h - 1)) * w + Math.Max(sx, 0)];
                        Assert.Equal(want, got[(ch * h + y) * w + xx]);
                    }
        }
    }

    [Fact]
    public void QuarterTurnIsNumpysRot90AndFullTurnAndIdentityChangeNothing()
    {
        int n = 7;
        var x = Rand.Uniform(6, 2 * n * n);
        var r = TransformsRef.Apply(x, 2, n, n, InputTransform.Rotate(90));
        for (int ch = 0; ch < 2; ch++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    Assert.Equal(x[(ch * n + j) * n + n - 1 - i], r[(ch * n + i) * n + j]); // np.rot90: out[i, j] = in[j, n-1-i]
        Assert.Equal(x, TransformsRef.Apply(x, 2, n, n, InputTransform.Rotate(360)));
        Assert.Equal(x, TransformsRef.Apply(x, 2, n, n, InputTransform.Identity, FillMode.Border));
        Assert.Equal(x, TransformsRef.Apply(x, 2, n, n, InputTransform.Zoom(1)));
        Check.Close(TransformsRef.Apply(x, 2, n, n, InputTransform.Rotate(359.99999)), x, 1e-4, 0, "rotate ≈ 360°");
    }

    [Fact]
    public void BadTransformsAreRefused()
    {
        var x = new float[12];
        Assert.Contains("positive finite scale", Assert.Throws<RawConvException>(() => TransformsRef.Apply(x, 1, 3, 4, InputTransform.Zoom(0))).Message);
        Assert.Contains("12 values for (2, 3, 4)", Assert.Throws<RawConvException>(() => TransformsRef.Apply(x, 2, 3, 4, InputTransform.Identity)).Message);
    }
}

/// <summary>Invariance sweeps on a small random mini-AlexNet, against single forwards one copy at a time.</summary>
public class InvarianceTests
{
    private static readonly MiniAlexNetConfig Small = new(Canvas: 32, C1: 8, C2: 16, C3: 16, C4: 16, C5: 16, Fc: 32);

    private static (Net Net, Tensor X) Setup(IBackend b, int images = 3)
    {
        var net = new Net(MiniAlexNet.Spec(Small), b);
        net.InitializeRandom(11);
        // Off-centre blobs on a black canvas, so that every transform changes the picture.
        var x = new float[images * 32 * 32];
        for (int i = 0; i < images; i++)
            for (int y = 0; y < 32; y++)
                for (int xx = 0; xx < 32; xx++)
                    x[(i * 32 + y) * 32 + xx] = MathF.Exp(-(MathF.Pow((xx - 13 - 2 * i) / 5f, 2) + MathF.Pow((y - 17 + i) / 7f, 2)));
        return (net, Tensor.FromArray(b, Shape.Nchw(images, 1, 32, 32), x));
    }

    [Fact]
    public void DefaultLayersAreTheFirstPoolAndFc7()
    {
        Assert.Equal(["pool1", "fc7"], Invariance.DefaultLayers(MiniAlexNet.Spec()));
        Assert.Equal(["pool1", "fc7"], Invariance.DefaultLayers(Zoo.Get("bvlc_alexnet")));
    }

    [SkippableTheory]
    [InlineData("reference")]
    [InlineData("opencl")]
    public void ZeroTransformGivesDistanceZeroAndTheUntransformedProbability(string backend)
    {
        var b = Backends.Get(backend);
        var (net, x) = Setup(b);
        using (net)
        using (x)
        {
            var opts = new InvarianceOptions(TransformKind.Rotate, [30, 0, 360, 90], BatchSize: 5);
            var r = Invariance.Run(net, x, opts);
            using var pass = net.Forward(x);
            var p = pass.Output.ToArray();
            int classes = p.Length / 3;
            for (int i = 0; i < 3; i++)
            {
                var curve = r.Curve(i);
                int top = Array.IndexOf(p, p.AsSpan(i * classes, classes).ToArray().Max(), i * classes) - i * classes;
                Assert.Equal(top, r.Classes[i]);
                foreach (var q in curve.Where(q => q.Amount is 0 or 360))
                {
                    Assert.All(q.Distances, d => Assert.Equal(0.0, d));
                    Assert.Equal(p[i * classes + top], q.Probability, 1e-6);
                    Assert.Equal(top, q.TopClass);
                }
                Assert.All(curve.Where(q => q.Amount is 30 or 90), q => Assert.All(q.Distances, d => Assert.True(d > 0)));
            }
        }
    }

    [Theory]
    [InlineData(TransformKind.Translate, FillMode.Zero)]
    [InlineData(TransformKind.Scale, FillMode.Border)]
    [InlineData(TransformKind.Rotate, FillMode.Zero)]
    public void DistancesAndProbabilitiesEqualANaiveLoopOfSingleForwards(TransformKind kind, FillMode fill)
    {
        var (net, x) = Setup(Backends.Reference, 2);
        using (net)
        using (x)
        {
            double[] amounts = kind switch { TransformKind.Translate => [-5, 2.5, 7], TransformKind.Scale => [0.7, 1.25], _ => [-20, 45] };
            var layers = new[] { "conv1", "pool2", "fc7" };
            var opts = new InvarianceOptions(kind, amounts, layers, Classes: [4, 2], Fill: fill, Axis: TranslateAxis.Y, BatchSize: 3);
            var r = Invariance.Run(net, x, opts);
            Assert.Equal(layers, r.Layers);
            Assert.Equal(2 * amounts.Length, r.Points.Length);
            var all = x.ToArray();
            int per = 32 * 32;
            for (int i = 0; i < 2; i++)
            {
                var orig = Single(net, all.AsSpan(i * per, per).ToArray(), layers);
                for (int a = 0; a < amounts.Length; a++)
                {
                    var t = kind switch
                    {
                        TransformKind.Translate => InputTransform.Translate(0, amounts[a]),
                        TransformKind.Scale => InputTransform.Zoom(amounts[a]),
                        _ => InputTransform.Rotate(amounts[a]),
                    };
                    var moved = Single(net, TransformsRef.Apply(all.AsSpan(i * per, per), 1, 32, 32, t, fill), layers);
                    var q = r.Curve(i)[a];
                    Assert.Equal(amounts[a], q.Amount);
                    for (int l = 0; l < layers.Length; l++)
                    {
                        double sum = 0;
                        for (int k = 0; k < orig.Feats[l].Length; k++) sum += Math.Pow(moved.Feats[l][k] - (double)orig.Feats[l][k], 2);
                        Assert.Equal(Math.Sqrt(sum), q.Distances[l], 1e-5 * (1 + Math.Sqrt(sum)));
                    }
                    Assert.Equal(moved.Probs[new[] { 4, 2 }[i]], q.Probability, 1e-6);
                    Assert.Equal(Array.IndexOf(moved.Probs, moved.Probs.Max()), q.TopClass);
                }
            }
        }
    }

    private static (float[][] Feats, float[] Probs) Single(Net net, float[] image, string[] layers)
    {
        using var t = Tensor.FromArray(net.Backend, Shape.Nchw(1, 1, 32, 32), image);
        using var pass = net.Forward(t);
        return (layers.Select(l => pass[l].ToArray()).ToArray(), pass.Output.ToArray());
    }

    [Fact]
    public void TableAndCsvHaveOneRowPerImageAndAmount()
    {
        var (net, x) = Setup(Backends.Reference, 2);
        using (net)
        using (x)
        {
            var r = Invariance.Run(net, x, new InvarianceOptions(TransformKind.Translate, InvarianceOptions.Range(-2, 2, 3)));
            var lines = r.ToCsv(["a,b.png", "c.png"]).TrimEnd('\n').Split('\n');
            Assert.Equal("image,transform,amount,distance_pool1,distance_fc7,p_class,class,top_class", lines[0]);
            Assert.Equal(7, lines.Length);
            Assert.StartsWith("\"a,b.png\",translate,-2,", lines[1]);
            Assert.StartsWith("c.png,translate,0,0,0,", lines[5]);
            var (shape, data) = r.ToTable();
            Assert.Equal([6, 7], shape);
            Assert.Equal(1f, data[3 * 7]);
            Assert.Equal(2f, data[5 * 7 + 1]);
            Assert.Equal((float)r.Points[5].Probability, data[5 * 7 + 4]);
        }
    }

    [Fact]
    public void BadSettingsAreRefusedWithTheReason()
    {
        var (net, x) = Setup(Backends.Reference, 2);
        using (net)
        using (x)
        {
            var e = Assert.Throws<RawConvException>(() => Invariance.Run(net, x, new InvarianceOptions(TransformKind.Scale, [1.0], Classes: [1, 2, 3])));
            Assert.Contains("3 classes given for 2 images", e.Message);
            e = Assert.Throws<RawConvException>(() => Invariance.Run(net, x, new InvarianceOptions(TransformKind.Scale, [1.0], Classes: [10])));
            Assert.Contains("class 10 is outside the 10 classes", e.Message);
            Assert.Throws<RawConvException>(() => Invariance.Run(net, x, new InvarianceOptions(TransformKind.Scale, [1.0], ["conv9"])));
            Assert.Throws<RawConvException>(() => Invariance.Run(net, x, new InvarianceOptions(TransformKind.Scale, [])));
        }
    }
}
