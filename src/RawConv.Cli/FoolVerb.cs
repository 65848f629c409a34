using System.CommandLine;
using RawConv.Algorithms.Fooling;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>`fool`'s settings as typed (for the sidecar) and the search's options.</summary>
internal sealed record FoolSettings(int[]? Classes, string EncodingName, FoolOptions Options, string Out);

/// <summary>The search's result.</summary>
internal sealed record FoolRun(FoolResult Result, int[] Classes);

/// <summary>`rawconv fool`: images the network is sure belong to a class although they look like nothing of the kind (Nguyen et al. 2015).</summary>
internal sealed class FoolVerb : Verb<FoolSettings, FoolRun>
{
    private readonly Option<string?> classes = new("--class") { Description = "the classes to fool, e.g. 3 or 0,4,7 (default: all)" };
    private readonly Option<string> encoding = new("--encoding") { Description = "direct | cppn", DefaultValueFactory = _ => "direct" };
    private readonly Option<int> generations = new("--generations") { Description = "rounds of mutation (the budget is generations × offspring evaluations)", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> offspring = new("--offspring") { Description = "mutants per round", DefaultValueFactory = _ => 64 };
    private readonly Option<float> confidence = new("--confidence") { Description = "stop once every class asked for has an image at this probability", DefaultValueFactory = _ => 0.99f };
    private readonly Option<int> seed = new("--seed") { Description = "seed of every random choice", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out") { Description = "x.png: the best image per class, in class order, with a JSON sidecar", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("fool", "Fooling images: evolve pictures (MAP-Elites over classes, direct or CPPN encoding) that the network gives a class with high confidence.");
        Common.Add(cmd, Common.Model, Common.Prototxt, Common.Preprocess, Common.Device);
        Common.Add(cmd, classes, encoding, generations, offspring, confidence, seed, output, Common.Json);
        return cmd;
    }

    public override FoolSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output), npy: false);
        string enc = p.GetValue(encoding)!.ToLowerInvariant();
        var kind = enc switch
        {
            "direct" => FoolEncoding.Direct,
            "cppn" => FoolEncoding.Cppn,
            _ => throw new RawConvException($"--encoding: unknown encoding '{enc}'; use direct or cppn"),
        };
        int[]? cls = null;
        if (p.GetValue(classes) is { } text)
            cls = text.Split(',').Select(t => int.TryParse(t, out int k) && k >= 0 ? k
                : throw new RawConvException($"--class: '{t}' is not a class index; give e.g. 3 or 0,4,7")).Distinct().ToArray();
        var o = new FoolOptions { Encoding = kind, Generations = p.GetValue(generations), Offspring = p.GetValue(offspring), Confidence = p.GetValue(confidence), Seed = p.GetValue(seed) }.Validate();
        return new FoolSettings(cls, enc, o, outPath);
    }

    public override FoolRun Compute(Session session, FoolSettings s)
    {
        var net = session.Net;
        var pre = session.Model.Preprocessing.For(net.Spec.InputChannels);
        FoolResult? r = null;
        Progress.RunObjective($"fool ({s.EncodingName})", s.Options.Generations, step => r = FoolingSearch.Run(net, pre, s.Options, s.Classes, (_, v) => step(1, v)));
        return new FoolRun(r!, s.Classes ?? Enumerable.Range(0, r!.Elites.Count).ToArray());
    }

    public override Rendered Render(Session session, FoolSettings s, FoolRun run)
    {
        var (r, m, o) = (run.Result, session.Model, s.Options);
        var shape = m.Net.Spec.InputShape(1);
        var elites = run.Classes.Select(k => r.Elites[k]!).ToList();
        var settings = new { classes = s.Classes, encoding = s.EncodingName, generations = o.Generations, offspring = o.Offspring, confidence = o.Confidence, seed = o.Seed };
        var payload = new
        {
            model = m.Source, settings, evaluations = r.Evaluations, generationsRun = r.Generations,
            fooled = elites.Count(e => e.Probability >= o.Confidence),
            images = elites.Select((e, i) => new
            {
                tile = i, @class = e.Class, label = session.Label(e.Class), probability = e.Probability, generation = e.Generation, genome = e.Genome.Describe(),
            }).ToArray(),
            progress = run.Classes.Select(k => r.Progress.Select(g => g[k]).ToArray()).ToArray(),
        };
        // The genomes render pixels 0–255 directly: the identity preprocessing turns them into pictures.
        var pixels = new Preprocessing(ChannelOrder.RGB, [], [], 1f, 0, 0);
        var tiles = elites.Select(e => Deprocess.ToImage(e.Pixels, shape.C, shape.H, shape.W, pixels)).ToList();
        var grid = Grid.Images(tiles, new GridOptions { Rows = tiles.Count > 5 ? 2 : 1, Padding = 2, Upscale = Verbs.UpscaleFor(shape.H, shape.W) });
        return new Rendered([new PngFile(s.Out, grid, payload)], payload, w =>
        {
            foreach (var e in elites) w.WriteLine($"{session.Label(e.Class)}: P = {e.Probability:F4} (generation {e.Generation})");
            w.WriteLine($"{payload.fooled} of {elites.Count} classes at ≥ {o.Confidence} after {r.Evaluations} evaluations; wrote {s.Out}");
        });
    }
}
