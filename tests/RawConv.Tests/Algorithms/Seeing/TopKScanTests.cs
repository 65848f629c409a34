using RawConv.Algorithms;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>An in-memory dataset of seeded random images in [0, 1]; items <see cref="Copies"/> repeat earlier items exactly (ties).</summary>
internal sealed class TopKTestData : IDataset
{
    /// <summary>Item i + <see cref="CopyStart"/> is a copy of item i + <see cref="CopyOf"/>, for i below <see cref="Copies"/>.</summary>
    public const int CopyStart = 120, CopyOf = 3, Copies = 10;
    private readonly float[] data;

    public TopKTestData(int count, int side, int seed)
    {
        Count = count;
        ItemShape = new Shape(1, 1, side, side);
        data = Rand.Uniform(seed, (long)count * side * side, 0, 1);
        int per = side * side;
        for (int i = 0; i < Copies && CopyStart + i < count; i++)
            data.AsSpan((CopyOf + i) * per, per).CopyTo(data.AsSpan((CopyStart + i) * per, per));
    }

    public int Count { get; }
    public IReadOnlyList<string> Classes { get; } = ["a", "b"];
    public Shape ItemShape { get; }
    public int Label(int index) => index % 2;
    public void CopyItem(int index, Span<float> dst) => data.AsSpan(index * (int)ItemShape.Count, (int)ItemShape.Count).CopyTo(dst);

    /// <summary>Preprocessing under which the items are pixels/255 (what the CLI's default model uses).</summary>
    public static Preprocessing Unit(int side) => new(ChannelOrder.RGB, [0f], [1f], 1f / 255f, side, side);

    /// <summary>A narrow random mini-AlexNet on side×side canvases.</summary>
    public static Net Net(IBackend b, int seed, int side = 32)
    {
        var net = new Net(MiniAlexNet.Spec(new MiniAlexNetConfig(Canvas: side, C1: 8, C2: 16, C3: 16, C4: 16, C5: 16, Fc: 32)), b);
        net.InitializeRandom(seed);
        return net;
    }
}

/// <summary>
/// The streaming top-k scan against a brute-force one: every activation of the whole dataset in one
/// forward, sorted by (value desc, image asc, position asc), first occurrence per image kept.
/// </summary>
public abstract class TopKScanTests : BackendTest
{
    /// <summary>
    /// Whether an image's activations are bit-identical wherever it sits in a batch of any size (true for the
    /// reference; a kernel backend may tile differently per batch size, so exact copies tie only approximately).
    /// </summary>
    protected virtual bool ExactAcrossBatches => false;

    private static List<TopKEntry> BruteForce(float[] a, int n, (int C, int H, int W) d, int channel, int k)
    {
        int plane = d.H * d.W;
        var all = new List<(float V, int Img, int Pos)>();
        for (int i = 0; i < n; i++)
            for (int p = 0; p < plane; p++) all.Add((a[(i * d.C + channel) * plane + p], i, p));
        var seen = new HashSet<int>();
        return all.OrderByDescending(t => t.V).ThenBy(t => t.Img).ThenBy(t => t.Pos)
            .Where(t => seen.Add(t.Img)).Take(k).Select(t => new TopKEntry(t.V, t.Img, t.Pos / d.W, t.Pos % d.W)).ToList();
    }

    [SkippableTheory]
    [InlineData("conv2", 7)]
    [InlineData("conv2", 64)]
    [InlineData("pool5", 13)]
    [InlineData("fc6", 11)]
    public void ScanEqualsBruteForce(string layer, int batch)
    {
        var data = new TopKTestData(150, 32, 5);
        using var net = TopKTestData.Net(B, 2);
        var scan = TopKScan.Run(net, data, layer, new TopKOptions(9, batch));
        using var x = data.Get(B, Enumerable.Range(0, data.Count).ToArray()).X;
        using var pass = net.Forward(x, layer);
        var a = pass[layer].ToArray();
        var dims = NetQueries.Dims(pass[layer].Shape);
        Assert.Equal(dims, scan.Dims);
        Assert.Equal(150, scan.Images);
        Assert.Equal(Enumerable.Range(0, dims.C), scan.Channels);
        for (int c = 0; c < dims.C; c++)
        {
            var expected = BruteForce(a, data.Count, dims, c, 9);
            var got = scan.Entries[c];
            Assert.Equal(expected.Select(e => (e.Image, e.Y, e.X)), got.Select(e => (e.Image, e.Y, e.X)));
            Check.Close(got.Select(e => e.Value).ToArray(), expected.Select(e => e.Value).ToArray(), 1e-5, 1e-4, $"{layer} channel {c}");
        }
    }

    [SkippableFact]
    public void TiesKeepTheLowerImageFirstAndLimitAndChannelsRestrictTheScan()
    {
        var data = new TopKTestData(150, 32, 7);
        using var net = TopKTestData.Net(B, 3);
        var full = TopKScan.Run(net, data, "conv3", new TopKOptions(150, 32));
        foreach (var list in full.Entries)
        {
            Assert.Equal(150, list.Count);
            for (int i = 0; i < TopKTestData.Copies; i++)
            {
                int orig = list.ToList().FindIndex(e => e.Image == TopKTestData.CopyOf + i);
                int copy = list.ToList().FindIndex(e => e.Image == TopKTestData.CopyStart + i);
                if (ExactAcrossBatches)
                {
                    Assert.True(orig >= 0 && copy == orig + 1, $"image {TopKTestData.CopyOf + i} at {orig}, its copy at {copy}");
                    Assert.Equal(list[orig].Value, list[copy].Value);
                }
                else Assert.Equal(list[orig].Value, list[copy].Value, 1e-5 + 1e-4 * Math.Abs(list[orig].Value));
            }
            for (int i = 1; i < list.Count; i++)
                Assert.True(list[i - 1].Value > list[i].Value || list[i - 1].Value == list[i].Value && list[i - 1].Image < list[i].Image);
        }
        var part = TopKScan.Run(net, data, "conv3", new TopKOptions(4, 9, Limit: 100, Channels: [5, 2]));
        Assert.Equal(100, part.Images);
        Assert.Equal(new[] { 5, 2 }, part.Channels);
        foreach (int c in new[] { 5, 2 })
            Assert.Equal(full.Of(c).Where(e => e.Image < 100).Take(4), part.Of(c));
    }

    [SkippableFact]
    public void OneScanOfSeveralLayersEqualsSeparateScans()
    {
        var data = new TopKTestData(40, 32, 4);
        using var net = TopKTestData.Net(B, 6);
        var both = TopKScan.RunLayers(net, data, [("conv3", [1, 4]), ("conv1", null)], new TopKOptions(5, 16));
        Assert.Equal(new[] { "conv3", "conv1" }, both.Select(r => r.Layer));
        var conv3 = TopKScan.Run(net, data, "conv3", new TopKOptions(5, 16, Channels: [1, 4]));
        var conv1 = TopKScan.Run(net, data, "conv1", new TopKOptions(5, 16));
        Assert.Equal(conv3.Entries.SelectMany(e => e), both[0].Entries.SelectMany(e => e));
        Assert.Equal(conv1.Entries.SelectMany(e => e), both[1].Entries.SelectMany(e => e));
        Assert.Equal(8, both[1].Channels.Count);
    }

    [SkippableFact]
    public void ProgressCountsImagesAndBadOptionsAreNamed()
    {
        var data = new TopKTestData(30, 32, 1);
        using var net = TopKTestData.Net(B, 1);
        var seen = new List<(int, int)>();
        TopKScan.Run(net, data, "conv1", new TopKOptions(2, 8, Limit: 20), (d, t) => seen.Add((d, t)));
        Assert.Equal(new[] { (8, 20), (16, 20), (20, 20) }, seen);
        Assert.Contains("k must be at least 1", Assert.Throws<RawConvException>(() => TopKScan.Run(net, data, "conv1", new TopKOptions(0))).Message);
        var e = Assert.Throws<RawConvException>(() => TopKScan.Run(net, data, "conv2", new TopKOptions(Channels: [16])));
        Assert.Contains("channel 16 is outside layer 'conv2' with 16 feature maps", e.Message);
        Assert.Throws<RawConvException>(() => TopKScan.Run(net, new TopKTestData(5, 40, 1), "conv1"));
    }

    [SkippableFact]
    public void KIsCutToTheImagesScannedAndTheGridToTheEntriesKept()
    {
        var data = new TopKTestData(4, 32, 5);
        using var net = TopKTestData.Net(B, 2);
        var scan = TopKScan.Run(net, data, "conv1", new TopKOptions(1000, 64, Channels: [0, 1]));
        Assert.Equal(4, scan.K);
        Assert.All(scan.Entries, e => Assert.Equal(4, e.Count));
        var fig = TopKGrid.Build(net, data, scan, TopKTestData.Unit(32));
        // 4 entries fill a 2×2 block, as k = 4 asks; a 1000-entry block (32×32 tiles) would be 16 times wider.
        Assert.Equal(TopKGrid.Compose(fig.Patches, scan.Channels, 4, fig.Upscale).Width, TopKGrid.Compose(fig.Patches, scan.Channels, 1000, fig.Upscale).Width);
        Assert.Contains("at most 1024", Assert.Throws<RawConvException>(() => TopKScan.Run(net, data, "conv1", new TopKOptions(1025))).Message);
    }

    [SkippableFact]
    public void GridProjectsEveryEntryAndCutsItsReceptiveField()
    {
        var data = new TopKTestData(60, 32, 9);
        using var net = TopKTestData.Net(B, 4);
        var scan = TopKScan.Run(net, data, "conv2", new TopKOptions(9, 25, Channels: [0, 1, 2, 3, 4]));
        var fig = TopKGrid.Build(net, data, scan, TopKTestData.Unit(32), new TopKGridOptions(BatchSize: 16, KeepProjections: true));
        // conv2's field is 25 px (5, then pool 3/2: 9, then 5×5 at jump 4: 25) < 32: patches of 25, upscaled 64/25 = 2×.
        Assert.Equal(2, fig.Upscale);
        int block = 3 * 50 + 4 * TopKGrid.InnerPadding, pairW = 2 * block + 3 * TopKGrid.PairPadding, pairH = block + 2 * TopKGrid.PairPadding;
        Assert.Equal(3 * pairW + 4 * TopKGrid.OuterPadding, fig.Image.Width);   // 5 channels: 3 columns, 2 rows
        Assert.Equal(2 * pairH + 3 * TopKGrid.OuterPadding, fig.Image.Height);
        Assert.Equal(45, fig.Patches.Count);
        Assert.Equal(new Shape(45, 1, 32, 32), fig.ProjectionShape);
        var field = ReceptiveField.Of(net.Spec, "conv2");
        for (int i = 0; i < fig.Patches.Count; i += 11)
        {
            var q = fig.Patches[i];
            var want = scan.Of(q.Channel)[i % 9];
            Assert.Equal((want.Image, want.Y, want.X), (q.Entry.Image, q.Entry.Y, q.Entry.X));
            Assert.Equal(want.Value, q.Entry.Value, 1e-4);
            Assert.Equal((25, 25), (q.Box.Y1 - q.Box.Y0, q.Box.X1 - q.Box.X0));
            Assert.Equal(field.Y.First(q.Entry.Y), q.Box.Y0);
            Assert.Equal((25, 25), (q.Patch.Width, q.Patch.Height));
            // The batched projection equals a single-image projection of that unit.
            using var x = data.Get(B, [q.Entry.Image]).X;
            using var single = Deconvnet.Project(net, x, UnitChoice.At("conv2", q.Channel, q.Entry.Y, q.Entry.X));
            Check.Close(fig.Projections.AsSpan(i * 1024, 1024), single.Input.ToArray(), 1e-5, 1e-4, $"projection {i}");
            // The image patch is the input under the box, black where the box leaves the image.
            var item = new float[1024];
            data.CopyItem(q.Entry.Image, item);
            for (int py = 0; py < 25; py += 4)
                for (int px = 0; px < 25; px += 3)
                {
                    int sy = q.Box.Y0 + py, sx = q.Box.X0 + px;
                    bool inside = sy is >= 0 and < 32 && sx is >= 0 and < 32;
                    Assert.Equal(inside ? (int)Math.Clamp(MathF.Round(item[sy * 32 + sx] / (1f / 255f)), 0, 255) : 0, q.Patch[px, py, 0]);
                }
        }
    }
}

public sealed class TopKScanReferenceTests : TopKScanTests
{
    protected override string BackendName => "reference";
    protected override bool ExactAcrossBatches => true;
}

public sealed class TopKScanOpenClTests : TopKScanTests
{
    protected override string BackendName => "opencl";
}

public sealed class TopKScanCudaTests : TopKScanTests
{
    protected override string BackendName => "cuda";
}
