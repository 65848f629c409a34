using RawConv.Algorithms;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>
/// Receptive fields computed from the graph against a hand computation for bvlc_alexnet, box positions
/// checked by hand, and a perturbation test: an input pixel just outside a unit's box leaves the unit
/// bit-identical, one just inside changes it.
/// </summary>
public class ReceptiveFieldTests
{
    // Hand computation, bvlc_alexnet: size r ← r + (k − 1)·j, jump j ← j·s, centre of unit 0 c ← c + ((k − 1)/2 − p)·j.
    // conv1 11/4: r 11, j 4, c 5. pool1 3/2: r 11 + 2·4 = 19, j 8, c 5 + 4 = 9. conv2 5 pad 2: r 19 + 4·8 = 51, c 9.
    // pool2 3/2: r 51 + 2·8 = 67, j 16, c 9 + 8 = 17. conv3/4/5 3 pad 1: r 99, 131, 163, c 17. pool5 3/2: r 163 + 2·16 = 195, j 32, c 33.
    [Theory]
    [InlineData("conv1", 11, 4, 5.0)]
    [InlineData("pool1", 19, 8, 9.0)]
    [InlineData("conv2", 51, 8, 9.0)]
    [InlineData("pool2", 67, 16, 17.0)]
    [InlineData("conv3", 99, 16, 17.0)]
    [InlineData("conv4", 131, 16, 17.0)]
    [InlineData("conv5", 163, 16, 17.0)]
    [InlineData("pool5", 195, 32, 33.0)]
    public void AlexNetFieldsMatchTheHandComputation(string layer, int size, int jump, double start)
    {
        var f = ReceptiveField.Of(Zoo.Get("bvlc_alexnet"), layer);
        Assert.Equal(new AxisField(size, jump, start), f.Y);
        Assert.Equal(f.Y, f.X);
        Assert.False(f.Global);
    }

    [Fact]
    public void AlexNetBoxesByHand()
    {
        var spec = Zoo.Get("bvlc_alexnet");
        (int, int, int, int) Box(string layer, int y, int x) => ReceptiveField.Of(spec, layer).Box(y, x, 227, 227);
        Assert.Equal((0, 0, 11, 11), Box("conv1", 0, 0));
        Assert.Equal((216, 216, 227, 227), Box("conv1", 54, 54));      // centre 5 + 54·4 = 221
        Assert.Equal((12, 40, 23, 51), Box("conv1", 3, 10));
        Assert.Equal((0, 0, 99, 99), Box("conv5", 0, 0));              // centre 17: [−64, 99)
        Assert.Equal((128, 128, 227, 227), Box("conv5", 12, 12));      // centre 209: [128, 291)
        Assert.Equal((32, 0, 195, 147), Box("conv5", 6, 3));           // centres 113 and 65
        Assert.Equal((96, 96, 227, 227), Box("pool5", 5, 5));          // centre 193: [96, 291)
        Assert.Equal(-64, ReceptiveField.Of(spec, "conv5").Y.First(0));
        Assert.Equal((0, 0, 227, 227), Box("fc6", 0, 0));
        Assert.True(ReceptiveField.Of(spec, "fc6").Global);
        var box = NetQueries.PatchBox(ReceptiveField.Of(spec, "conv5"), 0, 0, 227, 227);
        Assert.Equal((-64, -64, 99, 99), box);                         // unclipped, so every conv5 patch is 163 wide
    }

    /// <summary>Changes one input pixel at a time (channel 0, +500) and compares the unit's activations with the unperturbed ones.</summary>
    private static void Perturb(Net net, string layer, int uy, int ux, (int Y, int X)[] inside, (int Y, int X)[] outside)
    {
        var s = net.Spec;
        int h = s.InputHeight, w = s.InputWidth, per = s.InputChannels * h * w;
        var pixels = inside.Concat(outside).ToArray();
        var x = new float[(pixels.Length + 1) * per];
        var img = Rand.Uniform(11, per, -50, 50);
        for (int i = 0; i <= pixels.Length; i++) img.CopyTo(x, i * per);
        for (int i = 0; i < pixels.Length; i++) x[(i + 1) * per + pixels[i].Y * w + pixels[i].X] += 500;
        using var t = Tensor.FromArray(net.Backend, s.InputShape(pixels.Length + 1), x);
        using var pass = net.Forward(t, layer);
        var a = pass[layer];
        var (c, lh, lw) = NetQueries.Dims(a.Shape);
        var v = a.ToArray();
        float At(int n, int ch) => v[((n * c + ch) * lh + uy) * lw + ux];
        for (int i = 0; i < pixels.Length; i++)
        {
            int changed = Enumerable.Range(0, c).Count(ch => At(i + 1, ch) != At(0, ch));
            if (i < inside.Length) Assert.True(changed > 0, $"{layer} ({uy}, {ux}): pixel {pixels[i]} inside the box changed no channel");
            else Assert.True(changed == 0, $"{layer} ({uy}, {ux}): pixel {pixels[i]} outside the box changed {changed} channels");
        }
    }

    [SkippableFact]
    public void PixelsOutsideTheAlexNetBoxDoNotReachTheUnit()
    {
        var full = Zoo.Get("bvlc_alexnet");
        // The head up to conv2 (through relu1, norm1, pool1) has the same fields and costs little to initialise.
        var head = new NetSpec("alexnet_head", 3, 227, 227, full.Layers.Take(full.IndexOf("conv2") + 1).ToList());
        using var net = new Net(head, Backends.Get("opencl"));
        net.InitializeRandom(5);
        // conv2 unit (6, 9): centres 9 + 6·8 = 57 and 9 + 9·8 = 81, size 51: rows [32, 83), columns [56, 107).
        Assert.Equal((32, 56, 83, 107), ReceptiveField.Of(head, "conv2").Box(6, 9, 227, 227));
        Perturb(net, "conv2", 6, 9, [(32, 56), (82, 106), (57, 81)], [(31, 56), (32, 55), (83, 106), (82, 107)]);
        // conv1 unit (3, 10): rows [12, 23), columns [40, 51).
        Perturb(net, "conv1", 3, 10, [(12, 40), (22, 50)], [(11, 40), (12, 39), (23, 50), (22, 51)]);
    }

    [Fact]
    public void PixelsOutsideTheMiniNetBoxDoNotReachTheUnit()
    {
        using var net = TopKTestData.Net(Backends.Reference, 8, side: 40);
        // conv1 5/2 pad 2: r 5, j 2, c 0; pool1 3/2: r 9, j 4, c 2; conv2 5 pad 2: r 25, c 2. Unit (4, 3): centres 18, 14.
        var f = ReceptiveField.Of(net.Spec, "conv2");
        Assert.Equal(new AxisField(25, 4, 2), f.Y);
        Assert.Equal((6, 2, 31, 27), f.Box(4, 3, 40, 40));
        Perturb(net, "conv2", 4, 3, [(6, 2), (30, 26), (18, 14)], [(5, 2), (6, 1), (31, 26), (30, 27)]);
        // Unit (0, 0) hangs over the top-left edge: [−10, 15) clipped to [0, 15).
        Assert.Equal((0, 0, 15, 15), f.Box(0, 0, 40, 40));
        Perturb(net, "conv2", 0, 0, [(0, 0), (14, 14)], [(15, 0), (0, 15)]);
    }

    [Fact]
    public void DeconvnetProjectionsStayInsideTheBox()
    {
        using var net = TopKTestData.Net(Backends.Reference, 9, side: 40);
        var data = new TopKTestData(4, 40, 3);
        using var x = RawConv.Algorithms.Data.DatasetExtensions.Get(data, net.Backend, [0, 1, 2, 3]).X;
        foreach (var (layer, c, y, xx) in new[] { ("conv1", 3, 0, 19), ("conv2", 5, 4, 3), ("pool2", 7, 1, 4) })
        {
            using var p = Deconvnet.Project(net, x, UnitChoice.At(layer, c, y, xx));
            var (y0, x0, y1, x1) = ReceptiveField.Of(net.Spec, layer).Box(y, xx, 40, 40);
            var v = p.Input.ToArray();
            for (int n = 0; n < 4; n++)
                for (int py = 0; py < 40; py++)
                    for (int px = 0; px < 40; px++)
                        if (py < y0 || py >= y1 || px < x0 || px >= x1)
                            Assert.True(v[(n * 40 + py) * 40 + px] == 0, $"{layer} ({c}, {y}, {xx}): projection nonzero at ({py}, {px}) outside [{y0}, {y1})×[{x0}, {x1})");
        }
    }
}
