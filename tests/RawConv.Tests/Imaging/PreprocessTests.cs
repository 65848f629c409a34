using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Imaging;

/// <summary>The Caffe and torchvision presets against their Python pipelines; Deprocess as the exact inverse.</summary>
public class PreprocessTests(ITestOutputHelper output)
{
    private static readonly IBackend B = new ReferenceBackend();

    private static (float Max, double Mean) Diff(float[] a, float[] e)
    {
        Assert.Equal(e.Length, a.Length);
        float max = 0;
        double sum = 0;
        for (int i = 0; i < a.Length; i++) { float d = Math.Abs(a[i] - e[i]); max = Math.Max(max, d); sum += d; }
        return (max, sum / a.Length);
    }

    [SkippableFact]
    public void TorchvisionPresetMatchesTransforms()
    {
        foreach (var name in File.ReadAllLines(Path.Combine(PrepRef.Dir, "manifest.tsv")).Where(l => l.Length > 0))
        {
            var img = ImageIO.Load(Path.Combine(PrepRef.Dir, "in", name + ".png"));
            using var t = Preprocess.ToTensor(img, Preprocessing.Torchvision, B);
            Assert.Equal(Shape.Nchw(1, 3, 224, 224), t.Shape);
            var (shape, exp) = PrepRef.Load("tv_" + name);
            Assert.Equal(new[] { 3, 224, 224 }, shape);
            var (max, mean) = Diff(t.ToArray(), (float[])exp);
            output.WriteLine($"torchvision {name}: max abs diff {max:E2}, mean {mean:E2}");
            // Pillow-exact resize and crop; ToTensor divides by 255 where we multiply by 1/255f: ≤ 1 ulp before
            // Normalize, ≤ 1e-6 after dividing by std ≈ 0.225.
            Check.Close(t.ToArray(), (float[])exp, 1e-6, 0, $"torchvision preset {name}");
        }
    }

    [SkippableFact]
    public void CaffePresetMatchesHandPipelineExactly()
    {
        foreach (var name in File.ReadAllLines(Path.Combine(PrepRef.Dir, "manifest.tsv")).Where(l => l.Length > 0))
        {
            var img = ImageIO.Load(Path.Combine(PrepRef.Dir, "in", name + ".png"));
            var (f, h, w) = Preprocess.ToPlanes(img, Preprocessing.Caffe);
            Assert.Equal((227, 227), (h, w));
            var (_, exp) = PrepRef.Load("caffe_" + name);
            Assert.Equal(0f, Diff(f, (float[])exp).Max);
        }
    }

    [SkippableFact]
    public void OurJpegDecodeStaysWithinAGreyLevelOrTwo()
    {
        // The whole chain from the .jpg (measured: identical to Pillow's decode on these photos, max 0); the bound
        // leaves room for the decoder's documented few-level differences at rare pixels, averaged down by resizing.
        foreach (var name in new[] { "dog", "eagle", "scream" })
        {
            var (f, _, _) = Preprocess.ToPlanes(ImageIO.Load($"/usr/share/darknet/data/{name}.jpg"), Preprocessing.Caffe);
            var (max, mean) = Diff(f, (float[])PrepRef.Load("caffe_" + name).Data);
            output.WriteLine($"caffe from .jpg {name}: max {max} grey levels, mean {mean:F4}");
            Assert.True(max <= 2 && mean < 0.1, $"{name}: max {max}, mean {mean}");
        }
    }

    private static Image RandomImage(int w, int h, int ch, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(w, h, ch);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)rng.Next(256);
        return img;
    }

    [Fact]
    public void DeprocessInvertsPreprocessExactly()
    {
        var img = RandomImage(301, 263, 3, 3);
        var withMeanImage = Preprocessing.Caffe with { MeanImage = MeanImageOf(3, 256, 256, (c, y, x) => 90 + c * 7 + (y * 31 + x * 17) % 40 * 0.37f) };
        var noResize = new Preprocessing(ChannelOrder.BGR, [0.3f], [0.61f], 0.017f, 0, 0);
        foreach (var o in new[] { Preprocessing.Caffe, Preprocessing.Torchvision, withMeanImage, noResize })
        {
            using var t = Preprocess.ToTensor(img, o, B);
            var back = Deprocess.ToImage(t, o);
            Assert.Equal(Preprocess.Geometry(img, o).Data, back.Data);
        }
    }

    private static MeanImage MeanImageOf(int c, int h, int w, Func<int, int, int, float> f)
    {
        var d = new float[c * h * w];
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) d[(k * h + y) * w + x] = f(k, y, x);
        return new MeanImage(d, c, h, w);
    }

    [Fact]
    public void MeanImageIsCentreCroppedAndSubtracted()
    {
        var img = RandomImage(9, 8, 3, 5);
        var o = new Preprocessing(ChannelOrder.RGB, [], [], 1f, 4, 5) { ResizeShorter = 0, MeanImage = MeanImageOf(3, 7, 8, (c, y, x) => c * 100 + y * 10 + x) };
        var (f, h, w) = Preprocess.ToPlanes(img, o);
        // image crop: left round(4/2)=2, top round(4/2)=2; mean crop: left round(3/2)=2 (half-even), top round(3/2)=2
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    Assert.Equal(img[x + 2, y + 2, c] - (c * 100 + (y + 2) * 10 + x + 2), f[(c * h + y) * w + x]);
    }

    [Fact]
    public void MeanImageReadsFromNpy()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rawconv-mean-{Environment.ProcessId}.npy");
        try
        {
            Npy.Write(path, [1, 3, 2, 2], Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
            var m = Preprocess.ReadMeanImage(path);
            Assert.Equal((3, 2, 2), (m.Channels, m.Height, m.Width));
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), m.Data);
            Npy.Write(path, [12], new float[12]);
            Assert.Throws<RawConvException>(() => Preprocess.ReadMeanImage(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CentreCropRoundsHalfToEvenAndPads()
    {
        var img = RandomImage(10, 7, 1, 1);
        var c = Preprocess.CenterCrop(img, 5, 4); // left round(2.5) = 2, top round(1.5) = 2
        Assert.Equal(img[2, 2, 0], c[0, 0, 0]);
        Assert.Equal(img[6, 5, 0], c[4, 3, 0]);
        var small = RandomImage(3, 2, 1, 2);
        var p = Preprocess.CenterCrop(small, 6, 5); // pad left 1, top 1; right 2, bottom 2
        Assert.Equal(small[0, 0, 0], p[1, 1, 0]);
        Assert.Equal(small[2, 1, 0], p[3, 2, 0]);
        Assert.Equal(0, p[0, 0, 0] + p[4, 1, 0] + p[1, 3, 0] + p[5, 4, 0]);
    }

    [Fact]
    public void GreyIsExpandedAlphaDroppedAndBatchesStack()
    {
        var grey = RandomImage(40, 30, 1, 4);
        var (g, h, w) = Preprocess.ToPlanes(grey, Preprocessing.Caffe with { ResizeShorter = 0, Height = 20, Width = 20 });
        int plane = h * w;
        for (int p = 0; p < plane; p++)
        {
            Assert.Equal(g[p] + 104, g[2 * plane + p] + 123, 4);
            Assert.Equal(g[plane + p] + 117, g[2 * plane + p] + 123, 4);
        }
        var rgba = RandomImage(50, 37, 4, 6);
        var rgb = new Image(50, 37, 3);
        for (int p = 0; p < 50 * 37; p++) for (int c = 0; c < 3; c++) rgb.Data[p * 3 + c] = rgba.Data[p * 4 + c];
        var o = Preprocessing.Torchvision with { ResizeShorter = 33, Height = 30, Width = 30 };
        Assert.Equal(Preprocess.ToPlanes(rgb, o).Data, Preprocess.ToPlanes(rgba, o).Data);
        using var batch = Preprocess.Batch([rgb, grey], o, B);
        Assert.Equal(Shape.Nchw(2, 3, 30, 30), batch.Shape);
        Assert.Equal(Preprocess.ToPlanes(grey, o).Data, batch.ToArray()[(3 * 900)..]);
        Assert.Throws<RawConvException>(() => Preprocess.Batch([rgb, grey], o with { ResizeShorter = 0, Height = 0 }, B));
    }

    [Fact]
    public void NormalizeAndPercentile()
    {
        Assert.Equal(1.75, Deprocess.Percentile(new float[] { 4, 1, 3, 2 }, 25), 12);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 1f }, Deprocess.Normalize(new float[] { -2, -1, 0, 2 }));
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 1f }, Deprocess.Normalize(new float[] { -2, -1, 0, 2 }, NormalizeMode.Symmetric));
        var v = Enumerable.Range(0, 101).Select(i => (float)i).ToArray();
        v[100] = 1e6f; // an outlier: with 1% clipping the ends are the 1st and 99th percentiles, 1 and 99
        var n = Deprocess.Normalize(v, NormalizeMode.MinMax, 1);
        double hi = 99;
        Assert.Equal(0f, n[0]);
        Assert.Equal((float)((50 - 1) / (hi - 1)), n[50], 5);
        Assert.Equal(1f, n[100]);
        Assert.All(Deprocess.Normalize(new float[] { 3, 3 }), x => Assert.Equal(0f, x));
        using var t = Tensor.FromArray(B, Shape.Nchw(2, 1, 1, 2), new float[] { 0, 1, 10, 30 });
        Assert.Equal(new[] { 0f, 1, 0, 1 }, Deprocess.Normalize(t).ToArray());
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var img = RandomImage(8, 8, 3, 7);
        Assert.Throws<RawConvException>(() => Preprocess.ToPlanes(img, Preprocessing.Torchvision with { Std = [0.2f, 0f, 0.2f] }));
        Assert.Throws<RawConvException>(() => Preprocess.ToPlanes(img, Preprocessing.Caffe with { Mean = [1f, 2f] }));
        Assert.Throws<RawConvException>(() => Preprocess.ToPlanes(img, new Preprocessing(ChannelOrder.RGB, [], [], 1, 4, 4) { ResizeShorter = 0, MeanImage = new MeanImage(new float[27], 3, 3, 3) }));
        Assert.Throws<RawConvException>(() => Deprocess.Normalize(new float[3], NormalizeMode.MinMax, 60));
        using var t = Tensor.FromArray(B, Shape.Nchw(2, 3, 2, 2), new float[24]);
        Assert.Throws<RawConvException>(() => Deprocess.ToImage(t, Preprocessing.Caffe));
    }
}
