using RawConv.Imaging;

namespace RawConv.Tests.Imaging;

/// <summary>Captum-style overlay modes on hand-made inputs.</summary>
public class OverlayTests
{
    private static (int, int, int) Px(Image img, int x, int y) => (img[x, y, 0], img[x, y, 1], img[x, y, 2]);
    private static (int, int, int) C((byte R, byte G, byte B) c) => (c.R, c.G, c.B);

    [Fact]
    public void CumulativeSumThresholdAndNormalization()
    {
        Assert.Equal(4f, Overlay.CumulativeSumThreshold(new float[] { 3, 1, 4, 2 }, 98)); // running sums 1, 3, 6, 10 ≥ 9.8
        Assert.Equal(3f, Overlay.CumulativeSumThreshold(new float[] { 3, 1, 4, 2 }, 50)); // 6 ≥ 5
        var map = new float[] { -4, -1, 0, 2, 3 };
        Assert.Equal(new[] { -1f, -0.25f, 0, 0.5f, 0.75f }, Overlay.NormalizeAttribution(map, OverlaySign.All));
        Assert.Equal(new[] { 0f, 0, 0, 2 / 3f, 1 }, Overlay.NormalizeAttribution(map, OverlaySign.Positive)); // 3 reaches 98% of 5
        Assert.Equal(new[] { 1f, 0.25f, 0, 0, 0 }, Overlay.NormalizeAttribution(map, OverlaySign.Negative));
        Assert.Equal(new[] { 1f, 0.25f, 0, 0.5f, 0.75f }, Overlay.NormalizeAttribution(map, OverlaySign.AbsoluteValue));
        Assert.Equal(new[] { -1f, -1 / 3f, 0, 2 / 3f, 1 }, Overlay.NormalizeAttribution(map, OverlaySign.All, 60)); // sums 0, 1, 3, 6 ≥ 40% of 10 → 3
        Assert.Equal(new[] { 4f, 6 }, Overlay.SumChannels([1, 2, 3, 4], 2, 1, 2));
    }

    [Fact]
    public void AMapZeroWhereTheSignIsShownIsBlankWhenAsked()
    {
        Assert.Equal(new float[4], Overlay.NormalizeAttribution(new float[4], OverlaySign.AbsoluteValue, zeroIsBlank: true));
        Assert.Equal(new float[3], Overlay.NormalizeAttribution(new float[] { 1, 2, 0 }, OverlaySign.Negative, zeroIsBlank: true));
        var img = new Image(2, 1, 3);
        Array.Fill(img.Data, (ushort)200);
        var masked = Overlay.Render(img, new float[2], 1, 2, new OverlayOptions { Method = OverlayMethod.MaskedImage, ZeroIsBlank = true });
        Assert.All(masked.Data, v => Assert.Equal(0, v)); // nothing salient: the masked picture is black
    }

    [Fact]
    public void HeatMapUsesCaptumDefaultColormaps()
    {
        var img = new Image(5, 1, 3);
        var map = new float[] { -4, -1, 0, 2, 3 };
        var all = Overlay.Render(img, map, 1, 5, new OverlayOptions { Method = OverlayMethod.HeatMap, Sign = OverlaySign.All });
        Assert.Equal((255, 0, 0), Px(all, 0, 0)); // −1 ↦ pure red
        Assert.Equal(C(Colormap.Get("rdwhgn").Color(0.5f, -1, 1)), Px(all, 3, 0));
        var neg = Overlay.Render(img, map, 1, 5, new OverlayOptions { Method = OverlayMethod.HeatMap, Sign = OverlaySign.Negative });
        Assert.Equal(C(Colormap.Get("reds").Color(1, 0, 1)), Px(neg, 0, 0));
        Assert.Equal(C(Colormap.Get("reds").Color(0, 0, 1)), Px(neg, 4, 0));
        var own = Overlay.Render(img, map, 1, 5, new OverlayOptions { Method = OverlayMethod.HeatMap, Colormap = "inferno" });
        Assert.Equal(C(Colormap.Get("inferno").Color(0.25f, 0, 1)), Px(own, 1, 0));
    }

    [Fact]
    public void BlendedHeatMapMixesHalfAndHalfOverAStretchedGrey()
    {
        var img = new Image(2, 1, 3, 8, [0, 0, 0, 30, 60, 90]); // channel means 0 and 60 → grey 0 and 255 after stretching
        var r = Overlay.Render(img, [0, 1], 1, 2);
        var (b0, b1) = (C(Colormap.Get("blues").Color(0, 0, 1)), C(Colormap.Get("blues").Color(1, 0, 1)));
        int H(int heat, int grey) => (int)MathF.Round(0.5f * heat + 0.5f * grey);
        Assert.Equal((H(b0.Item1, 0), H(b0.Item2, 0), H(b0.Item3, 0)), Px(r, 0, 0));
        Assert.Equal((H(b1.Item1, 255), H(b1.Item2, 255), H(b1.Item3, 255)), Px(r, 1, 0));
        var full = Overlay.Render(img, [0, 1], 1, 2, new OverlayOptions { Alpha = 1 });
        Assert.Equal(b1, Px(full, 1, 0));
    }

    [Fact]
    public void MaskedImageAndAlphaScalingTruncateLikeCaptum()
    {
        var img = new Image(3, 1, 3, 8, [200, 100, 50, 200, 100, 50, 200, 100, 50]);
        float[] map = [2, 0.6f, -1]; // positive part 2, 0.6, 0: threshold 2 → 1, 0.3, 0
        var m = Overlay.Render(img, map, 1, 3, new OverlayOptions { Method = OverlayMethod.MaskedImage, Sign = OverlaySign.Positive });
        Assert.Equal((200, 100, 50), Px(m, 0, 0));
        Assert.Equal((60, 30, 15), Px(m, 1, 0));
        Assert.Equal((0, 0, 0), Px(m, 2, 0));
        var a = Overlay.Render(img, map, 1, 3, new OverlayOptions { Method = OverlayMethod.AlphaScaling, Sign = OverlaySign.Positive });
        Assert.Equal(4, a.Channels);
        Assert.Equal(new ushort[] { 255, 76, 0 }, new[] { a[0, 0, 3], a[1, 0, 3], a[2, 0, 3] }); // ⌊0.3·255⌋ = 76
        Assert.Equal((200, 100, 50), Px(a, 1, 0));
        Assert.Throws<RawConvException>(() => Overlay.Render(img, map, 1, 3, new OverlayOptions { Method = OverlayMethod.MaskedImage, Sign = OverlaySign.All }));
    }

    [Fact]
    public void MaskByPercentileKeepsTheStrongPixels()
    {
        var img = new Image(5, 1, 3);
        Array.Fill(img.Data, (ushort)99);
        var r = Overlay.MaskByPercentile(img, [0, -1, 2, -3, 4], 1, 5, 50, (7, 8, 9)); // median of |map| = 2
        Assert.Equal(new[] { (7, 8, 9), (7, 8, 9), (99, 99, 99), (99, 99, 99), (99, 99, 99) }, Enumerable.Range(0, 5).Select(x => Px(r, x, 0)).ToArray());
    }

    [Fact]
    public void SignedShowsPositiveRedNegativeBlue()
    {
        var s = Overlay.Signed([-2, 0, 2, 1], 2, 2);
        Assert.Equal((0, 0, 255), Px(s, 0, 0));
        Assert.Equal((255, 0, 0), Px(s, 0, 1));
        var (r, g, b) = Px(s, 1, 0);
        Assert.True(r == 255 && g > 250 && b > 250, $"0 should be near white, got {r},{g},{b}");
    }

    [Fact]
    public void SmallerMapsAreResizedToTheImage()
    {
        var img = new Image(6, 4, 3);
        var r = Overlay.Render(img, [5, 5, 5, 5], 2, 2, new OverlayOptions { Method = OverlayMethod.HeatMap });
        Assert.Equal((6, 4), (r.Width, r.Height));
        Assert.All(Enumerable.Range(0, 24), p => Assert.Equal(Px(r, 0, 0), Px(r, p % 6, p / 6)));
        Assert.Throws<RawConvException>(() => Overlay.Render(img, [1, 2, 3], 2, 2));
        Assert.Throws<RawConvException>(() => Overlay.Render(img, [0, 0, 0, 0], 2, 2));
    }
}
