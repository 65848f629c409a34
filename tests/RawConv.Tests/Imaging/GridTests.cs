using RawConv.Imaging;

namespace RawConv.Tests.Imaging;

/// <summary>Grid layout and tile placement checked by hand.</summary>
public class GridTests
{
    [Fact]
    public void LayoutIsNearSquareOrFollowsTheGivenSide()
    {
        Assert.Equal((10, 10), Grid.Layout(96));
        Assert.Equal((2, 3), Grid.Layout(5));
        Assert.Equal((1, 1), Grid.Layout(1));
        Assert.Equal((2, 4), Grid.Layout(7, rows: 2));
        Assert.Equal((2, 5), Grid.Layout(7, cols: 5));
        Assert.Throws<RawConvException>(() => Grid.Layout(7, 2, 3));
    }

    private static (int, int, int) Px(Image img, int x, int y) => (img[x, y, 0], img[x, y, 1], img[x, y, 2]);

    [Fact]
    public void FeatureMapsArePlacedPaddedAndUpscaled()
    {
        // 5 maps of 2×3 (h×w), map i holds 10·i + p: per tile min–max gives p/5 → round(51·p) grey.
        var maps = new float[5 * 6];
        for (int i = 0; i < 5; i++) for (int p = 0; p < 6; p++) maps[i * 6 + p] = 10 * i + p;
        var o = new GridOptions { Padding = 1, Upscale = 2, PadColor = (1, 2, 3) };
        var g = Grid.FeatureMaps(maps, 5, 2, 3, o);
        Assert.Equal((22, 11), (g.Width, g.Height)); // 3 cols of 6 px + 4 pads; 2 rows of 4 px + 3 pads
        Assert.Equal((8, 6), Grid.TileOrigin(4, 3, 6, 4, 1));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
            {
                int v = 51 * ((y / 2) * 3 + x / 2);
                Assert.Equal((v, v, v), Px(g, 8 + x, 6 + y));
                Assert.Equal((v, v, v), Px(g, 1 + x, 1 + y)); // tile 0
            }
        foreach (var (x, y) in new[] { (0, 0), (7, 1), (21, 10), (1, 5), (15, 6), (20, 9) }) // border, gaps, the empty 6th cell
            Assert.Equal((1, 2, 3), Px(g, x, y));
    }

    [Fact]
    public void GlobalNormalizationKeepsRelativeStrengthAndColormapsApply()
    {
        var maps = new float[] { 0, 1, 2, 4 }; // two 1×2 maps
        var g = Grid.FeatureMaps(maps, 2, 1, 2, new GridOptions { Normalization = GridNormalization.Global, Padding = 0 });
        Assert.Equal(new ushort[] { 0, 64, 128, 255 }, Enumerable.Range(0, 4).Select(x => g[x, 0, 0]).ToArray());
        var c = Grid.FeatureMaps(maps, 2, 1, 2, new GridOptions { Padding = 0, Colormap = "viridis" });
        Assert.Equal(Colormap.Get("viridis").Color(0, 0, 1), ((byte)c[0, 0, 0], (byte)c[0, 0, 1], (byte)c[0, 0, 2]));
        Assert.Equal(Colormap.Get("viridis").Color(1, 0, 1), ((byte)c[3, 0, 0], (byte)c[3, 0, 1], (byte)c[3, 0, 2]));
        var s = Grid.FeatureMaps(new float[] { -2, 0, 1, 2 }, 1, 2, 2, new GridOptions { Padding = 0, Mode = NormalizeMode.Symmetric });
        Assert.Equal(new ushort[] { 0, 128, 191, 255 }, new[] { s[0, 0, 0], s[1, 0, 0], s[0, 1, 0], s[1, 1, 0] });
    }

    [Fact]
    public void ImagesAreCentredInTheLargestCell()
    {
        var a = new Image(3, 2, 3);
        Array.Fill(a.Data, (ushort)200);
        var b = new Image(1, 1, 1, 8, [77]);
        var g = Grid.Images([a, b], new GridOptions { Padding = 2, PadColor = (9, 9, 9) });
        Assert.Equal((2 * 3 + 3 * 2, 2 + 2 * 2), (g.Width, g.Height));
        Assert.Equal((200, 200, 200), Px(g, 2, 2));
        Assert.Equal((200, 200, 200), Px(g, 4, 3));
        Assert.Equal((77, 77, 77), Px(g, 7 + 1, 2)); // cell 1 at x 7, image offset ((3 − 1)/2, (2 − 1)/2) = (1, 0)
        Assert.Equal((9, 9, 9), Px(g, 7, 2));
        Assert.Equal((9, 9, 9), Px(g, 8, 3));
    }

    [Fact]
    public void BadInputsThrow()
    {
        Assert.Throws<RawConvException>(() => Grid.FeatureMaps(new float[7], 2, 2, 2));
        Assert.Throws<RawConvException>(() => Grid.FeatureMaps(new float[8], 2, 2, 2, new GridOptions { Upscale = 0 }));
        Assert.Throws<RawConvException>(() => Grid.Images([]));
    }
}
