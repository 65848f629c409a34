using RawConv.Algorithms;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>
/// The top-k scan of a direction v (Szegedy et al. §3) against a brute-force one (every image forwarded, Σ_t v_t·a_t at
/// every position in double, first maximum per image), against the unit scan for one-hot directions, and its deconvnet
/// projections against the sum of the single-unit backward sweeps where the sweep is linear in its seed.
/// </summary>
public abstract class TopKDirectionTests : BackendTest
{
    private static List<TopKEntry> BruteForce(float[] a, int n, (int C, int H, int W) d, IReadOnlyList<float> v, int k)
    {
        int plane = d.H * d.W;
        var best = new List<TopKEntry>();
        for (int i = 0; i < n; i++)
        {
            double top = double.NegativeInfinity;
            int at = 0;
            for (int p = 0; p < plane; p++)
            {
                double dot = 0;
                for (int t = 0; t < d.C; t++) dot += (double)v[t] * a[(i * d.C + t) * plane + p];
                if (dot > top) (top, at) = (dot, p);
            }
            best.Add(new TopKEntry((float)top, i, at / d.W, at % d.W));
        }
        return best.OrderByDescending(e => e.Value).ThenBy(e => e.Image).Take(k).ToList();
    }

    [SkippableTheory]
    [InlineData("conv2", 7)]
    [InlineData("conv3", 40)]
    [InlineData("pool5", 13)]
    [InlineData("fc6", 11)]
    public void DirectionScanEqualsBruteForce(string layer, int batch)
    {
        var data = new TopKTestData(40, 32, 11);
        using var net = TopKTestData.Net(B, 5);
        using var x = data.Get(B, Enumerable.Range(0, data.Count).ToArray()).X;
        using var pass = net.Forward(x, layer);
        var a = pass[layer].ToArray();
        var dims = NetQueries.Dims(pass[layer].Shape);
        var v = Direction.Random(dims.C, 3);
        var scan = TopKScan.RunDirection(net, data, layer, v, [2, 0], new TopKOptions(9, batch));
        var expected = BruteForce(a, data.Count, dims, v, 9);
        Assert.Equal(expected.Select(e => (e.Image, e.Y, e.X)), scan.Entries.Select(e => (e.Image, e.Y, e.X)));
        Check.Close(scan.Entries.Select(e => e.Value).ToArray(), expected.Select(e => e.Value).ToArray(), 1e-5, 1e-4, $"direction in {layer}");
        Assert.Equal(v, scan.Weights);
        // The units scanned in the same pass are the unit scan's.
        Assert.Equal(new[] { 2, 0 }, scan.Units.Channels);
        var units = TopKScan.Run(net, data, layer, new TopKOptions(9, batch, Channels: [2, 0]));
        Assert.Equal(units.Entries.SelectMany(e => e), scan.Units.Entries.SelectMany(e => e));
    }

    [SkippableTheory]
    [InlineData("conv2", 3)]
    [InlineData("conv4", 11)]
    [InlineData("fc6", 30)]
    public void AOneHotDirectionRanksLikeItsUnit(string layer, int channel)
    {
        var data = new TopKTestData(48, 32, 2);
        using var net = TopKTestData.Net(B, 8);
        int c = NetQueries.Dims(net.Spec.Shapes()[net.Spec.IndexOf(layer) + 1]).C;
        var e = new float[c];
        e[channel] = 1;
        var scan = TopKScan.RunDirection(net, data, layer, e, [], new TopKOptions(12, 16));
        var unit = TopKScan.Run(net, data, layer, new TopKOptions(12, 16, Channels: [channel])).Of(channel);
        Assert.Equal(unit, scan.Entries);
        Assert.Empty(scan.Units.Channels);
    }

    /// <summary>Σ_t v_t times the input gradient of a backward sweep seeded with 1 at (t, y, x) alone, for image <paramref name="image"/>.</summary>
    private float[] SumOfUnitSweeps(RawConv.Graph.Net net, TopKTestData data, string layer, IReadOnlyList<float> v, TopKEntry e, ReluRule rule)
    {
        int c = v.Count;
        using var x = data.Get(B, Enumerable.Repeat(e.Image, c).ToArray()).X;
        using var pass = net.Forward(x, layer);
        var shape = pass[layer].Shape;
        var (_, h, w) = NetQueries.Dims(shape);
        var seed = new float[shape.Count];
        for (int t = 0; t < c; t++) seed[((long)t * c + t) * h * w + e.Y * w + e.X] = 1;
        using var s = Tensor.FromArray(B, shape, seed);
        using var back = net.Backward(pass, layer, s, rule);
        var g = back.InputGradient!.ToArray();
        int per = (int)(g.Length / c);
        var sum = new double[per];
        for (int t = 0; t < c; t++)
            for (int i = 0; i < per; i++) sum[i] += v[t] * (double)g[t * per + i];
        return sum.Select(d => (float)d).ToArray();
    }

    [SkippableTheory]
    [InlineData("conv2", ReluRule.Standard)]
    [InlineData("fc6", ReluRule.Standard)]
    [InlineData("conv1", ReluRule.Deconvnet)]
    public void TheDirectionsProjectionIsTheWeightedSumOfItsUnitsProjections(string layer, ReluRule rule)
    {
        // The backward sweep is linear in its seed wherever no deconvnet or guided rectification lies below the layer
        // (the gradient rule everywhere; the deconvnet rule from conv1); TheDeconvnetRuleIsNotAdditive shows why only there.
        var data = new TopKTestData(30, 32, 4);
        using var net = TopKTestData.Net(B, 9);
        var v = Direction.Random(NetQueries.Dims(net.Spec.Shapes()[net.Spec.IndexOf(layer) + 1]).C, 1);
        var scan = TopKScan.RunDirection(net, data, layer, v, [1], new TopKOptions(3, 16));
        var fig = TopKGrid.BuildDirection(net, data, scan, TopKTestData.Unit(32), new TopKGridOptions(rule, BatchSize: 4, KeepProjections: true));
        Assert.Equal(6, fig.Patches.Count);
        Assert.Equal(new[] { -1, -1, -1, 1, 1, 1 }, fig.Patches.Select(p => p.Channel));
        for (int i = 0; i < 3; i++)
        {
            var e = scan.Entries[i];
            Assert.Equal((e.Image, e.Y, e.X), (fig.Patches[i].Entry.Image, fig.Patches[i].Entry.Y, fig.Patches[i].Entry.X));
            Assert.Equal(e.Value, fig.Patches[i].Entry.Value, 1e-5 + 1e-4 * Math.Abs(e.Value));
            Check.Close(fig.Projections.AsSpan(i * 1024, 1024), SumOfUnitSweeps(net, data, layer, v, e, rule), 1e-4, 1e-3, $"{layer} {rule} entry {i}");
        }
    }

    [SkippableFact]
    public void TheDeconvnetRuleIsNotAdditivePastARectification()
    {
        // Below conv2 lies relu1, where the deconvnet rule rectifies the sum of every channel's signal: max(Σ, 0) ≠ Σ max(·, 0).
        var data = new TopKTestData(20, 32, 6);
        using var net = TopKTestData.Net(B, 9);
        var v = Direction.Random(16, 1);
        var scan = TopKScan.RunDirection(net, data, "conv2", v, [], new TopKOptions(1, 16));
        var fig = TopKGrid.BuildDirection(net, data, scan, TopKTestData.Unit(32), new TopKGridOptions(KeepProjections: true));
        var sum = SumOfUnitSweeps(net, data, "conv2", v, scan.Entries[0], ReluRule.Deconvnet);
        double diff = 0, norm = 0;
        for (int i = 0; i < sum.Length; i++)
        {
            diff += Math.Pow(fig.Projections![i] - sum[i], 2);
            norm += sum[i] * (double)sum[i];
        }
        Assert.True(Math.Sqrt(diff / norm) > 0.05, $"relative difference {Math.Sqrt(diff / norm)}");
        // ... while the grid's projection is the deconvnet sweep of the seed v at the entry's position.
        using var x = data.Get(B, [scan.Entries[0].Image]).X;
        using var pass = net.Forward(x, "conv2");
        var (_, h, w) = NetQueries.Dims(pass["conv2"].Shape);
        var seed = new float[pass["conv2"].Shape.Count];
        for (int t = 0; t < 16; t++) seed[(t * h + scan.Entries[0].Y) * w + scan.Entries[0].X] = v[t];
        using var s = Tensor.FromArray(B, pass["conv2"].Shape, seed);
        using var back = net.Backward(pass, "conv2", s, ReluRule.Deconvnet);
        Check.Close(fig.Projections, back.InputGradient!.ToArray(), 1e-5, 1e-4, "deconvnet projection of the direction");
    }

    [SkippableFact]
    public void HeaviestUnitsAndBadDirectionsAreNamed()
    {
        Assert.Equal(new[] { 3, 0, 1 }, TopKScan.Heaviest([0.5f, -0.5f, 0.1f, -0.7f], 3));
        var data = new TopKTestData(10, 32, 1);
        using var net = TopKTestData.Net(B, 1);
        var e = Assert.Throws<RawConvException>(() => TopKScan.RunDirection(net, data, "conv2", new float[15], []));
        Assert.Equal("top-k: a direction of 15 weights for layer 'conv2' with 16 feature maps — give one weight per feature map", e.Message);
        var nan = new float[16];
        nan[4] = float.NaN;
        Assert.Contains("non-finite weight", Assert.Throws<RawConvException>(() => TopKScan.RunDirection(net, data, "conv2", nan, [])).Message);
    }
}

public sealed class TopKDirectionReferenceTests : TopKDirectionTests
{
    protected override string BackendName => "reference";
}

public sealed class TopKDirectionOpenClTests : TopKDirectionTests
{
    protected override string BackendName => "opencl";
}

public sealed class TopKDirectionCudaTests : TopKDirectionTests
{
    protected override string BackendName => "cuda";
}
