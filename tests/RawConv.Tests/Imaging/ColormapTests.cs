using RawConv.Imaging;

namespace RawConv.Tests.Imaging;

/// <summary>Colormaps against matplotlib's <c>cmap(Normalize(lo, hi)(v), bytes=True)</c>.</summary>
public class ColormapTests
{
    [SkippableFact]
    public void EveryMapMatchesMatplotlibBytes()
    {
        int n = 0;
        foreach (var r in PrepRef.Rows("cm.tsv"))
        {
            var v = (float[])PrepRef.Load($"cm_{r[0]}_in").Data;
            var (shape, data) = PrepRef.Load($"cm_{r[0]}");
            var exp = (byte[])data;
            Assert.Equal(new[] { v.Length, 3 }, shape);
            float lo = float.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), hi = float.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture);
            var img = Colormap.Apply(v, 1, v.Length, r[0], lo, hi);
            var bad = Enumerable.Range(0, exp.Length).Where(i => img.Data[i] != exp[i]).Take(5)
                .Select(i => $"v={v[i / 3]} ch{i % 3}: {img.Data[i]} vs {exp[i]}").ToList();
            Assert.True(bad.Count == 0, $"{r[0]}: " + string.Join("; ", bad));
            n++;
        }
        Assert.Equal(10, n);
    }

    [Fact]
    public void EndpointsAndPublishedEntries()
    {
        // viridis starts at (0.267004, 0.004874, 0.329415) and ends at (0.993248, 0.906157, 0.143936): bytes truncate ×255.
        Assert.Equal(((byte)68, (byte)1, (byte)84), Colormap.Get("viridis").Color(0, 0, 1));
        Assert.Equal(((byte)253, (byte)231, (byte)36), Colormap.Get("viridis").Color(1, 0, 1));
        Assert.Equal(((byte)0, (byte)0, (byte)127), Colormap.Get("jet").Color(-3, 0, 1));
        Assert.Equal(((byte)127, (byte)0, (byte)0), Colormap.Get("jet").Color(9, 0, 1));
        Assert.Equal(((byte)0, (byte)0, (byte)255), Colormap.Get("bwr").Color(-1, -1, 1));
        Assert.Equal(((byte)255, (byte)0, (byte)0), Colormap.Get("bwr").Color(1, -1, 1));
        Assert.Equal(((byte)128, (byte)128, (byte)128), Colormap.Get("gray").Color(0.5f, 0, 1)); // entry 128 = 128/255
        Assert.Equal(((byte)0, (byte)0, (byte)0), Colormap.Get("magma").Color(float.NaN, 0, 1));
        var lut = Colormap.Get("grey").Lut;
        for (int i = 0; i < 256; i++) Assert.Equal(i / 255.0, lut[i * 3], 12);
    }

    [Fact]
    public void UnknownNameAndBadSizesThrow()
    {
        var e = Assert.Throws<RawConvException>(() => Colormap.Get("rainbow"));
        Assert.Contains("viridis", e.Message);
        Assert.Throws<RawConvException>(() => Colormap.Apply(new float[5], 2, 3, "jet", 0, 1));
        Assert.Throws<RawConvException>(() => Colormap.Apply(new float[6], 2, 3, "jet", 1, 0));
        Assert.Equal(10, Colormap.Names.Count);
    }
}
