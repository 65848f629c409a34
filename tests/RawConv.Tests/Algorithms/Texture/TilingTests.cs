using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Texture;
using RawConv.Graph;
using RawConv.OpenCL;
using RawConv.Ops;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Texture;

/// <summary>Overlapping tiles: blend weights summing to 1, exact reassembly, and tiled texture synthesis under a memory limit an untiled run exceeds.</summary>
public class TilingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(100, 130, 40, 8)]
    [InlineData(64, 64, 64, 0)]
    [InlineData(50, 37, 16, 5)]
    [InlineData(200, 90, 64, 31)]
    public void TilesCoverTheImageAndTheirBlendWeightsSumTo1Everywhere(int h, int w, int tile, int overlap)
    {
        var tiles = Tiling.Plan(h, w, tile, overlap);
        var weights = Tiling.Weights(tiles, h, w);
        var sum = new double[h * w];
        var cover = new int[h * w];
        for (int i = 0; i < tiles.Count; i++)
        {
            var t = tiles[i];
            Assert.True(t.Y >= 0 && t.X >= 0 && t.Y + t.Height <= h && t.X + t.Width <= w, $"tile {t} leaves the image");
            for (int y = 0; y < t.Height; y++)
                for (int x = 0; x < t.Width; x++)
                {
                    Assert.True(weights[i][y * t.Width + x] > 0);
                    sum[(t.Y + y) * w + t.X + x] += weights[i][y * t.Width + x];
                    cover[(t.Y + y) * w + t.X + x]++;
                }
        }
        Assert.All(cover, c => Assert.True(c >= 1));
        Assert.All(sum, s => Assert.Equal(1.0, s, 1e-6));
    }

    [Fact]
    public void RampsAcrossAnOverlapOfOAreK_Over_OPlus1()
    {
        var tiles = Tiling.Plan(1, 12, 8, 4);
        Assert.Equal([new Tile(0, 0, 1, 8), new Tile(0, 4, 1, 8)], tiles);
        var w = Tiling.Weights(tiles, 1, 12);
        float[] first = [1f, 1f, 1f, 1f, 0.8f, 0.6f, 0.4f, 0.2f];
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(first[i], w[0][i], 1e-6f);
            Assert.Equal(first[7 - i], w[1][i], 1e-6f);
        }
    }

    [Fact]
    public void ReassemblingUnmodifiedTilesGivesTheInputBackExactly()
    {
        var rng = new Random(4);
        int c = 3, h = 97, w = 61;
        var planes = Enumerable.Range(0, c * h * w).Select(_ => (float)(rng.NextDouble() * 200 - 100)).ToArray();
        var tiles = Tiling.Plan(h, w, 32, 7);
        int calls = 0;
        var back = Tiling.Map(planes, c, h, w, tiles, (t, crop) =>
        {
            calls++;
            Assert.Equal(Tiling.Crop(planes, c, h, w, t), crop);
            return crop;
        });
        Assert.Equal(tiles.Count, calls);
        Assert.Equal(planes, back);
    }

    private static (Net Net, IBackend B, Tensor Source) Setup()
    {
        Backends.Get("opencl");
        var b = OpenClBackend.Create();
        var net = new Net(Zoo.Get("mini_alexnet"), b);
        net.InitializeRandom(2);
        return (net, b, Rand.Tensor(b, 7, 1, 1, net.Spec.InputHeight, net.Spec.InputWidth));
    }

    private static readonly Preprocessing Pre = Preprocessing.Torchvision.For(1);

    [SkippableFact]
    public void ATiledRunStaysUnderAMemoryLimitAnUntiledRunAtTheSameSizeWouldExceed()
    {
        var (net, b, source) = Setup();
        using var _ = b;
        using var __ = net;
        using var ___ = source;
        var o = new TextureOptions(["relu1", "pool1"], 256, 256, new OptimizerSettings(OptimizerKind.Lbfgs, 1f), Iterations: 2);
        var tiled = o with { Tile = 64, Overlap = 8 };
        long limit = 24L << 20;
        long untiled = TextureSynthesis.Estimate(net.Spec, b, source.Shape, o).DeviceBytes;
        long estimate = TextureSynthesis.Estimate(net.Spec, b, source.Shape, tiled).DeviceBytes;
        var meter = DeviceMemory.Of(b);
        meter.ResetPeak();
        using var r = TextureSynthesis.Run(net, source, Pre, tiled);
        long peak = meter.Peak;
        output.WriteLine($"256×256: untiled estimate {untiled} B; tiled (64, overlap 8, {r.Tiles!.Count} tiles) estimate {estimate} B, measured peak {peak} B; limit {limit} B");
        Assert.True(untiled > limit, $"the untiled estimate {untiled} should exceed {limit}");
        Assert.True(peak <= limit, $"the tiled run held {peak} bytes, over {limit}");
        Assert.InRange((double)estimate / peak, 0.8, 1.2);
        Assert.Equal(Shape.Nchw(1, 1, 256, 256), r.Image.Shape);
        Assert.Equal(25, r.Tiles.Count);
    }

    /// <summary>The Gram loss of <paramref name="image"/> as a whole against the source's, targets rescaled to its positions.</summary>
    private static double FullLoss(Net net, Tensor source, Tensor image, IReadOnlyList<string> layers)
    {
        var spec = net.Spec;
        var grams = StyleTargets.Gram(net, source, layers);
        var ss = spec.Shapes(source.Shape, layers[^1]);
        var xs = spec.Shapes(image.Shape, layers[^1]);
        var terms = layers.Select((l, i) =>
        {
            int at = spec.IndexOf(l) + 1;
            using var g = grams[i];
            return new StyleLoss(l, Elementwise.Scale(g, (float)((double)xs[at].H * xs[at].W / (ss[at].H * ss[at].W))), layers.Count);
        }).ToList();
        double v = new InputObjective(terms, [], maximize: false).Value(net, image).Total;
        foreach (var t in terms) t.Dispose();
        return v;
    }

    [SkippableFact]
    public void TheTiledTexturesWholeImageGramLossIsWithin10TimesTheUntiledRuns()
    {
        var (net, b, source) = Setup();
        using var _ = b;
        using var __ = net;
        using var ___ = source;
        string[] layers = ["relu1", "pool1"];
        var o = new TextureOptions(layers, 128, 128, new OptimizerSettings(OptimizerKind.Lbfgs, 1f), Iterations: 30, Seed: 3);
        using var whole = TextureSynthesis.Run(net, source, Pre, o);
        using var tiled = TextureSynthesis.Run(net, source, Pre, o with { Tile = 64, Overlap = 16 });
        using var noise = TextureSynthesis.Noise(b, 1, 128, 128, Pre, 3);
        double lw = FullLoss(net, source, whole.Image, layers), lt = FullLoss(net, source, tiled.Image, layers), ln = FullLoss(net, source, noise, layers);
        output.WriteLine($"whole-image Gram loss at 128×128: noise {ln:G4}, untiled {lw:G4}, tiled (64, overlap 16, {tiled.Tiles!.Count} tiles) {lt:G4} ({lt / lw:F2}×)");
        Assert.True(lt <= 10 * lw, $"tiled {lt} vs untiled {lw}");
        Assert.True(lt < ln / 100, $"tiled {lt} vs noise {ln}");
    }
}
