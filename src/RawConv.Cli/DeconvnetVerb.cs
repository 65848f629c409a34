using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

/// <summary>`deconv`'s settings: the layer, which unit, the rules and the output path.</summary>
internal sealed record DeconvSettings(string Layer, UnitChoice Choice, (string Name, ReluRule Rule)[] Rules, string Out);

/// <summary>The input, its display names and one projection per rule (disposed with the result).</summary>
internal sealed record DeconvResult(Tensor X, string[] Names, IReadOnlyList<Projection> Projections) : IDisposable
{
    public void Dispose()
    {
        foreach (var p in Projections) p.Dispose();
        X.Dispose();
    }
}

/// <summary>`rawconv deconv`: the Zeiler–Fergus projection of a unit beside its gradient and guided-backprop projections.</summary>
internal sealed class DeconvnetVerb : Verb<DeconvSettings, DeconvResult>
{
    private readonly Option<string> layer = new("--layer") { Description = "the layer to project from (see `rawconv info`)", Required = true };
    private readonly Option<int?> unit = new("--unit") { Description = "feature map C: project its largest activation (or, with --whole-map, all of it)" };
    private readonly Option<bool> strongest = new("--strongest") { Description = "project the single largest activation of the layer (the default)" };
    private readonly Option<bool> wholeMap = new("--whole-map") { Description = "with --unit: keep the whole feature map (DeepVis)" };
    private readonly Option<string> rules = new("--rules") { Description = "comma-separated: deconvnet, gradient, guided (all from one forward pass)", DefaultValueFactory = _ => "deconvnet,gradient,guided" };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: per image, input | one projection per rule side by side (x-N.png for several images), JSON sidecar; " +
                      "x.npy: the raw NCHW float32 projections, one file per rule (x.deconvnet.npy, x.gradient.npy, x.guided.npy) and x.json",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("deconv", "Zeiler–Fergus deconvnet projection of a unit to pixel space, beside the gradient and guided-backprop projections of the same unit.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, layer, unit, strongest, wholeMap, rules, output, Common.Json);
        return cmd;
    }

    public override DeconvSettings Read(ParseResult p)
    {
        string layerName = p.GetValue(layer)!, outPath = p.GetValue(output)!;
        var choice = Verbs.Choice(layerName, Checks.Int(p.GetValue(unit), "--unit", 0, int.MaxValue, "a feature map number"), p.GetValue(strongest), p.GetValue(wholeMap));
        var chosen = Verbs.ParseRules(p.GetValue(rules)!);
        Checks.OutFile(outPath, ".png", ".npy");
        return new DeconvSettings(layerName, choice, chosen, outPath);
    }

    public override DeconvResult Compute(Session session, DeconvSettings s)
    {
        var net = session.Net;
        net.Spec.IndexOf(s.Layer);
        var (x, names) = session.Inputs();
        var projections = new List<Projection>();
        try
        {
            using var pass = net.Forward(x, s.Layer);
            foreach (var (_, rule) in s.Rules)
                projections.Add(Deconvnet.Project(net, pass, Enumerable.Repeat(s.Choice, x.Shape.N).ToArray(), rule));
            return new DeconvResult(x, names, projections);
        }
        catch
        {
            foreach (var pr in projections) pr.Dispose();
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, DeconvSettings s, DeconvResult r)
    {
        var m = session.Model;
        var x = r.X;
        int n = x.Shape.N;
        bool npy = OutputWriter.IsNpy(s.Out);
        var picks = r.Projections[0].Units;
        var outputs = new List<OutputFile>();
        var files = new List<string>();
        string mode = Verbs.ModeName(s.Choice.Mode);
        string[] ruleNames = s.Rules.Select(c => c.Name).ToArray();
        if (npy)
            for (int k = 0; k < s.Rules.Length; k++)
            {
                string f = Path.ChangeExtension(s.Out, $".{s.Rules[k].Name}.npy");
                var t = r.Projections[k].Input;
                outputs.Add(new NpyFile(f, t.Shape.Dims, t.ToArray(), null));
                files.Add(f);
            }
        var hosts = r.Projections.Select(pr => pr.Input.ToArray()).ToList();
        var sh = x.Shape;
        int per = sh.C * sh.H * sh.W;
        // A projection that is zero everywhere (a dead unit, zero weights) is drawn flat grey, and the sidecar says so.
        string? Note(int i) => ruleNames.Where((_, k) => !hosts[k].AsSpan(i * per, per).ContainsAnyExcept(0f)).ToArray() is { Length: > 0 } zero
            ? $"the {string.Join(", ", zero)} projection{(zero.Length == 1 ? " is" : "s are")} zero everywhere" : null;
        var images = Enumerable.Range(0, n).Select(i => new
        {
            image = r.Names[i], layer = s.Layer, mode, channel = picks[i].Channel, y = picks[i].Y, x = picks[i].X,
            value = picks[i].Value, output = npy ? null : Verbs.PerImagePath(s.Out, i, n), note = Note(i),
        }).ToList();
        var payload = new { model = m.Source, layer = s.Layer, mode, rules = ruleNames, images, files };
        if (npy) outputs.Add(new SidecarFile(s.Out, payload));
        else
        {
            for (int i = 0; i < n; i++)
            {
                var tiles = new List<Image> { Display.Input(x, i, m.Preprocessing) };
                foreach (var all in hosts) tiles.Add(Display.Signed(all.AsSpan(i * per, per), sh.C, sh.H, sh.W, m.Preprocessing));
                string f = Verbs.PerImagePath(s.Out, i, n);
                outputs.Add(new PngFile(f, Verbs.Strip(tiles, Verbs.UpscaleFor(sh.H, sh.W)), new
                {
                    model = m.Source, images[i].image, layer = s.Layer, images[i].mode, images[i].channel, images[i].y, images[i].x, images[i].value,
                    rules = ruleNames, tiles = new[] { "input" }.Concat(ruleNames).ToArray(), images[i].note,
                }));
                files.Add(f);
            }
        }
        return new Rendered(outputs, payload, o =>
        {
            foreach (var im in images) o.WriteLine($"{im.image}: {s.Layer} {im.mode} channel {im.channel} at ({im.y}, {im.x}) = {im.value:G6}");
            foreach (var f in files) o.WriteLine($"wrote {f}");
        });
    }
}
