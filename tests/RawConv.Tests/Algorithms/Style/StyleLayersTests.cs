using RawConv.Algorithms.Style;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Style;

/// <summary>The default layers and weights by network, and the max-to-average pooling swap.</summary>
public class StyleLayersTests
{
    [Fact]
    public void DefaultsAreGatysOnVggAndTheMiddleReluElsewhere()
    {
        var vgg = Zoo.Get("vgg19");
        Assert.Equal(["relu4_2"], StyleLayers.DefaultContent(vgg));
        Assert.Equal(["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"], StyleLayers.DefaultStyle(vgg));
        Assert.Equal((1f, 1e3f, 1e-3f), StyleLayers.DefaultWeights(vgg));
        var mini = MiniAlexNet.Spec();
        Assert.Equal(["relu3"], StyleLayers.DefaultContent(mini));
        Assert.Equal(["relu1", "pool1", "pool2", "pool5"], StyleLayers.DefaultStyle(mini));
        Assert.Equal((1f, 1e8f, 1e-2f), StyleLayers.DefaultWeights(mini));
        var multi = Zoo.RandomMultiScale(4, [3, 5]);
        Assert.Equal(["relu"], StyleLayers.DefaultContent(multi));
        Assert.Equal(["relu"], StyleLayers.DefaultStyle(multi));
        Assert.Equal((1f, 1e10f, 1e-2f), StyleLayers.DefaultWeights(multi));
    }

    [Fact]
    public void AveragePoolingSwapsEveryMaxPoolForAnAverageOfTheSameWindow()
    {
        var spec = MiniAlexNet.Spec();
        var avg = StyleLayers.AveragePooling(spec);
        Assert.Equal(spec.Layers.Count, avg.Layers.Count);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (spec.Layers[i] is MaxPoolLayer m)
                Assert.Equal(new AvgPoolLayer(m.Name, m.KernelH, m.KernelW, m.StrideH, m.StrideW, m.PadH, m.PadW, m.CeilMode, CountIncludePad: false), avg.Layers[i]);
            else Assert.Same(spec.Layers[i], avg.Layers[i]);
        }
        Assert.DoesNotContain(avg.Layers, l => l is MaxPoolLayer);

        using var net = new Net(spec, Backends.Reference);
        net.InitializeRandom(2);
        using var swapped = StyleLayers.WithSpec(net, avg);
        using var x = Tensor.FromArray(Backends.Reference, spec.InputShape(), Rand.Uniform(3, spec.InputShape().Count));
        using var a = net.Forward(x, "pool1");
        using var b = swapped.Forward(x, "pool1");
        Assert.Equal(a["norm1"].ToArray(), b["norm1"].ToArray());
        var f = b["norm1"].ToArray();
        var p = b["pool1"].ToArray();
        var (fs, ps) = (b["norm1"].Shape, b["pool1"].Shape);
        // Windows wholly inside the map: the plain mean of the 3×3 window at stride 2.
        for (int c = 0; c < ps.C; c += 7)
            for (int y = 0; y < ps.H - 1; y++)
                for (int xx = 0; xx < ps.W - 1; xx++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < 3; dy++)
                        for (int dx = 0; dx < 3; dx++) sum += f[(c * fs.H + 2 * y + dy) * fs.W + 2 * xx + dx];
                    float got = p[(c * ps.H + y) * ps.W + xx];
                    Assert.True(Math.Abs(got - sum / 9) <= 1e-5 + 1e-4 * Math.Abs(sum / 9), $"pool1[{c}, {y}, {xx}] = {got}, mean {sum / 9}");
                }
    }
}
