using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>`saliency`'s settings: target, algorithm options, how to show the map, and the output path (names as typed, for the sidecar).</summary>
internal sealed record SaliencySettings(SaliencyTarget Target, SaliencyOptions Options, string MethodName, string BaseName, OverlaySign Sign, string SignName,
    SaliencyReduction Reduction, string Display, string Out);

/// <summary>The input, its names and the saliency maps (disposed with the result).</summary>
internal sealed record SaliencyRun(Tensor X, string[] Names, SaliencyMap Map) : IDisposable
{
    public void Dispose()
    {
        Map.Dispose();
        X.Dispose();
    }
}

/// <summary>`rawconv saliency`: gradient, deconvnet, guided backprop or SmoothGrad maps, shown as Captum shows them.</summary>
internal sealed class SaliencyVerb : Verb<SaliencySettings, SaliencyRun>
{
    private readonly Option<string> method = new("--method") { Description = "gradient | deconvnet | guided | smoothgrad", DefaultValueFactory = _ => "gradient" };
    private readonly Option<int?> cls = new("--class") { Description = "class K at the logits layer (default: each image's top-scoring class)" };
    private readonly Option<string?> unit = new("--unit") { Description = "LAYER:C — the strongest activation of feature map C of LAYER instead of a class" };
    private readonly Option<int> samples = new("--samples") { Description = "smoothgrad: noisy copies per image", DefaultValueFactory = _ => 25 };
    private readonly Option<float> noise = new("--noise") { Description = "smoothgrad: σ as a fraction of the image's value range (max − min)", DefaultValueFactory = _ => 0.15f };
    private readonly Option<ulong> seed = new("--seed") { Description = "smoothgrad: noise seed (the same seed gives the same map)", DefaultValueFactory = _ => 0UL };
    private readonly Option<string> baseRule = new("--base") { Description = "smoothgrad: the map averaged: gradient | deconvnet | guided", DefaultValueFactory = _ => "gradient" };
    private readonly Option<string> display = new("--display")
    {
        Description = "heat_map | blended_heat_map | masked_image | alpha_scaling | original_image | all (a strip of them)",
        DefaultValueFactory = _ => "blended_heat_map",
    };
    private readonly Option<string> sign = new("--sign") { Description = "absolute_value | positive | negative | all", DefaultValueFactory = _ => "absolute_value" };
    private readonly Option<string> reduce = new("--reduce")
    {
        Description = "channels to one map: sum (Captum's signed channel sum) | max-abs (Simonyan's max over channels of |g|)",
        DefaultValueFactory = _ => "sum",
    };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: per image (x-N.png for several) the map shown as --display, JSON sidecar; x.npy: the raw NCHW float32 map and x.json",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("saliency", "Which input pixels a class score or unit depends on: gradient (Simonyan), deconvnet, guided backprop or SmoothGrad, shown as Captum shows them.");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, method, cls, unit, samples, noise, seed, baseRule, display, sign, reduce, output, Common.Json);
        return cmd;
    }

    public override SaliencySettings Read(ParseResult p)
    {
        string outPath = p.GetValue(output)!;
        var target = SaliencyTarget.Parse(p.GetValue(cls), p.GetValue(unit));
        var opts = new SaliencyOptions(Verbs.ParseMethod(p.GetValue(method)!),
            Checks.Int(p.GetValue(samples), "--samples", 1, SaliencyOptions.MaxSamples, "noisy copies per image"),
            Checks.Float(p.GetValue(noise), "--noise", 0, 10, "σ as a fraction of the value range"), p.GetValue(seed), Verbs.ParseBase(p.GetValue(baseRule)!));
        var overlaySign = Verbs.ParseSign(p.GetValue(sign)!);
        var reduction = p.GetValue(reduce)!.ToLowerInvariant() switch
        {
            "sum" => SaliencyReduction.Sum,
            "max-abs" or "maxabs" => SaliencyReduction.MaxAbs,
            var r => throw new RawConvException($"saliency: unknown --reduce '{r}'; use sum or max-abs"),
        };
        string displayName = p.GetValue(display)!.ToLowerInvariant();
        if (displayName != "all" && !Verbs.DisplayModes.Contains(displayName))
            throw new RawConvException($"saliency: unknown --display '{displayName}'; use {string.Join(", ", Verbs.DisplayModes)} or all");
        Checks.OutFile(outPath, ".png", ".npy");
        return new SaliencySettings(target, opts, p.GetValue(method)!.ToLowerInvariant(), p.GetValue(baseRule)!.ToLowerInvariant(), overlaySign,
            p.GetValue(sign)!.ToLowerInvariant(), reduction, displayName, outPath);
    }

    public override SaliencyRun Compute(Session session, SaliencySettings s)
    {
        var (x, names) = session.Inputs();
        try
        {
            var opts = s.Options;
            SaliencyMap? result = null;
            int work = opts.Method == SaliencyMethod.SmoothGrad ? x.Shape.N * opts.Samples : 1;
            Progress.Run(opts.Method == SaliencyMethod.SmoothGrad ? "smoothgrad" : "saliency", work,
                step => result = Saliency.Compute(session.Net, x, s.Target, opts, step));
            return new SaliencyRun(x, names, result!);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, SaliencySettings s, SaliencyRun run)
    {
        var (x, names, map, m, opts) = (run.X, run.Names, run.Map, session.Model, s.Options);
        int n = x.Shape.N;
        bool npy = OutputWriter.IsNpy(s.Out);
        var modes = s.Display != "all" ? [s.Display]
            : Verbs.DisplayModes.Where(d => s.Sign != OverlaySign.All || d is not ("masked_image" or "alpha_scaling")).ToArray();
        var host = map.Map.ToArray();
        int per = (int)(host.Length / Math.Max(1, n));
        var images = Enumerable.Range(0, n).Select(i =>
        {
            var t = map.Targets[i];
            // A degenerate but valid model (e.g. all weights zero) gives a zero map: shown blank, and said so.
            string? note = host.AsSpan(i * per, per).ContainsAnyExcept(0f) ? null : "the map is zero everywhere";
            return new
            {
                image = names[i], target = t.IsClass ? "class" : "unit", layer = t.Layer, @class = t.IsClass ? t.Channel : (int?)null,
                label = t.IsClass && m.Classes is { } cl && t.Channel < cl.Count ? cl[t.Channel] : null,
                channel = t.IsClass ? (int?)null : t.Channel, y = t.IsClass ? (int?)null : t.Y, x = t.IsClass ? (int?)null : t.X,
                score = t.Score, output = npy ? null : Verbs.PerImagePath(s.Out, i, n), note,
            };
        }).ToList();
        bool smooth = opts.Method == SaliencyMethod.SmoothGrad;
        var options = new
        {
            method = s.MethodName, samples = smooth ? opts.Samples : (int?)null,
            noise = smooth ? opts.NoiseFraction : (float?)null,
            seed = smooth ? opts.Seed : (ulong?)null,
            @base = smooth ? s.BaseName : null,
            display = modes, sign = s.SignName, reduce = s.Reduction == SaliencyReduction.Sum ? "sum" : "max-abs",
        };
        var payload = new { model = m.Source, options, images };
        var files = new List<OutputFile>();
        if (npy) files.Add(new NpyFile(s.Out, map.Map.Shape.Dims, host, payload));
        else
        {
            var sh = x.Shape;
            for (int i = 0; i < n; i++)
            {
                var picture = Display.Input(x, i, m.Preprocessing);
                var reduced = map.Reduced(i, s.Reduction);
                var tiles = modes.Select(d => d == "original_image" ? picture
                    : Overlay.Render(picture, reduced, sh.H, sh.W, new OverlayOptions { Method = Verbs.OverlayOf(d), Sign = s.Sign, ZeroIsBlank = true })).ToList();
                int up = Verbs.UpscaleFor(sh.H, sh.W);
                var img = tiles.Count == 1 && tiles[0].Channels == 4 ? Verbs.Upscale(tiles[0], up) : Verbs.Strip(tiles, up);
                files.Add(new PngFile(images[i].output!, img, new
                {
                    model = m.Source, options, images[i].image, images[i].target, images[i].layer, images[i].@class, images[i].label,
                    images[i].channel, images[i].y, images[i].x, images[i].score, images[i].note,
                }));
            }
        }
        return new Rendered(files, payload, w =>
        {
            foreach (var im in images)
                w.WriteLine(im.@class is { } k
                    ? $"{im.image}: class {k} {im.label} (score {im.score:G6})" + (im.output is { } o ? $" → {o}" : "")
                    : $"{im.image}: {im.layer} channel {im.channel} at ({im.y}, {im.x}) = {im.score:G6}" + (im.output is { } o2 ? $" → {o2}" : ""));
            if (npy) w.WriteLine($"wrote {s.Out}");
        });
    }
}
