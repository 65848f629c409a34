using System.Text;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Imaging;

/// <summary>
/// Pillow/torch/matplotlib references made by tools/dump_preprocess.py under the temp directory, one folder per
/// version of the script, written to a scratch folder and renamed (the pattern of <see cref="RefData"/>).
/// </summary>
public static class PrepRef
{
    private static readonly ScriptRefs Refs = new("dump_preprocess.py", "rawconv-preprocess-ref", "manifest.tsv",
        "PIL, numpy, torch, torchvision, matplotlib", scratch => [scratch], requiredFile: "/usr/share/darknet/data/dog.jpg");

    /// <summary>The reference directory; skips the calling test when it cannot be made.</summary>
    public static string Dir => Refs.Dir;

    /// <summary>Rows of a tab-separated file in the reference directory.</summary>
    public static IEnumerable<string[]> Rows(string file) =>
        File.ReadAllLines(Path.Combine(Dir, file)).Where(l => l.Length > 0).Select(l => l.Split('\t'));

    /// <summary>A reference array: shape and data.</summary>
    public static (int[] Shape, Array Data) Load(string name)
    {
        var (shape, data, _) = Npy.Read(Path.Combine(Dir, name + ".npy"));
        return (shape, data);
    }
}

/// <summary>Resize against Pillow's BILINEAR (8-bit) and PyTorch's antialiased bilinear (float32).</summary>
public class ResizeTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void EightBitMatchesPillowExactly()
    {
        var table = new StringBuilder("case | in | out | max abs diff | differing samples\n");
        var bad = new List<string>();
        int n = 0;
        foreach (var r in PrepRef.Rows("resize.tsv"))
        {
            var img = ImageIO.Load(Path.Combine(PrepRef.Dir, r[1]));
            int w = int.Parse(r[2]), h = int.Parse(r[3]);
            var got = Resize.Bilinear(img, w, h);
            var (shape, data) = PrepRef.Load("resize_" + r[0]);
            var exp = (byte[])data;
            Assert.Equal(shape[0], got.Height);
            Assert.Equal(shape[1], got.Width);
            Assert.Equal(shape.Length == 2 ? 1 : shape[2], got.Channels);
            int max = 0, diff = 0;
            for (int i = 0; i < exp.Length; i++)
            {
                int d = Math.Abs(got.Data[i] - exp[i]);
                max = Math.Max(max, d);
                if (d != 0) diff++;
            }
            table.Append($"{r[0]} | {img.Width}×{img.Height}×{img.Channels} | {w}×{h} | {max} | {diff}\n");
            if (diff > 0) bad.Add($"{r[0]}: {diff} samples differ, max {max}");
            n++;
        }
        output.WriteLine(table.ToString());
        Assert.True(n >= 30, $"only {n} resize cases");
        Assert.True(bad.Count == 0, string.Join("; ", bad) + "\n" + table);
    }

    [SkippableFact]
    public void FloatMatchesTorchAntialias()
    {
        foreach (var r in PrepRef.Rows("fres.tsv"))
        {
            var (si, di) = PrepRef.Load($"fres_{r[0]}_in");
            var (so, dout) = PrepRef.Load($"fres_{r[0]}_out");
            var got = Resize.Bilinear((float[])di, si[0], si[1], si[2], so[1], so[2]);
            var e = (float[])dout;
            output.WriteLine($"float {r[0]} ({si[0]}, {si[1]}, {si[2]}) → ({so[1]}, {so[2]}): max abs diff {got.Zip(e, (a, b) => Math.Abs(a - b)).Max():E2}");
            // Same float32 operations in the same order as PyTorch; only summation order inside the compiler's
            // vectorized loops can differ, so a few ulps of 0–1 data (measured: at most 1.2e-7, one ulp).
            Check.Close(got, (float[])dout, 1e-6, 1e-5, $"float resize {r[0]}");
        }
    }

    [Fact]
    public void IdentityAndConstantImages()
    {
        var img = new Image(7, 5, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)(i * 37 % 256);
        Assert.Equal(img.Data, Resize.Bilinear(img, 7, 5).Data);
        var flat = new Image(13, 9, 1);
        Array.Fill(flat.Data, (ushort)200);
        foreach (var (w, h) in new[] { (5, 4), (29, 17), (13, 3), (1, 1) })
            Assert.All(Resize.Bilinear(flat, w, h).Data, v => Assert.Equal(200, v));
    }

    [Fact]
    public void HalvingAveragesPairsAndUpscalingInterpolates()
    {
        // 2:1 downscale: support 2 around centre 2x+1 gives weights (1, 3, 3, 1)/8 over pixels 2x−1..2x+2;
        // at the left edge the first one falls outside and the rest are renormalized to (3, 3, 1)/7.
        var f = Resize.Bilinear(new float[] { 0, 8, 16, 24, 32, 40 }, 1, 1, 6, 1, 3);
        Assert.Equal((0 * 3 + 8 * 3 + 16 * 1) / 7f, f[0], 5);
        Assert.Equal((8 * 1 + 16 * 3 + 24 * 3 + 32 * 1) / 8f, f[1], 5);
        // 1:2 upscale: output x samples input at (x + 0.5)/2 − 0.5, clamped at the edges.
        var u = Resize.Bilinear(new float[] { 0, 8, 16 }, 1, 1, 3, 1, 6);
        Assert.Equal(new[] { 0f, 2, 6, 10, 14, 16 }, u);
    }

    [Fact]
    public void SixteenBitAndTensorsGoThroughTheFloatPath()
    {
        var img = new Image(9, 7, 1, 16);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)(i * 997 % 65536);
        var r = Resize.Bilinear(img, 4, 5);
        var f = Resize.Bilinear(Resize.ToPlanes(img), 1, 7, 9, 5, 4);
        Assert.Equal(16, r.BitDepth);
        Assert.Equal(f.Select(v => (ushort)MathF.Round(v)).ToArray(), r.Data);
        using var t = Tensor.FromArray(new ReferenceBackend(), Shape.Nchw(2, 1, 7, 9), [.. Resize.ToPlanes(img), .. Resize.ToPlanes(img)]);
        using var rt = Resize.Bilinear(t, 5, 4);
        Assert.Equal(Shape.Nchw(2, 1, 5, 4), rt.Shape);
        Assert.Equal([.. f, .. f], rt.ToArray());
    }

    [Fact]
    public void ShorterSideUsesTorchvisionRule()
    {
        Assert.Equal((341, 256), Resize.ShorterSideSize(768, 576, 256));
        Assert.Equal((256, 384), Resize.ShorterSideSize(500, 750, 256));
        Assert.Equal((256, 256), Resize.ShorterSideSize(100, 100, 256));
        Assert.Throws<RawConvException>(() => Resize.Bilinear(new Image(4, 4, 3), 0, 3));
        Assert.Throws<RawConvException>(() => Resize.Bilinear(new float[11], 1, 3, 4, 2, 2));
    }
}
