using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

internal static partial class Verbs
{
    private static Option<string> FillOption() => new("--fill")
    {
        Description = "occluder content: a pixel value 0–255 (through the model's preprocessing), mean (0 in the normalized input) or zero (black)",
        DefaultValueFactory = _ => "128",
    };

    public static Command Occlusion()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption(); var fill = FillOption();
        var size = new Option<int>("--size") { Description = "side of the occluding square, input pixels", DefaultValueFactory = _ => 8 };
        var stride = new Option<int>("--stride") { Description = "step between square positions, input pixels", DefaultValueFactory = _ => 2 };
        var cls = new Option<int?>("--class") { Description = "class whose probability is mapped (default: the top class of the unoccluded image)" };
        var layer = new Option<string?>("--layer") { Description = "layer whose strongest feature map is summed (default: the last convolution's rectified output)" };
        var batch = new Option<int>("--batch") { Description = "occluded images per forward", DefaultValueFactory = _ => 32 };
        var output = new Option<string>("--out") { Description = "strip.png (input | P(class) | activation | label, + .json sidecar) or maps.npy ((3, rows, cols) float32)", Required = true };
        var cmd = new Command("occlusion", "Occlusion sensitivity (Zeiler & Fergus §4.2): slide a square over the image, map P(class), a feature map's total activation and the top label.")
            { model, proto, pre, device, image, input, size, stride, fill, cls, layer, batch, output, json };
        cmd.SetAction(p =>
        {
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var (x, names) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            {
                if (x.Shape.N != 1) throw new RawConvException($"occlusion: takes one image, got {x.Shape.N}");
                var o = new OcclusionOptions(p.GetValue(size), p.GetValue(stride), OcclusionFill.Parse(p.GetValue(fill)!), p.GetValue(cls), p.GetValue(layer), p.GetValue(batch));
                int total = OcclusionScan.Positions(x.Shape.H, o.Size, o.Stride).Length * OcclusionScan.Positions(x.Shape.W, o.Size, o.Stride).Length;
                OcclusionResult? r = null;
                var watch = Stopwatch.StartNew();
                Progress.Run("occlusion", total, step => r = OcclusionScan.Run(m.Net, x, m.Preprocessing, o, step));
                double seconds = watch.Elapsed.TotalSeconds;
                string outPath = p.GetValue(output)!;
                string Label(int k) => m.Classes is { } c && k < c.Count ? c[k] : $"class {k}";
                var legend = r!.Label.Distinct().Order().Select((k, i) => new
                {
                    @class = k, label = Label(k), color = Hex(LabelColor(i)), positions = r.Label.Count(v => v == k),
                }).ToList();
                var payload = new
                {
                    model = m.Source, device = b.Info.Name, image = names[0],
                    settings = new { size = o.Size, stride = o.Stride, fill = r.Fill.ToString(), batch = o.BatchSize },
                    @class = new { index = r.Class, label = Label(r.Class), given = o.Class.HasValue },
                    layer = r.Layer, featureMap = r.FeatureMap,
                    baseline = new { probability = r.BaselineProbability, activation = r.BaselineActivation, label = r.BaselineLabel, labelName = Label(r.BaselineLabel) },
                    rows = r.Rows, cols = r.Cols, ys = r.Ys, xs = r.Xs,
                    layout = $"entry [r][c] is the {r.Size}×{r.Size} square with top-left corner (ys[r], xs[c]); panels colour each input pixel with the entry whose square centre is nearest",
                    panels = new[] { "input", "probability (viridis, min..max)", "activation (inferno, min..max)", "label (legend)" },
                    probability = Rows(r.Probability, r.Rows, r.Cols), activation = Rows(r.Activation, r.Rows, r.Cols),
                    label = Rows(r.Label, r.Rows, r.Cols), legend,
                    probabilityRange = new[] { r.Probability.Min(), r.Probability.Max() }, activationRange = new[] { r.Activation.Min(), r.Activation.Max() },
                    output = outPath, seconds, imagesPerSecond = total / seconds,
                };
                if (Outputs.IsNpy(outPath))
                {
                    Outputs.EnsureFolder(outPath);
                    Npy.Write(outPath, [3, r.Rows, r.Cols], (float[])[.. r.Probability, .. r.Activation, .. r.Label.Select(v => (float)v)]);
                }
                else Outputs.Png(outPath, Strip(Display.Input(x, 0, m.Preprocessing), r, x.Shape.H, x.Shape.W), payload);
                Print(p.GetValue(json), payload, () =>
                {
                    Console.WriteLine($"{names[0]}: {total} occluded images ({r.Rows}×{r.Cols} positions, {o.Size}px square, stride {o.Stride}, fill {r.Fill}) in {seconds:F2} s ({total / seconds:F1} images/s)");
                    Console.WriteLine($"  P({Label(r.Class)}) unoccluded {r.BaselineProbability:F4}, occluded {r.Probability.Min():F4}..{r.Probability.Max():F4}");
                    Console.WriteLine($"  {r.Layer} map {r.FeatureMap} total unoccluded {r.BaselineActivation:G5}, occluded {r.Activation.Min():G5}..{r.Activation.Max():G5}");
                    Console.WriteLine($"  labels: {string.Join(", ", legend.Select(l => $"{l.label} ×{l.positions}"))}");
                    Console.WriteLine($"wrote {outPath}");
                });
            }
            return 0;
        });
        return cmd;
    }

    private static T[][] Rows<T>(T[] v, int rows, int cols) => Enumerable.Range(0, rows).Select(r => v.AsSpan(r * cols, cols).ToArray()).ToArray();

    /// <summary>input | P(class) | activation | label panels, each at the input size, upscaled together for small inputs.</summary>
    private static Image Strip(Image input, OcclusionResult r, int h, int w)
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
    private static (ushort R, ushort G, ushort B) LabelColor(int i)
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

    private static string Hex((ushort R, ushort G, ushort B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";
}
