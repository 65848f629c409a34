using System.Text;
using RawConv.Imaging;
using Xunit.Abstractions;

namespace RawConv.Tests.Imaging;

/// <summary>Our decoders against Pillow (libjpeg-turbo, zlib) and numpy on real and generated files.</summary>
public class ImagingReferenceTests(ITestOutputHelper output)
{
    /// <summary>A Pillow/numpy reference array as (shape, int values).</summary>
    private static (int[] Shape, int[] Data) Ref(string name)
    {
        var (shape, data, dtype) = Npy.Read(Path.Combine(RefData.Dir, name + ".npy"));
        Assert.Equal("<i4", dtype);
        return (shape, (int[])data);
    }

    private static void AssertShape(string name, Image img, int[] shape)
    {
        int ch = shape.Length == 2 ? 1 : shape[2];
        Assert.True(shape[0] == img.Height && shape[1] == img.Width && ch == img.Channels,
            $"{name}: decoded {img}, Pillow ({string.Join(", ", shape)})");
    }

    [SkippableFact]
    public void JpegMatchesLibjpegTurbo()
    {
        var table = new StringBuilder("file | size | mean abs diff | max abs diff | exact samples | decode ms\n");
        var bad = new List<string>();
        foreach (var (name, _, path) in RefData.Entries("jpeg"))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var img = ImageIO.Load(path);
            double ms = sw.Elapsed.TotalMilliseconds;
            var (shape, exp) = Ref(name);
            AssertShape(name, img, shape);
            long sum = 0, exact = 0;
            int max = 0;
            for (int i = 0; i < exp.Length; i++)
            {
                int d = Math.Abs(img.Data[i] - exp[i]);
                sum += d;
                max = Math.Max(max, d);
                if (d == 0) exact++;
            }
            double mean = (double)sum / exp.Length;
            table.Append($"{name} | {img.Width}×{img.Height}×{img.Channels} | {mean:F4} | {max} | {100.0 * exact / exp.Length:F2}% | {ms:F1}\n");
            if (mean >= 1 || max > 4) bad.Add($"{name}: mean {mean:F3}, max {max}");
        }
        output.WriteLine(table.ToString());
        Assert.True(bad.Count == 0, "JPEG differs from Pillow: " + string.Join("; ", bad) + "\n" + table);
    }

    [SkippableFact]
    public void PngAndPnmMatchExactly()
    {
        var bad = new List<string>();
        int n = 0;
        foreach (var (name, _, path) in RefData.Entries("png").Concat(RefData.Entries("pnm")))
        {
            var img = ImageIO.Load(path);
            var (shape, exp) = Ref(name);
            AssertShape(name, img, shape);
            int diff = 0;
            for (int i = 0; i < exp.Length; i++) if (img.Data[i] != exp[i]) diff++;
            if (diff > 0) bad.Add($"{name}: {diff} samples differ");
            n++;
        }
        output.WriteLine($"{n} PNG/PNM files compared");
        Assert.True(n >= 40, $"only {n} PNG/PNM references");
        Assert.True(bad.Count == 0, string.Join("; ", bad));
    }

    [SkippableFact]
    public void NpyReadsWhatNumpyWrites()
    {
        foreach (var (name, _, path) in RefData.Entries("npy"))
        {
            if (name == "np_fortran")
            {
                var e = Assert.Throws<ImageFormatException>(() => Npy.Read(path));
                Assert.Contains("fortran_order", e.Message);
                Assert.Contains(path, e.Message);
                continue;
            }
            var (shape, data, dtype) = Npy.Read(path);
            if (name.StartsWith("np_v"))
            {
                Assert.Equal([2, 3], shape);
                Assert.Equal(new float[] { -2, -1, 0, 1, 2, 3 }, (float[])data);
                continue;
            }
            Assert.Equal([2, 3, 5], shape);
            Assert.Equal(name[3..], dtype[1..]);
            for (int i = 0; i < data.Length; i++)
            {
                double exp = i * 7 % 23 - 5;
                if (dtype == "|u1") exp = (byte)(sbyte)exp;
                Assert.Equal(exp, Convert.ToDouble(data.GetValue(i)));
            }
        }
    }
}
