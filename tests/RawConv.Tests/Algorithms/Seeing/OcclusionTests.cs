using RawConv.Algorithms;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>Occlusion sensitivity: the batched scan against a naive loop of batch-1 forwards on explicitly occluded inputs.</summary>
public abstract class OcclusionTests : BackendTest
{
    /// <summary>A narrow mini-AlexNet at the default 40×40 canvas, to keep the reference backend quick.</summary>
    internal static readonly MiniAlexNetConfig Small = new(C1: 8, C2: 16, C3: 16, C4: 16, C5: 16, Fc: 32);

    /// <summary>What `rawconv train` stores: pixel / 255, mean 0, std 1.</summary>
    internal static readonly Preprocessing Pre = new(ChannelOrder.RGB, [0f], [1f], 1f / 255f, 40, 40);

    internal static Net SmallNet(IBackend b, int seed)
    {
        var net = new Net(MiniAlexNet.Spec(Small), b);
        net.InitializeRandom(seed);
        return net;
    }

    /// <summary>Softmax probabilities, the chosen layer's output and the label of one image, by one forward of batch 1.</summary>
    private static (float[] Probs, float[] Layer) Single(Net net, float[] image, string layer)
    {
        using var x = Tensor.FromArray(net.Backend, new Shape(1, 1, 40, 40), image);
        using var pass = net.Forward(x);
        return (pass.Output.ToArray(), pass[layer].ToArray());
    }

    [SkippableTheory]
    [InlineData(10, 7, "conv3", 3, "200")]
    [InlineData(8, 8, null, null, "mean")]
    public void MapsEqualANaiveLoopOfSingleForwards(int size, int stride, string? layer, int? cls, string fill)
    {
        using var net = SmallNet(B, 11);
        var image = Rand.Uniform(5, 40 * 40, 0, 1);
        using var x = Tensor.FromArray(B, new Shape(1, 1, 40, 40), image);
        var r = Occlusion.Run(net, x, Pre, new OcclusionOptions(size, stride, OcclusionFill.Parse(fill), cls, layer, BatchSize: 7));

        string l = layer ?? "relu5";
        Assert.Equal(l, r.Layer);
        float value = fill == "mean" ? 0f : float.Parse(fill) / 255f;
        var (p0, a0) = Single(net, image, l);
        int top = 0;
        for (int k = 1; k < p0.Length; k++) if (p0[k] > p0[top]) top = k;
        int target = cls ?? top;
        int plane = a0.Length / 16, strongest = 0; // conv3 and relu5 both have 16 maps in Small
        for (int i = 1; i < a0.Length; i++) if (a0[i] > a0[strongest]) strongest = i;
        int map = strongest / plane;
        Assert.Equal(target, r.Class);
        Assert.Equal(map, r.FeatureMap);
        Assert.Equal(top, r.BaselineLabel);
        Assert.Equal(p0[target], r.BaselineProbability, 1e-6);

        var starts = new List<int>();
        for (int v = 0; v <= 40 - size; v += stride) starts.Add(v);
        if (starts[^1] != 40 - size) starts.Add(40 - size);
        Assert.Equal(starts, r.Ys);
        Assert.Equal(starts, r.Xs);
        Assert.Equal((starts.Count, starts.Count), (r.Rows, r.Cols));

        var prob = new float[r.Rows * r.Cols];
        var act = new float[prob.Length];
        for (int row = 0; row < r.Rows; row++)
            for (int col = 0; col < r.Cols; col++)
            {
                var occluded = (float[])image.Clone();
                for (int y = starts[row]; y < starts[row] + size; y++)
                    for (int xx = starts[col]; xx < starts[col] + size; xx++) occluded[y * 40 + xx] = value;
                var (p, a) = Single(net, occluded, l);
                int i = row * r.Cols + col;
                prob[i] = p[target];
                act[i] = a.Skip(map * plane).Take(plane).Sum();
                int best = 0;
                for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
                var sorted = p.OrderDescending().ToArray();
                if (sorted[0] - sorted[1] > 1e-5f) Assert.True(best == r.Label[i], $"label at ({row}, {col}): {r.Label[i]}, naive {best}");
            }
        Check.Close(r.Probability, prob, 1e-5, 1e-4, "occlusion P(class)");
        Check.Close(r.Activation, act, 1e-4 * Math.Max(1, act.Max(Math.Abs)), 1e-4, "occlusion map activation");
        Assert.Contains(r.Probability, v => Math.Abs(v - r.BaselineProbability) > 1e-6);
    }

    [SkippableFact]
    public void ProgressCountsEveryPositionOnce()
    {
        using var net = SmallNet(B, 2);
        using var x = Tensor.FromArray(B, new Shape(1, 1, 40, 40), Rand.Uniform(1, 1600, 0, 1));
        var steps = new List<int>();
        var r = Occlusion.Run(net, x, Pre, new OcclusionOptions(20, 10, BatchSize: 4), steps.Add);
        Assert.Equal([4, 4, 1], steps);
        Assert.Equal([0, 10, 20], r.Ys);
    }
}

public sealed class OcclusionOpenClTests : OcclusionTests { protected override string BackendName => "opencl"; }
public sealed class OcclusionCudaTests : OcclusionTests { protected override string BackendName => "cuda"; }
public sealed class OcclusionReferenceTests : OcclusionTests { protected override string BackendName => "reference"; }

/// <summary>Positions, fills, the default layer and bad inputs, by hand.</summary>
public class OcclusionLayoutTests
{
    [Theory]
    [InlineData(10, 4, 3, new[] { 0, 3, 6 })]
    [InlineData(10, 4, 4, new[] { 0, 4, 6 })]
    [InlineData(11, 3, 5, new[] { 0, 5, 8 })]
    [InlineData(5, 5, 1, new[] { 0 })]
    [InlineData(7, 1, 3, new[] { 0, 3, 6 })]
    public void PositionsStepByTheStrideAndEndFlushWithTheEdge(int extent, int size, int stride, int[] expected) =>
        Assert.Equal(expected, Occlusion.Positions(extent, size, stride));

    [Fact]
    public void FillsGoThroughThePreprocessingPerChannel()
    {
        Assert.Equal([24f, 11f, 5f], OcclusionFill.Grey.Values(Preprocessing.Caffe, 3));
        Assert.Equal([-104f, -117f, -123f], OcclusionFill.Parse("zero").Values(Preprocessing.Caffe, 3));
        Assert.Equal([0f, 0f, 0f], OcclusionFill.Parse("mean").Values(Preprocessing.Caffe, 3));
        var t = OcclusionFill.Parse("255").Values(Preprocessing.Torchvision, 3);
        Check.Close(t, [(1 - 0.485f) / 0.229f, (1 - 0.456f) / 0.224f, (1 - 0.406f) / 0.225f], 1e-5, 1e-5, "torchvision white");
        var e = Assert.Throws<RawConvException>(() => OcclusionFill.Parse("grey"));
        Assert.Contains("'grey'", e.Message);
        Assert.Throws<RawConvException>(() => OcclusionFill.Parse("300"));
    }

    [Fact]
    public void OccludeFillsTheBoxOnlyPerChannel()
    {
        var img = Enumerable.Range(0, 2 * 3 * 4).Select(i => (float)i).ToArray();
        var dst = new float[img.Length];
        NetQueries.Occlude(img, dst, 2, 3, 4, new Box(1, 1, 3, 3), [-1f, -2f]);
        var expected = (float[])img.Clone();
        foreach (var (c, v) in new[] { (0, -1f), (1, -2f) })
            foreach (int y in new[] { 1, 2 })
                foreach (int x in new[] { 1, 2 }) expected[(c * 3 + y) * 4 + x] = v;
        Assert.Equal(expected, dst);
    }

    [Fact]
    public void DefaultLayerIsTheLastConvolutionsRectifiedOutput()
    {
        Assert.Equal("relu5", Occlusion.DefaultLayer(MiniAlexNet.Spec()));
        Assert.Equal("relu5", Occlusion.DefaultLayer(Zoo.Get("bvlc_alexnet")));
    }

    [Fact]
    public void BadInputsNameWhatIsWrong()
    {
        using var net = OcclusionTests.SmallNet(Backends.Reference, 1);
        using var x = Tensor.FromArray(Backends.Reference, new Shape(1, 1, 40, 40), new float[1600]);
        var big = Assert.Throws<RawConvException>(() => Occlusion.Run(net, x, OcclusionTests.Pre, new OcclusionOptions(Size: 41)));
        Assert.Contains("size 41", big.Message);
        Assert.Contains("40", big.Message);
        var stride = Assert.Throws<RawConvException>(() => Occlusion.Run(net, x, OcclusionTests.Pre, new OcclusionOptions(Stride: 0)));
        Assert.Contains("stride 0", stride.Message);
        var cls = Assert.Throws<RawConvException>(() => Occlusion.Run(net, x, OcclusionTests.Pre, new OcclusionOptions(Size: 40, Class: 10)));
        Assert.Contains("class 10", cls.Message);
        var layer = Assert.Throws<RawConvException>(() => Occlusion.Run(net, x, OcclusionTests.Pre, new OcclusionOptions(Size: 40, Layer: "conv9")));
        Assert.Contains("conv9", layer.Message);
        using var two = Tensor.FromArray(Backends.Reference, new Shape(2, 1, 40, 40), new float[3200]);
        var batch = Assert.Throws<RawConvException>(() => Occlusion.Run(net, two, OcclusionTests.Pre));
        Assert.Contains("one image", batch.Message);
        using var rgb = Tensor.FromArray(Backends.Reference, new Shape(1, 3, 40, 40), new float[4800]);
        var shape = Assert.Throws<RawConvException>(() => Occlusion.Run(net, rgb, OcclusionTests.Pre));
        Assert.Contains("(1, 3, 40, 40) does not match the input (1, 1, 40, 40)", shape.Message);
    }
}
