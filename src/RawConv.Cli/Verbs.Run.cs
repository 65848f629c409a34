using System.CommandLine;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Classify()
    {
        var common = new CommonOptions();
        var top = new Option<int>("--top") { Description = "how many classes to list", DefaultValueFactory = _ => 5 };
        var cmd = common.Add(new Command("classify", "Top classes with probabilities for each image."), [.. common.ModelAndInputs, top, common.Json]);
        cmd.SetAction(p =>
        {
            var a = common.Read(p);
            int k = Checks.Int(p.GetValue(top), "--top", 1, 1000, "how many classes to list");
            using var session = Session.Open(a);
            var (b, m) = (session.Backend, session.Model);
            var images = a.Images;
            var results = new List<Classification>();
            // Images go through in batches of 16 (memory stays bounded), with a progress bar on a terminal.
            var chunks = images.Length > 0 ? images.Chunk(16).ToList() : [[]];
            Progress.Run("classify", images.Length, step =>
            {
                foreach (var chunk in chunks)
                {
                    var (x, names) = session.Inputs(chunk);
                    using (x) results.AddRange(Run(m, x, names, k));
                    step(chunk.Length);
                }
            });
            Print(a.Json, new { model = m.Source, device = b.Info.Name, results }, () =>
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
        if (k < 1 || k > classes) throw new RawConvException($"--top: {k} is more than the {classes} classes of {m.Net.Spec.Name} — give 1 to {classes}");
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

    public static Command Features() => new FeaturesVerb().Command;

    /// <summary>The feature maps of the first image, each min–max normalized, tiled near-square.</summary>
    internal static Image FeatureGrid(Shape s, float[] all)
    {
        if (s.Rank != 4) throw new RawConvException($"--out: a .png shows feature maps, but the layer's output {s} is not (N, C, H, W) — give --out x.npy");
        return Grid.FeatureMaps(all.AsSpan(0, s.C * s.H * s.W).ToArray(), s.C, s.H, s.W, new GridOptions { Upscale = s.H < 32 ? 4 : 1 });
    }
}
