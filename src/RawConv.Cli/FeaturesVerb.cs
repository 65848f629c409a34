using System.CommandLine;

namespace RawConv.Cli;

/// <summary>`features`'s settings: the layer and the output path.</summary>
internal sealed record FeaturesSettings(string Layer, string Out);

/// <summary>One layer's activations, on the host.</summary>
internal sealed record FeaturesRun(Shape Shape, float[] Values);

/// <summary>`rawconv features`: the activations of one layer, as .npy or as a grid of feature maps (each with a JSON sidecar).</summary>
internal sealed class FeaturesVerb : Verb<FeaturesSettings, FeaturesRun>
{
    private readonly Option<string> layer = new("--layer") { Description = "layer name (see `rawconv info`)", Required = true };
    private readonly Option<string> output = new("--out") { Description = "x.npy (the activations, NCHW float32) or grid.png (the feature maps of the first image), + .json sidecar", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("features", "Activations of one layer, as .npy or as a grid of feature maps.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, layer, output, Common.Json);
        return cmd;
    }

    public override FeaturesSettings Read(ParseResult p) => new(p.GetValue(layer)!, Checks.OutFile(p.GetValue(output)!, ".npy", ".png"));

    public override FeaturesRun Compute(Session session, FeaturesSettings s)
    {
        var (x, _) = session.Inputs();
        using (x)
        using (var f = session.Net.Forward(x, s.Layer))
            return new FeaturesRun(f.Output.Shape, f.Output.ToArray());
    }

    public override Rendered Render(Session session, FeaturesSettings s, FeaturesRun r)
    {
        var payload = new { model = session.Model.Source, layer = s.Layer, shape = r.Shape.Dims, output = s.Out };
        OutputFile file = Path.GetExtension(s.Out).ToLowerInvariant() switch
        {
            ".npy" => new NpyFile(s.Out, r.Shape.Dims, r.Values, payload),
            ".png" => new PngFile(s.Out, Verbs.FeatureGrid(r.Shape, r.Values), payload),
            _ => throw new RawConvException($"--out: {s.Out} — give a file name ending in .npy or .png"),
        };
        return new Rendered([file], payload, w => w.WriteLine($"wrote {s.Out}: {s.Layer} {r.Shape}"));
    }
}
