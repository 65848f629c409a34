using RawConv.Algorithms;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms;

/// <summary>Images to network input: grey by luma, letterboxing onto the canvas, the resize/crop rule and normalization, against hand-computed values.</summary>
public class NetInputTests
{
    /// <summary>The default model's kind of preprocessing: grey, pixels/255, 40×40 canvas with 28-pixel letterbox.</summary>
    private static readonly Preprocessing Canvas = new(ChannelOrder.RGB, [0f], [1f], 1f / 255f, 40, 40) { Letterbox = 28 };

    [Fact]
    public void GreyIsPillowsLumaOfTheRgbPixel()
    {
        var rgb = new Image(3, 1, 3, 8, [255, 0, 0, 0, 255, 0, 10, 20, 30]);
        var grey = NetInput.Fit(rgb, 1);
        // (r·19595 + g·38470 + b·7471 + 32768) >> 16: red 76, green 150, (10, 20, 30) → 18.
        Assert.Equal([76, 150, 18], grey.Data);
        Assert.Equal(rgb.Data, NetInput.Fit(rgb, 3).Data);
        Assert.Contains("4 input channels", Assert.Throws<RawConvException>(() => NetInput.Fit(rgb, 4)).Message);
    }

    [Fact]
    public void LetterboxCentresTheScaledImageOnABlackCanvas()
    {
        var wide = new Image(56, 28, 1, 8, Enumerable.Repeat((ushort)200, 56 * 28).ToArray());
        var boxed = Preprocess.Letterbox(wide, Canvas);
        Assert.Equal((40, 40), (boxed.Width, boxed.Height));
        // 56×28 scaled by 28/56 to 28×14, top (40 − 14)/2 = 13, left (40 − 28)/2 = 6.
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 40; x++)
                Assert.Equal(y >= 13 && y < 27 && x >= 6 && x < 34 ? 200 : 0, boxed.Data[y * 40 + x]);
        var plain = Canvas with { Letterbox = 0 };
        Assert.Same(wide, Preprocess.Letterbox(wide, plain));
    }

    [Fact]
    public void FromImagesNormalizesTheLetterboxedGreyPicture()
    {
        var img = new Image(28, 28, 3, 8, Enumerable.Range(0, 28 * 28 * 3).Select(i => (ushort)(i / 3 % 256)).ToArray());
        using var x = NetInput.FromImages([img], Canvas, 1, Backends.Reference);
        Assert.Equal(new Shape(1, 1, 40, 40), x.Shape);
        var v = x.ToArray();
        for (int y = 0; y < 40; y++)
            for (int c = 0; c < 40; c++)
            {
                bool inside = y >= 6 && y < 34 && c >= 6 && c < 34;
                int p = (y - 6) * 28 + (c - 6);
                float expected = inside ? Preprocess.Luma(p % 256, p % 256, p % 256) * (1f / 255f) : 0f;   // x = v·Scale − 0, / 1
                Assert.Equal(expected, v[y * 40 + c]);
            }
    }

    [Fact]
    public void CaffeInputsResize256AndCropAndTorchvisionKeepsTheRatio()
    {
        var caffe = Preprocessing.Caffe.For(3);
        Assert.Equal((256, 227, 227, ChannelOrder.BGR, 1f, 3), (caffe.ShorterSide, caffe.Height, caffe.Width, caffe.ChannelOrder, caffe.Scale, caffe.Channels));
        Assert.Equal([104f, 117f, 123f], caffe.Mean);
        var tv = (Preprocessing.Torchvision with { Height = 112, Width = 112 }).For(3);
        Assert.Equal((128, 112, 112, ChannelOrder.RGB), (tv.ShorterSide, tv.Height, tv.Width, tv.ChannelOrder));
        var grey = Preprocessing.Caffe.For(1);
        Assert.Equal((ChannelOrder.RGB, 1), (grey.ChannelOrder, grey.Channels));
        Assert.Equal([104f], grey.Mean);
        Assert.Equal([1f], grey.Std);
        Assert.Equal(0, Canvas.For(1).ShorterSide);
        Assert.Equal(0, (Preprocessing.Caffe with { ResizeShorter = 0 }).ShorterSide);
    }

    [Fact]
    public void StoredFormIsUnchangedByThePipelineSettings()
    {
        var json = Canvas.ToJson();
        Assert.Equal("""{"channelOrder":"RGB","mean":[0],"std":[1],"scale":0.003921569,"height":40,"width":40,"letterbox":28}""", json);
        Assert.Equal(json, (Canvas.For(1) with { ResizeShorter = 7 }).ToJson());
        Assert.Equal(Canvas, Preprocessing.FromJson(json));
    }
}
