using RawConv.Algorithms.Style;

namespace RawConv.Tests.Algorithms.Style;

/// <summary>The colour transforms of colour-preserving style transfer against hand-computed values.</summary>
public class ColourTransferTests
{
    private static void Near(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: {actual} vs {expected}");

    [Fact]
    public void YiqOfPureColoursIsTheNtscMatrixAndItsInverseIsThePublishedOne()
    {
        // Planar (3, 1, 2): pixel 0 pure red, pixel 1 pure blue.
        var yiq = ColourTransfer.ToYiq([255, 0, 0, 0, 0, 255]);
        float[] want = [76.245f, 29.07f, 151.90758f, -81.922065f, 53.92128f, 79.339425f];
        for (int i = 0; i < 6; i++) Near(want[i], yiq[i], 1e-3, $"yiq[{i}]");
        // The published inverse: R = Y + 0.9563 I + 0.6210 Q, G = Y − 0.2721 I − 0.6474 Q, B = Y − 1.1070 I + 1.7046 Q (4 digits).
        var rgb = ColourTransfer.FromYiq([0, 100, 0]);
        Near(95.63, rgb[0], 0.05, "R of I = 100");
        Near(-27.21, rgb[1], 0.05, "G of I = 100");
        Near(-110.70, rgb[2], 0.05, "B of I = 100");
        var back = ColourTransfer.FromYiq(yiq);
        float[] pixels = [255, 0, 0, 0, 0, 255];
        for (int i = 0; i < 6; i++) Near(pixels[i], back[i], 1e-3, $"round trip [{i}]");
    }

    [Fact]
    public void LuminanceMatchingTakesTheContentsMeanAndStandardDeviation()
    {
        // μs = 2, σs = √(2/3); μc = 5, σc = 5: (y − 2)·5/√(2/3) + 5.
        var m = ColourTransfer.MatchLuminance([1, 2, 3], [0, 10]);
        double k = 5 / Math.Sqrt(2.0 / 3);
        Near(5 - k, m[0], 1e-4, "y0");
        Near(5, m[1], 1e-4, "y1");
        Near(5 + k, m[2], 1e-4, "y2");
    }

    [Fact]
    public void ColourMatchingOfUncorrelatedChannelsScalesEachChannelByTheRatioOfDeviations()
    {
        // Style channels over 4 pixels with means 1, variances 1 and no covariance; the content is 20 + 10·(R − 1),
        // 50 + 3·(G − 1), 100 + 0.5·(B − 1), so A = diag(10, 3, 0.5) and the matched style is the content itself.
        float[] r = [0, 2, 0, 2], g = [0, 0, 2, 2], b = [0, 2, 2, 0];
        float[] style = [.. r, .. g, .. b];
        float[] content = [.. r.Select(v => 20 + 10 * (v - 1)), .. g.Select(v => 50 + 3 * (v - 1)), .. b.Select(v => 100 + 0.5f * (v - 1))];
        var m = ColourTransfer.MatchColour(style, content);
        for (int i = 0; i < 12; i++) Near(content[i], m[i], 1e-3, $"matched[{i}]");
    }

    [Fact]
    public void ColourMatchingGivesTheContentsMeanAndCovariance()
    {
        var rng = new Random(5);
        int n = 200;
        var style = new float[3 * n];
        var content = new float[3 * n];
        for (int p = 0; p < n; p++)
        {
            double a = rng.NextDouble(), c = rng.NextDouble(), d = rng.NextDouble();
            (style[p], style[n + p], style[2 * n + p]) = ((float)(200 * a), (float)(100 * a + 50 * c), (float)(30 + 60 * d));
            (content[p], content[n + p], content[2 * n + p]) = ((float)(40 * c + 10 * d), (float)(120 * d), (float)(255 * a * c));
        }
        var m = ColourTransfer.MatchColour(style, content);
        var (mm, cm) = Stats(m, n);
        var (mc, cc) = Stats(content, n);
        for (int i = 0; i < 3; i++)
        {
            Near(mc[i], mm[i], 1e-3, $"mean {i}");
            for (int j = 0; j < 3; j++) Near(cc[i, j], cm[i, j], 1e-4 * (cc[0, 0] + cc[1, 1] + cc[2, 2]), $"covariance {i},{j}");
        }
    }

    private static (double[], double[,]) Stats(float[] x, int n)
    {
        var mean = new double[3];
        for (int c = 0; c < 3; c++) mean[c] = x.Skip(c * n).Take(n).Average(v => (double)v);
        var cov = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                cov[i, j] = Enumerable.Range(0, n).Sum(p => (x[i * n + p] - mean[i]) * (x[j * n + p] - mean[j])) / n;
        return (mean, cov);
    }

    [Fact]
    public void PixelsToCaffeInputAndBackAndGreyTakesTheLuma()
    {
        var caffe = Preprocessing.Caffe.For(3);
        var x = ColourTransfer.ToInput([10, 20, 30], caffe);
        Assert.Equal([30 - 104f, 20 - 117f, 10 - 123f], x);
        Assert.Equal([10f, 20f, 30f], ColourTransfer.FromInput(x, caffe));
        var grey = Preprocessing.Torchvision.For(1);
        var g = ColourTransfer.ToInput([10, 20, 30], grey);
        Near((18.15 / 255 - 0.485) / 0.229, g[0], 1e-5, "grey input");
        var back = ColourTransfer.FromInput(g, grey);
        foreach (var v in back) Near(18.15, v, 1e-3, "grey replicated");
    }
}
