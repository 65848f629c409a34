using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Imaging;
using CorrespondenceAnalysis = RawConv.Algorithms.Seeing.Correspondence;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Correspondence()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption(); var fill = FillOption();
        var box = new Option<string[]>("--box") { Description = "y0,x0,y1,x1 (end exclusive, input pixels): one per image in order, or one for all", Required = true, AllowMultipleArgumentsPerToken = true };
        var layers = new Option<string?>("--layers") { Description = "comma-separated layers (default: the last convolution's rectified output and the last hidden fully connected layer's)" };
        var random = new Option<int>("--random") { Description = "random occlusion draws (same box sizes, random positions)", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "seed of the random boxes", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "occluded images per forward", DefaultValueFactory = _ => 32 };
        var output = new Option<string?>("--out") { Description = "boxes.png: the images with the part occluded (+ .json sidecar with the results)" };
        var cmd = new Command("correspondence", "Correspondence analysis (Zeiler & Fergus §4.3): Δ = Σ_{i<j} Hamming(sign ε_i, sign ε_j) for one part occluded in every image, against random occlusions.")
            { model, proto, pre, device, image, input, box, layers, random, seed, fill, batch, output, json };
        cmd.SetAction(p =>
        {
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var (x, names) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            {
                int n = x.Shape.N;
                var boxes = p.GetValue(box)!.Select(ParseBox).ToArray();
                if (boxes.Length == 1 && n > 1) boxes = Enumerable.Repeat(boxes[0], n).ToArray();
                if (boxes.Length != n) throw new RawConvException($"correspondence: {n} images but {boxes.Length} --box values (give one per image, or one for all)");
                var names2 = p.GetValue(layers) is { } l ? l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : DefaultLayers(m.Net.Spec);
                var o = new CorrespondenceOptions(names2, p.GetValue(random), p.GetValue(seed), OcclusionFill.Parse(p.GetValue(fill)!), p.GetValue(batch));
                CorrespondenceResult? r = null;
                Progress.Run("correspondence", n * (o.Random + 1), step => r = CorrespondenceAnalysis.Run(m.Net, x, boxes, m.Preprocessing, o, step));
                var payload = new
                {
                    model = m.Source, device = b.Info.Name, images = names, boxes = r!.Boxes.Select(v => new[] { v.Y0, v.X0, v.Y1, v.X1 }),
                    settings = new { random = o.Random, seed = o.Seed, fill = r.Fill.ToString(), batch = o.BatchSize },
                    definition = "delta = sum over unordered pairs i<j of Hamming(sign(eps_i), sign(eps_j)), eps_i = features(original_i) - features(occluded_i), sign(0) = 0; ZF's sum over i != j equals 2*delta; std has an n-1 denominator",
                    layers = r.Layers.Select(c => new
                    {
                        layer = c.Layer, dimension = c.Dimension, pairs = c.Pairs, delta = c.Delta, deltaPerPair = c.DeltaPerPair,
                        randomMean = c.RandomMean, randomStd = c.RandomStd, randomMeanPerPair = c.RandomMeanPerPair, randomStdPerPair = c.RandomStdPerPair,
                        randomDeltas = c.RandomDeltas,
                    }),
                    output = p.GetValue(output),
                };
                if (p.GetValue(output) is { } outPath)
                {
                    var fillValues = r.Fill.Values(m.Preprocessing, x.Shape.C);
                    var all = x.ToArray();
                    int per = x.Shape.C * x.Shape.H * x.Shape.W;
                    var shown = Enumerable.Range(0, n).Select(i =>
                    {
                        var occluded = new float[per];
                        OcclusionScan.Occlude(all.AsSpan(i * per, per), occluded, x.Shape.C, x.Shape.H, x.Shape.W, boxes[i], fillValues);
                        return Outline(Deprocess.ToImage(occluded, x.Shape.C, x.Shape.H, x.Shape.W, Display.Options(m.Preprocessing, x.Shape.C)).ToRgb8(), boxes[i]);
                    }).ToList();
                    int up = Math.Max(1, (int)Math.Ceiling(120.0 / Math.Max(x.Shape.H, x.Shape.W)));
                    Outputs.Png(outPath, Grid.Images(shown, new GridOptions { Rows = 1, Upscale = up, Padding = 2 }), payload);
                }
                Print(p.GetValue(json), payload, () =>
                {
                    Console.WriteLine($"{n} images, {n * (n - 1) / 2} pairs, {o.Random} random draws (seed {o.Seed}), fill {r.Fill}; Δ = Σ_(i<j) Hamming(sign ε_i, sign ε_j)");
                    Console.WriteLine($"{"layer",-10} {"dim",8} {"Δ part",10} {"Δ/pair",10} {"random Δ (mean ± std)",26} {"random/pair",18}");
                    foreach (var c in r.Layers)
                        Console.WriteLine($"{c.Layer,-10} {c.Dimension,8} {c.Delta,10} {c.DeltaPerPair,10:F1} {$"{c.RandomMean:F1} ± {c.RandomStd:F1}",26} {$"{c.RandomMeanPerPair:F1} ± {c.RandomStdPerPair:F1}",18}");
                    if (p.GetValue(output) is { } o2) Console.WriteLine($"wrote {o2}");
                });
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Parses y0,x0,y1,x1.</summary>
    private static Box ParseBox(string text)
    {
        var v = text.Split(',', StringSplitOptions.TrimEntries);
        if (v.Length != 4 || !v.All(s => int.TryParse(s, out _)))
            throw new RawConvException($"correspondence: --box '{text}' is not y0,x0,y1,x1 (four integers)");
        var i = v.Select(int.Parse).ToArray();
        return new Box(i[0], i[1], i[2], i[3]);
    }

    /// <summary>The last convolution's rectified output and, when there is one, the rectified output of the last fully connected layer before the classifier.</summary>
    private static string[] DefaultLayers(NetSpec spec)
    {
        var roles = spec.Roles;
        return roles.HasHiddenFc ? [roles.ConvFeatures, roles.Rectified(roles.Penultimate)] : [roles.ConvFeatures];
    }

    /// <summary>Draws a 1-pixel red outline just around <paramref name="box"/> (inside the image).</summary>
    private static Image Outline(Image img, Box box)
    {
        void Set(int y, int x)
        {
            if (y < 0 || x < 0 || y >= img.Height || x >= img.Width) return;
            int at = (y * img.Width + x) * 3;
            img.Data[at] = 255; img.Data[at + 1] = 0; img.Data[at + 2] = 0;
        }
        for (int x = box.X0 - 1; x <= box.X1; x++) { Set(box.Y0 - 1, x); Set(box.Y1, x); }
        for (int y = box.Y0 - 1; y <= box.Y1; y++) { Set(y, box.X0 - 1); Set(y, box.X1); }
        return img;
    }
}
