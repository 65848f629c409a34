using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

internal static partial class Verbs
{
    internal static Option<string> FillOption() => new("--fill")
    {
        Description = "occluder content: a pixel value 0–255 (through the model's preprocessing), mean (0 in the normalized input) or zero (black)",
        DefaultValueFactory = _ => "128",
    };

    public static Command Occlusion() => new OcclusionVerb().Command;

    internal static T[][] Rows<T>(T[] v, int rows, int cols) => Enumerable.Range(0, rows).Select(r => v.AsSpan(r * cols, cols).ToArray()).ToArray();

    /// <summary>input | P(class) | activation | label panels, each at the input size, upscaled together for small inputs.</summary>
    internal static Image Strip(Image input, OcclusionResult r, int h, int w)
    {
        var prob = Colormap.Apply(Spread(r.Probability, r, h, w), h, w, "viridis", r.Probability.Min(), r.Probability.Max());
        var act = Colormap.Apply(Spread(r.Activation, r, h, w), h, w, "inferno", r.Activation.Min(), r.Activation.Max());
        var classes = r.Label.Distinct().Order().ToList();
        var labels = new Image(w, h, 3);
        var spread = Spread(r.Label.Select(v => (float)v).ToArray(), r, h, w);
        for (int i = 0; i < h * w; i++)
        {
            var (cr, cg, cb) = LabelColor(classes.IndexOf((int)spread[i]));
            labels.Data[3 * i] = cr; labels.Data[3 * i + 1] = cg; labels.Data[3 * i + 2] = cb;
        }
        int up = Math.Max(1, (int)Math.Ceiling(160.0 / Math.Max(h, w)));
        return Grid.Images([input, prob, act, labels], new GridOptions { Cols = 4, Upscale = up, Padding = 2 });
    }

    /// <summary>The map at input size: each pixel takes the entry of the nearest square centre (first on ties).</summary>
    private static float[] Spread(float[] map, OcclusionResult r, int h, int w)
    {
        static int[] Nearest(int[] starts, int size, int extent) => Enumerable.Range(0, extent).Select(p =>
        {
            int best = 0;
            for (int i = 1; i < starts.Length; i++)
                if (Math.Abs(starts[i] + (size - 1) / 2.0 - p) < Math.Abs(starts[best] + (size - 1) / 2.0 - p)) best = i;
            return best;
        }).ToArray();
        var ry = Nearest(r.Ys, r.Size, h);
        var cx = Nearest(r.Xs, r.Size, w);
        var o = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) o[y * w + x] = map[ry[y] * r.Cols + cx[x]];
        return o;
    }

    private static readonly string[] Tab20 =
    [
        "1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd", "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf",
        "aec7e8", "ffbb78", "98df8a", "ff9896", "c5b0d5", "c49c94", "f7b6d2", "c7c7c7", "dbdb8d", "9edae5",
    ];

    /// <summary>The colour of the i-th distinct label: matplotlib's tab10 then tab20's light shades, then golden-angle hues.</summary>
    internal static (ushort R, ushort G, ushort B) LabelColor(int i)
    {
        if (i < Tab20.Length)
        {
            int v = Convert.ToInt32(Tab20[i], 16);
            return ((ushort)(v >> 16), (ushort)(v >> 8 & 255), (ushort)(v & 255));
        }
        double hue = i * 137.508 % 360 / 60;
        int sector = (int)hue;
        double f = hue - sector;
        ushort hi = 220, lo = 60, up = (ushort)(lo + f * (hi - lo)), down = (ushort)(hi - f * (hi - lo));
        return sector switch { 0 => (hi, up, lo), 1 => (down, hi, lo), 2 => (lo, hi, up), 3 => (lo, down, hi), 4 => (up, lo, hi), _ => (hi, lo, down) };
    }

    internal static string Hex((ushort R, ushort G, ushort B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";
}
