using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph;

/// <summary>The "random-multiscale" zoo entry: its names, its architecture and its seeded filters.</summary>
public class ZooMultiScaleTests
{
    [Fact]
    public void NamesGiveSeedFiltersAndSizes()
    {
        Assert.Equal("0:32:3,5,7,11,15,23", Norm(Zoo.ParseRandomMultiScale("random-multiscale")));
        Assert.Equal("7:32:3,5,7,11,15,23", Norm(Zoo.ParseRandomMultiScale("random-multiscale:7")));
        Assert.Equal("2:8:3,9", Norm(Zoo.ParseRandomMultiScale("random-multiscale:2:8:3,9")));
        Assert.Equal("1:128:3,5,7,11,15,23,37,55", Norm(Zoo.ParseRandomMultiScale("random-multiscale:1:paper")));
        Assert.True(Zoo.Has("random-multiscale:1:paper") && Zoo.HasOwnWeights("random-multiscale") && !Zoo.HasOwnWeights("vgg19"));
        var spec = Zoo.Get("random-multiscale:4:16:3,5");
        Assert.Equal(["conv", "relu"], spec.Layers.Select(l => l.Name));
        Assert.Equal(new MultiScaleConvLayer("conv", 16, [3, 5], Bias: false), spec.Layers[0]);
        Assert.Equal(new Shape(3, 128, 128), spec.Input);
        // the paper's configuration: 128·3·(9 + 25 + 49 + 121 + 225 + 529 + 1369 + 3025) multiply-adds per pixel
        Assert.Equal(128L * 3 * 5352 * 128 * 128, Zoo.Get("random-multiscale:0:paper").MultiplyAdds());
    }

    private static string Norm((int Seed, int Filters, int[] Sizes) p) => $"{p.Seed}:{p.Filters}:{string.Join(",", p.Sizes)}";

    [Theory]
    [InlineData("random-multiscale:x")]
    [InlineData("random-multiscale:0:0")]
    [InlineData("random-multiscale:0:4:3,,5")]
    [InlineData("random-multiscale:0:4:3:5")]
    public void BadNamesSayWhatIsExpected(string name)
    {
        var e = Assert.Throws<RawConvException>(() => Zoo.Get(name));
        Assert.Contains($"model '{name}': expected random-multiscale[:SEED[:FILTERS[:SIZES]]]", e.Message);
    }

    [Fact]
    public void EvenOrUnorderedSizesAreRefusedNamingTheLayer()
    {
        var e = Assert.Throws<RawConvException>(() => Zoo.Get("random-multiscale:0:4:3,4"));
        Assert.Contains("layer 'conv' (multiscale_conv): kernel sizes 3, 4 must all be odd", e.Message);
    }

    [Fact]
    public void FiltersAreSeededUnitNormAndZeroOutsideTheirWindow()
    {
        int[] sizes = [1, 3, 5];
        var w = Zoo.RandomMultiScaleWeights(4, 3, sizes, 5);
        Assert.Equal(w, Zoo.RandomMultiScaleWeights(4, 3, sizes, 5));
        Assert.NotEqual(w, Zoo.RandomMultiScaleWeights(4, 3, sizes, 6));
        Assert.Equal(12 * 3 * 25, w.Length);
        for (int row = 0; row < 12; row++)
        {
            int k = sizes[row / 4], off = (5 - k) / 2;
            double norm = 0;
            for (int i = 0; i < 3 * 25; i++)
            {
                float v = w[row * 75 + i];
                int y = i % 25 / 5 - off, x = i % 5 - off;
                if (y < 0 || y >= k || x < 0 || x >= k) Assert.Equal(0f, v);
                else Assert.InRange(Math.Abs(v), 1e-6f, 1f);
                norm += (double)v * v;
            }
            Assert.Equal(1.0, norm, 1e-5);
        }
    }

    [Fact]
    public void WithOwnWeightsLoadsTheSeededFilters()
    {
        using var net = Zoo.WithOwnWeights("random-multiscale:3:2:3,5", Backends.Reference);
        Assert.Equal(Zoo.RandomMultiScaleWeights(2, 3, [3, 5], 3), net.Parameters["conv"].Weight.ToArray());
        Assert.Null(net.Parameters["conv"].Bias);
        Assert.Equal("random-multiscale:3:2:3,5", net.Source);
    }
}
