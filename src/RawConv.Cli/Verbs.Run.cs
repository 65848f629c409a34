using System.CommandLine;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Classify()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption();
        var top = new Option<int>("--top") { Description = "how many classes to list", DefaultValueFactory = _ => 5 };
        var cmd = new Command("classify", "Top classes with probabilities for each image.") { model, proto, pre, device, image, input, top, json };
        cmd.SetAction(p =>
        {
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var images = p.GetValue(image) ?? [];
            var results = new List<Classification>();
            // Images go through in batches of 16 (memory stays bounded), with a progress bar on a terminal.
            var chunks = images.Length > 0 ? images.Chunk(16).ToList() : [[]];
            Progress.Run("classify", images.Length, step =>
            {
                foreach (var chunk in chunks)
                {
                    var (x, names) = Inputs.Load(chunk.Length > 0 ? chunk : null, p.GetValue(input), m, b);
                    using (x) results.AddRange(Run(m, x, names, p.GetValue(top)));
                    step(chunk.Length);
                }
            });
            Print(p.GetValue(json), new { model = m.Source, device = b.Info.Name, results }, () =>
            {
                foreach (var r in results)
                {
                    Console.WriteLine(r.Image);
                    foreach (var c in r.Top) Console.WriteLine($"  {c.Probability,8:P2}  {c.Index,4}  {c.Label}");
                }
            });
            return 0;
        });
        return cmd;
    }

    /// <summary>One image's result: its name and the top classes.</summary>
    internal sealed record Classification(string Image, IReadOnlyList<ClassScore> Top);

    /// <summary>A class index, its label and probability.</summary>
    internal sealed record ClassScore(int Index, string Label, double Probability);

    /// <summary>Forward, softmax (unless the net ends in one), top-k per image.</summary>
    internal static List<Classification> Run(LoadedModel m, Tensor x, string[] names, int k)
    {
        using var f = m.Net.Forward(x);
        using var probs = m.Net.Spec.Roles.Probabilities is not null ? f.Output.Clone() : Softmax.Forward(f.Output, 1);
        int classes = probs.Shape[1];
        k = Math.Clamp(k, 1, classes);
        var (values, indices) = TopK.Forward(probs, k);
        using (values)
        using (indices)
        {
            var v = values.ToArray();
            var ix = indices.ToIntArray();
            return names.Select((name, n) => new Classification(name, Enumerable.Range(0, k).Select(j =>
            {
                int c = ix[n * k + j];
                return new ClassScore(c, m.Classes is { } cl && c < cl.Count ? cl[c] : $"class {c}", v[n * k + j]);
            }).ToList())).ToList();
        }
    }

    public static Command Features()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption();
        var layer = new Option<string>("--layer") { Description = "layer name (see `rawconv info`)", Required = true };
        var output = new Option<string>("--out") { Description = "x.npy (the activations, NCHW float32) or grid.png (the feature maps of the first image)", Required = true };
        var cmd = new Command("features", "Activations of one layer, as .npy or as a grid of feature maps.") { model, proto, pre, device, image, input, layer, output, json };
        cmd.SetAction(p =>
        {
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var (x, _) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            using (var f = m.Net.Forward(x, p.GetValue(layer)))
            {
                string outPath = p.GetValue(output)!;
                var a = f.Output;
                switch (Path.GetExtension(outPath).ToLowerInvariant())
                {
                    case ".npy": Npy.WriteTensor(outPath, a); break;
                    case ".png": Png.Save(outPath, FeatureGrid(a)); break;
                    default: throw new RawConvException($"{outPath}: --out must end in .npy or .png");
                }
                Print(p.GetValue(json), new { model = m.Source, layer = p.GetValue(layer), shape = a.Shape.Dims, output = outPath },
                    () => Console.WriteLine($"wrote {outPath}: {p.GetValue(layer)} {a.Shape}"));
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The feature maps of the first image, each min–max normalized, tiled near-square.</summary>
    internal static Image FeatureGrid(Tensor a)
    {
        if (a.Shape.Rank != 4) throw new RawConvException($"layer output {a.Shape} is not a stack of feature maps; write .npy instead");
        var s = a.Shape;
        var all = a.ToArray();
        return Grid.FeatureMaps(all.AsSpan(0, s.C * s.H * s.W).ToArray(), s.C, s.H, s.W, new GridOptions { Upscale = s.H < 32 ? 4 : 1 });
    }
}
