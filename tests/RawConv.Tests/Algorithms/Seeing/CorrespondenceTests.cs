using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>Correspondence Δ on a small net against naive code: batch-1 forwards of explicitly occluded images, plain sign and Hamming loops.</summary>
public abstract class CorrespondenceTests : BackendTest
{
    private static readonly Box[] Parts = [new(3, 4, 13, 16), new(20, 22, 30, 34), new(0, 0, 10, 12)];

    /// <summary>Layer outputs of one image, by a batch-1 forward, with <paramref name="box"/> set to <paramref name="value"/> (none: unoccluded).</summary>
    private static float[][] Features(Net net, float[] all, int i, Box? box, float value, string[] layers)
    {
        var img = all.Skip(i * 1600).Take(1600).ToArray();
        if (box is { } b)
            for (int y = b.Y0; y < b.Y1; y++)
                for (int x = b.X0; x < b.X1; x++) img[y * 40 + x] = value;
        using var t = Tensor.FromArray(net.Backend, new Shape(1, 1, 40, 40), img);
        using var pass = net.Forward(t);
        return layers.Select(l => pass[l].ToArray()).ToArray();
    }

    private static long NaiveDelta(List<float[]> eps)
    {
        long d = 0;
        for (int i = 0; i < eps.Count; i++)
            for (int j = i + 1; j < eps.Count; j++)
                for (int k = 0; k < eps[i].Length; k++)
                    if (Math.Sign(eps[i][k]) != Math.Sign(eps[j][k])) d++;
        return d;
    }

    [SkippableFact]
    public void DeltaEqualsNaiveCodeForThePartAndEachRandomDraw()
    {
        using var net = OcclusionTests.SmallNet(B, 21);
        var all = Rand.Uniform(8, 3 * 1600, 0, 1);
        using var x = Tensor.FromArray(B, new Shape(3, 1, 40, 40), all);
        string[] layers = ["relu5", "fc7", "conv2"];
        var r = Correspondence.Run(net, x, Parts, OcclusionTests.Pre, new CorrespondenceOptions(layers, Random: 3, Seed: 4, BatchSize: 5));
        Assert.Equal(layers, r.Layers.Select(c => c.Layer));
        float grey = 128f / 255f;
        var original = Enumerable.Range(0, 3).Select(i => Features(net, all, i, null, 0, layers)).ToArray();
        Box[][] sets = [Parts, .. r.RandomBoxes];
        for (int s = 0; s < sets.Length; s++)
        {
            var occluded = Enumerable.Range(0, 3).Select(i => Features(net, all, i, sets[s][i], grey, layers)).ToArray();
            for (int l = 0; l < layers.Length; l++)
            {
                var eps = Enumerable.Range(0, 3).Select(i => original[i][l].Zip(occluded[i][l], (a, b) => a - b).ToArray()).ToList();
                long expected = NaiveDelta(eps);
                long actual = s == 0 ? r.Layers[l].Delta : r.Layers[l].RandomDeltas[s - 1];
                Assert.True(expected == actual, $"{layers[l]}, set {s}: Δ {actual}, naive {expected}");
            }
        }
        var fc7 = r.Layers[1];
        Assert.Equal(32, fc7.Dimension);
        Assert.Equal(3, fc7.Pairs);
        Assert.Equal(fc7.Delta / 3.0, fc7.DeltaPerPair);
        Assert.Equal(fc7.RandomDeltas.Average(), fc7.RandomMean, 1e-9);
        double m = fc7.RandomMean;
        Assert.Equal(Math.Sqrt(fc7.RandomDeltas.Sum(v => (v - m) * (v - m)) / 2), fc7.RandomStd, 1e-9);
        Assert.True(r.Layers[2].Delta > 0, "conv2 signs should change under a 10×12 occluder");
    }

    [SkippableFact]
    public void RandomDrawsAreDeterministicForASeed()
    {
        using var net = OcclusionTests.SmallNet(B, 3);
        using var x = Tensor.FromArray(B, new Shape(2, 1, 40, 40), Rand.Uniform(2, 3200, 0, 1));
        var o = new CorrespondenceOptions(["fc6"], Random: 4, Seed: 9);
        var a = Correspondence.Run(net, x, Parts[..2], OcclusionTests.Pre, o);
        var b = Correspondence.Run(net, x, Parts[..2], OcclusionTests.Pre, o);
        Assert.Equal(a.Layers[0].RandomDeltas, b.Layers[0].RandomDeltas);
        Assert.Equal(a.RandomBoxes.SelectMany(v => v), b.RandomBoxes.SelectMany(v => v));
    }
}

public sealed class CorrespondenceOpenClTests : CorrespondenceTests { protected override string BackendName => "opencl"; }
public sealed class CorrespondenceCudaTests : CorrespondenceTests { protected override string BackendName => "cuda"; }
public sealed class CorrespondenceReferenceTests : CorrespondenceTests { protected override string BackendName => "reference"; }

/// <summary>Δ, signs and random boxes by hand.</summary>
public class CorrespondenceHandTests
{
    [Fact]
    public void DeltaSumsHammingDistancesOverUnorderedPairs()
    {
        // ε1 = (1, −2, 0, 3), ε2 = (2, 0, 0, −1), ε3 = (−1, −1, 0, 4) as original − occluded:
        // signs (+ − 0 +), (+ 0 0 −), (− − 0 +); H12 = 2, H13 = 1, H23 = 3; Δ = 6 (ZF's i ≠ j sum: 12).
        float[] occluded = [5, 5, 5, 5];
        var s = new[] { new float[] { 6, 3, 5, 8 }, [7, 5, 5, 4], [4, 4, 5, 9] }.Select(o => Correspondence.Signs(o, occluded)).ToList();
        Assert.Equal(new sbyte[] { 1, -1, 0, 1 }, s[0]);
        Assert.Equal(new sbyte[] { 1, 0, 0, -1 }, s[1]);
        Assert.Equal(new sbyte[] { -1, -1, 0, 1 }, s[2]);
        Assert.Equal(2, Correspondence.Hamming(s[0], s[1]));
        Assert.Equal(1, Correspondence.Hamming(s[0], s[2]));
        Assert.Equal(3, Correspondence.Hamming(s[1], s[2]));
        Assert.Equal(6, Correspondence.Delta(s));
        Assert.Equal(0, Correspondence.Delta([s[0], s[0], s[0]]));
        Assert.Equal(0, Correspondence.Delta([s[1]]));
    }

    [Fact]
    public void RandomBoxesKeepTheirSizeStayInsideAndFollowTheSeed()
    {
        Box[] boxes = [new(0, 0, 5, 7), new(10, 10, 20, 12)];
        var a = Correspondence.RandomBoxes(boxes, 24, 30, 40, 7);
        Assert.Equal(40, a.Length);
        foreach (var draw in a)
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal((boxes[i].Height, boxes[i].Width), (draw[i].Height, draw[i].Width));
                Assert.InRange(draw[i].Y0, 0, 24 - boxes[i].Height);
                Assert.InRange(draw[i].X0, 0, 30 - boxes[i].Width);
            }
        Assert.Equal(a.SelectMany(v => v), Correspondence.RandomBoxes(boxes, 24, 30, 40, 7).SelectMany(v => v));
        Assert.NotEqual(a.SelectMany(v => v), Correspondence.RandomBoxes(boxes, 24, 30, 40, 8).SelectMany(v => v));
        Assert.True(a.Select(d => d[0].Y0).Distinct().Count() > 5, "positions should vary between draws");
    }

    [Fact]
    public void BadInputsNameWhatIsWrong()
    {
        var b = Backends.Reference;
        using var net = OcclusionTests.SmallNet(b, 1);
        using var x = Tensor.FromArray(b, new Shape(2, 1, 40, 40), new float[3200]);
        var o = new CorrespondenceOptions(["fc7"], Random: 1);
        var count = Assert.Throws<RawConvException>(() => Correspondence.Run(net, x, [new Box(0, 0, 4, 4)], OcclusionTests.Pre, o));
        Assert.Contains("2 images but 1 boxes", count.Message);
        var outside = Assert.Throws<RawConvException>(() => Correspondence.Run(net, x, [new Box(0, 0, 4, 4), new Box(30, 30, 41, 35)], OcclusionTests.Pre, o));
        Assert.Contains("image 1", outside.Message);
        Assert.Contains("y1 41", outside.Message);
        Assert.Contains("40×40", outside.Message);
        var empty = Assert.Throws<RawConvException>(() => Correspondence.Run(net, x, [new Box(4, 4, 4, 8), new Box(0, 0, 4, 4)], OcclusionTests.Pre, o));
        Assert.Contains("image 0", empty.Message);
        var layer = Assert.Throws<RawConvException>(() => Correspondence.Run(net, x, [new Box(0, 0, 4, 4), new Box(0, 0, 4, 4)], OcclusionTests.Pre, o with { Layers = ["fc9"] }));
        Assert.Contains("fc9", layer.Message);
        using var one = Tensor.FromArray(b, new Shape(1, 1, 40, 40), new float[1600]);
        var single = Assert.Throws<RawConvException>(() => Correspondence.Run(net, one, [new Box(0, 0, 4, 4)], OcclusionTests.Pre, o));
        Assert.Contains("at least 2 images", single.Message);
    }
}
