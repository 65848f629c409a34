using System.CommandLine;
using System.Globalization;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Style;
using RawConv.Algorithms.Texture;
using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>`style`'s settings as given: null layers, weights and size take the network's and the algorithm's defaults.</summary>
internal sealed record StyleSettings(string Content, string[] Styles, float[]? Blend, string Init, string[]? ContentLayers, string[]? StyleLayers,
    float? ContentWeight, float? StyleWeight, float? TvWeight, int[]? Size, float StyleScale, bool AveragePool, PreserveColour Colour,
    OptimizerKind Optimizer, float? Lr, int Iterations, int SaveEvery, int Seed, string Out, long? MaxMemory = null, TileSetting? Tile = null);

/// <summary>
/// The stylized image with what `style` resolved: the options, the output size, the preprocessing, the content's YIQ
/// planes under the luminance mode, the run's estimate and the device memory it held at most.
/// </summary>
internal sealed record StyleRun(StyleResult Result, StyleOptions Options, int H, int W, Preprocessing Pre, float[]? ContentYiq, RunEstimate Estimate, long PeakBytes) : IDisposable
{
    public void Dispose() => Result.Dispose();
}

/// <summary>`rawconv style`: Gatys et al.'s neural style transfer — the content of one image in the style of others, by L-BFGS (or Adam) on the input.</summary>
internal sealed class StyleVerb : Verb<StyleSettings, StyleRun>
{
    private readonly Option<string> content = new("--content") { Description = "the content image: a picture or an NCHW float32 .npy in the network's input space", Required = true };
    private readonly Option<string[]> style = new("--style") { Description = "a style image (picture or .npy); repeat for several", Required = true };
    private readonly Option<string?> blend = new("--style-blend") { Description = "w1,w2,…: weights of each --style's Gram target (default: equal; ≥ 0, sum > 0)" };
    private readonly Option<string> init = new("--init") { Description = "noise (seeded by --seed; Gatys et al.'s start) | content | FILE.npy (1, C, H, W) of the output size", DefaultValueFactory = _ => "noise" };
    private readonly Option<string?> contentLayers = new("--content-layers") { Description = "comma-separated content layers (default: relu4_2 on VGG, else the middle ReLU before the classifier)" };
    private readonly Option<string?> styleLayers = new("--style-layers") { Description = "comma-separated style layers (default: relu1_1…relu5_1 on VGG, else the first ReLU and every pooling layer before the classifier)" };
    private readonly Option<float?> contentWeight = new("--content-weight") { Description = "α, the content loss's weight (default 1)" };
    private readonly Option<float?> styleWeight = new("--style-weight") { Description = "β, the style loss's weight (default: 1e3 on VGG, Gatys et al.'s α/β = 1e-3; else 1e8, or 1e10 on one-layer networks; see the README)" };
    private readonly Option<float?> tvWeight = new("--tv-weight") { Description = "γ, the total-variation weight in the network's input units (default: 1e-3 on VGG, as neural-style; else 1e-2)" };
    private readonly Option<string?> size = new("--size") { Description = $"output H,W, or N for the longer side (default: the content's size, longer side at most {StyleInputs.MaxSide}); the content is resized to it" };
    private readonly Option<float> styleScale = new("--style-scale") { Description = "style images are resized so their longer side is s × the output's longer side", DefaultValueFactory = _ => 1f };
    private readonly Option<string> pool = new("--pool") { Description = "max (the network as given) | avg (max pooling swapped for average pooling of the same window, as Gatys et al.)", DefaultValueFactory = _ => "max" };
    private readonly Option<string> colour = new("--preserve-colour") { Description = "none | luminance (transfer on YIQ luminance, the content's colour kept) | histogram (style colours matched to the content's first)", DefaultValueFactory = _ => "none" };
    private readonly Option<string> optimizer = new("--optimizer") { Description = "lbfgs | adam", DefaultValueFactory = _ => "lbfgs" };
    private readonly Option<float?> lr = new("--lr") { Description = "step size (default: 1 for L-BFGS, 10 grey levels in input units for Adam)" };
    private readonly Option<int> iterations = new("--iterations") { Description = "optimizer steps (0–100000; 0 reports the losses of the start image)", DefaultValueFactory = _ => StyleOptions.DefaultIterations };
    private readonly Option<int> saveEvery = new("--save-every") { Description = "also write the image every N steps (OUT-NNNNN.png with a sidecar; 0: never)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> seed = new("--seed") { Description = "seed of --init noise", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> maxMemory = MemoryLimit.NewOption();
    private readonly Option<string?> tile = new("--tile") { Description = "T[,OVERLAP] | auto: stylize the whole at about T px, upsample, refine T×T tiles (each with its crop of the content) overlapping by OVERLAP (default T/8) blended with linear ramps; auto: the largest T whose run fits --max-memory" };
    private readonly Option<string> output = new("--out") { Description = "s.png: the picture with a JSON sidecar and the loss chart s-losses.png/.svg; s.npy: the NCHW float32 input", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("style", "Neural style transfer (Gatys, Ecker & Bethge 2016): an image with the content features of --content and the Gram matrices of --style, by L-BFGS (or Adam) from the content or noise.");
        Common.Add(cmd, Common.Model, Common.Prototxt, Common.Preprocess, Common.Device);
        Common.Add(cmd, content, style, blend, init, contentLayers, styleLayers, contentWeight, styleWeight, tvWeight, size, styleScale, pool, colour,
            optimizer, lr, iterations, saveEvery, seed, maxMemory, tile, output, Common.Json);
        return cmd;
    }

    public override StyleSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        var kind = InputOptimizing.LbfgsOrAdam(p.GetValue(optimizer));
        bool avg = p.GetValue(pool)!.ToLowerInvariant() switch
        {
            "max" => false,
            "avg" or "average" => true,
            var o => throw new RawConvException($"--pool: unknown pooling '{o}'; use max or avg"),
        };
        var mode = p.GetValue(colour)!.ToLowerInvariant() switch
        {
            "none" => PreserveColour.None,
            "luminance" => PreserveColour.Luminance,
            "histogram" => PreserveColour.Histogram,
            var o => throw new RawConvException($"--preserve-colour: unknown mode '{o}'; use none, luminance or histogram"),
        };
        float? step = p.GetValue(lr) is { } v ? Checks.Float(v, "--lr", 1e-6f, 1e6f) : null;
        return new StyleSettings(p.GetValue(content)!, p.GetValue(style) ?? [], p.GetValue(blend) is { } b ? Floats(b, "--style-blend") : null,
            p.GetValue(init)!, Names(p.GetValue(contentLayers), "--content-layers"), Names(p.GetValue(styleLayers), "--style-layers"),
            Weight(p.GetValue(contentWeight), "--content-weight"), Weight(p.GetValue(styleWeight), "--style-weight"), Weight(p.GetValue(tvWeight), "--tv-weight"), p.GetValue(size) is { } s ? Size(s) : null,
            Checks.Float(p.GetValue(styleScale), "--style-scale", 0.01f, 16f), avg, mode, kind, step,
            Checks.Int(p.GetValue(iterations), "--iterations", 0, 100_000), Checks.Int(p.GetValue(saveEvery), "--save-every", 0, 100_000), p.GetValue(seed), outPath,
            p.GetValue(maxMemory) is { } mm ? MemoryLimit.Parse(mm) : null, p.GetValue(tile) is { } t ? TileSetting.Parse(t) : null);
    }

    private static float? Weight(float? w, string option) => w is { } v ? Checks.Float(v, option, 0, 1e12f) : null;

    private static string[]? Names(string? text, string option)
    {
        if (text is null) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0)) throw new RawConvException($"{option}: '{text}' has an empty name — give names separated by commas, e.g. relu1_1,relu2_1");
        return names;
    }

    private static float[] Floats(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var o = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out o[i]) || !float.IsFinite(o[i]) || o[i] < 0)
                throw new RawConvException($"{option}: '{text}' — give finite weights ≥ 0 separated by commas, e.g. 0.7,0.3");
        if (!(o.Sum() > 0)) throw new RawConvException($"{option}: '{text}' sums to 0 — give at least one positive weight");
        return o;
    }

    private static int[] Size(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var o = new int[parts.Length];
        if (parts.Length is not (1 or 2) || parts.Where((t, i) => !int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out o[i])).Any())
            throw new RawConvException($"--size: '{text}' is not H,W or N — give two positive integers, e.g. 128,160, or the longer side, e.g. 256");
        return o.Select(v => Checks.Int(v, "--size", 1, 4096)).ToArray();
    }

    public override StyleRun Compute(Session session, StyleSettings s)
    {
        var given = session.Net;
        var spec = s.AveragePool ? StyleLayers.AveragePooling(given.Spec) : given.Spec;
        var pre = session.Model.Preprocessing.For(spec.InputChannels);
        var contentSource = StyleInputs.Load(s.Content, "--content", spec);
        var (h, w) = StyleInputs.OutputSize(s.Size, contentSource);
        contentSource = contentSource.Resized(h, w);
        var styleSources = s.Styles.Select(f =>
        {
            var src = StyleInputs.Load(f, "--style", spec);
            var (sh, sw) = StyleInputs.Scaled(src.H, src.W, s.StyleScale * Math.Max(h, w));
            return src.Resized(sh, sw);
        }).ToList();
        var (contentPlanes, stylePlanes, yiq) = StyleInputs.ToNetwork(contentSource, styleSources, s.Colour, pre);
        int c = spec.InputChannels;
        float lr = s.Lr ?? (s.Optimizer == OptimizerKind.Lbfgs ? 1f : 10 * pre.Scale / pre.Std[0]);
        var (wc, ws, wt) = s.ContentWeight is null || s.StyleWeight is null || s.TvWeight is null ? StyleLayers.DefaultWeights(spec) : (0f, 0f, 0f);
        var o = new StyleOptions(s.ContentLayers ?? StyleLayers.DefaultContent(spec), s.StyleLayers ?? StyleLayers.DefaultStyle(spec),
            new OptimizerSettings(s.Optimizer, lr), s.ContentWeight ?? wc, s.StyleWeight ?? ws, s.TvWeight ?? wt, s.Iterations, s.Blend, s.SaveEvery).Validate();
        if (s.Tile is { Auto: false } fixedTile) o = (o with { Tile = fixedTile.Side, Overlap = fixedTile.Overlap ?? TileSetting.DefaultOverlap(fixedTile.Side) }).Validate();
        if (s.Tile is { Auto: true } && s.MaxMemory is null) throw new RawConvException("--tile: auto picks the largest tile that fits --max-memory — give --max-memory too, e.g. 2G");
        var initFile = InitFile(s, spec, h, w);
        var contentShape = Shape.Nchw(1, c, h, w);
        var styleShapes = styleSources.Select(src => Shape.Nchw(1, c, src.H, src.W)).ToList();
        if (s.Tile is { Auto: true }) o = AutoTile(spec, given.Backend, contentShape, styleShapes, o, s.AveragePool, s.MaxMemory!.Value);
        if (o.Tiled(h, w) && o.SaveEvery > 0) throw new RawConvException("--save-every: a tiled run keeps no snapshots (its steps refine pieces of the picture) — leave out --save-every or --tile");
        var estimate = StyleTransfer.Estimate(spec, given.Backend, contentShape, styleShapes, o, s.AveragePool);
        MemoryLimit.Announce("style", estimate);
        MemoryLimit.Check(estimate, s.MaxMemory, $"style at {h}×{w} with content layer(s) {string.Join(",", o.ContentLayers)} and style layers up to '{o.StyleLayers.OrderBy(spec.IndexOf).Last()}'",
            "give a smaller --size or --style-scale, lower layers, --tile auto (or --tile T) to refine in tiles, or a higher --max-memory");
        bool tiled = o.Tiled(h, w);
        int steps = o.Iterations * (1 + (tiled ? Tiling.Plan(h, w, o.Tile, o.Overlap).Count : 0));
        var meter = DeviceMemory.Of(given.Backend);
        meter.ResetPeak();
        var b = given.Backend;
        var tensors = new List<Tensor>();
        Net? swapped = null;
        try
        {
            var contentT = Add(tensors, Tensor.FromArray(b, Shape.Nchw(1, c, h, w), contentPlanes));
            var styles = styleSources.Select((src, k) => Add(tensors, Tensor.FromArray(b, Shape.Nchw(1, c, src.H, src.W), stylePlanes[k]))).ToList();
            var start = Add(tensors, Init(s, contentT, spec, pre, h, w, initFile));
            var net = s.AveragePool ? swapped = StyleLayers.WithSpec(given, spec) : given;
            StyleResult? result = null;
            Progress.RunObjective("style", steps, step => result = StyleTransfer.Run(net, contentT, styles, start, o, (_, l) => step(1, l.Total)));
            return new StyleRun(result!, o, h, w, pre, yiq, estimate, meter.Peak);
        }
        finally
        {
            swapped?.Dispose();
            foreach (var t in tensors) t.Dispose();
        }
    }

    /// <summary>The options untiled when their run fits <paramref name="limit"/>, else with the largest tile side (a multiple of 16) whose run does; the options unchanged when none does (the check then refuses).</summary>
    private static StyleOptions AutoTile(NetSpec spec, IBackend backend, Shape content, IReadOnlyList<Shape> styles, StyleOptions o, bool weightCopy, long limit)
    {
        if (StyleTransfer.Estimate(spec, backend, content, styles, o, weightCopy).DeviceBytes <= limit) return o;
        for (int side = Math.Max(content.H, content.W) / 16 * 16; side >= 16; side -= 16)
        {
            var tiled = o with { Tile = side, Overlap = TileSetting.DefaultOverlap(side) };
            if (!tiled.Tiled(content.H, content.W)) continue;
            try
            {
                if (StyleTransfer.Estimate(spec, backend, content, styles, tiled, weightCopy).DeviceBytes <= limit) return tiled;
            }
            catch (RawConvException)
            {
                break;
            }
        }
        return o;
    }

    private static Tensor Add(List<Tensor> owned, Tensor t)
    {
        owned.Add(t);
        return t;
    }

    private static Tensor Init(StyleSettings s, Tensor content, NetSpec spec, Preprocessing pre, int h, int w, StyleSource? file) =>
        s.Init.ToLowerInvariant() switch
        {
            "content" => content.Clone(),
            "noise" => TextureSynthesis.Noise(content.Backend, spec.InputChannels, h, w, pre, s.Seed),
            _ => Tensor.FromArray(content.Backend, Shape.Nchw(1, spec.InputChannels, h, w), file!.Planes),
        };

    /// <summary>--init's .npy read and checked against the output size (before the estimate line, so a bad one is refused in one line); null for content and noise.</summary>
    private static StyleSource? InitFile(StyleSettings s, NetSpec spec, int h, int w)
    {
        if (s.Init.ToLowerInvariant() is "content" or "noise") return null;
        if (!OutputWriter.IsNpy(s.Init)) throw new RawConvException($"--init: '{s.Init}' — give content, noise or an NCHW float32 .npy of the output size");
        var src = StyleInputs.Load(s.Init, "--init", spec);
        if (src.H != h || src.W != w)
            throw new RawConvException($"--init: {s.Init}: {src.H}×{src.W} does not match the output size {h}×{w} — give (1, {spec.InputChannels}, {h}, {w}) or set --size");
        return src;
    }

    public override Rendered Render(Session session, StyleSettings s, StyleRun run)
    {
        var (r, o, m) = (run.Result, run.Options, session.Model);
        var settings = new
        {
            content = s.Content, styles = s.Styles, styleBlend = s.Blend, init = s.Init, contentLayers = o.ContentLayers, styleLayers = o.StyleLayers,
            contentWeight = o.ContentWeight, styleWeight = o.StyleWeight, tvWeight = o.TvWeight, height = run.H, width = run.W, styleScale = s.StyleScale,
            pool = s.AveragePool ? "avg" : "max", preserveColour = s.Colour.ToString().ToLowerInvariant(),
            optimizer = o.Optimizer.Kind.ToString().ToLowerInvariant(), lr = o.Optimizer.LearningRate, iterations = o.Iterations, saveEvery = o.SaveEvery, seed = s.Seed,
        };
        string stem = Path.Combine(Path.GetDirectoryName(s.Out) ?? "", Path.GetFileNameWithoutExtension(s.Out));
        var history = r.History.Select((l, i) => Losses(l, i)).ToArray();
        bool chart = r.History.Count >= 2;
        var f = r.Final;
        var payload = new
        {
            model = m.Source, settings, contentLoss = f.ContentLoss, styleLoss = f.StyleLoss, tvLoss = f.TvLoss, total = f.Total,
            initial = Losses(r.History[0], 0), iterations = r.History.Count - 1, history, chart = chart ? stem + "-losses.png" : null,
            snapshots = r.Snapshots.Select(q => Snapshot(stem, q.Iteration, s.Out)).ToArray(),
            tile = r.Tiles is { } tl ? new { side = o.Tile, overlap = o.Overlap, count = tl.Count, final = tl.Select((l, i) => Losses(l, i)).ToArray() } : null,
            memoryEstimateBytes = run.Estimate.DeviceBytes, hostMemoryEstimateBytes = run.Estimate.HostBytes,
            timeEstimateSeconds = run.Estimate.Seconds, memoryPeakBytes = run.PeakBytes,
        };
        var files = new List<OutputFile> { Image(s.Out, r.Image.ToArray(), run, payload) };
        foreach (var q in r.Snapshots)
            files.Add(Image(Snapshot(stem, q.Iteration, s.Out), q.Image, run, new { model = m.Source, settings, iteration = q.Iteration, losses = Losses(q.Losses, q.Iteration) }));
        if (chart)
        {
            var c = LossChart(r.History, o);
            files.Add(new TextFile(stem + "-losses.svg", ChartRow.ToSvg([c])));
            files.Add(new PngFile(stem + "-losses.png", ChartRow.ToImage([c]), new { model = m.Source, settings, source = $"the history field of {Path.GetFileName(s.Out)}'s sidecar" }));
        }
        return new Rendered(files, payload, wr =>
        {
            var i = r.History[0];
            string tiles = r.Tiles is { } tt ? $" on the whole and on each of {tt.Count} tiles of {o.Tile} (losses: the tiles' mean)" : "";
            wr.WriteLine($"total {i.Total:G6} → {f.Total:G6} after {o.Iterations} {settings.optimizer} steps{tiles} (content {f.ContentLoss:G4}, style {f.StyleLoss:G4}, tv {f.TvLoss:G4})");
            wr.WriteLine($"wrote {s.Out} ({run.H}×{run.W})");
        });
    }

    /// <summary>log10 of each weighted loss and the total per step, so terms orders of magnitude apart share one axis.</summary>
    private static Chart LossChart(IReadOnlyList<StyleLosses> h, StyleOptions o)
    {
        var x = Enumerable.Range(0, h.Count).Select(i => (double)i).ToArray();
        double[] Log(Func<StyleLosses, double> f) => h.Select(l => Math.Log10(f(l))).ToArray();
        return new Chart { Title = "Style transfer: losses per step", XLabel = "step", YLabel = "log10 of the weighted loss", Width = 640, Height = 400 }
            .Add("α·content", x, Log(l => o.ContentWeight * l.ContentLoss))
            .Add("β·style", x, Log(l => o.StyleWeight * l.StyleLoss))
            .Add("γ·tv", x, Log(l => o.TvWeight * l.TvLoss))
            .Add("total", x, Log(l => l.Total));
    }

    private static object Losses(StyleLosses l, int iteration) =>
        new { iteration, contentLoss = l.ContentLoss, styleLoss = l.StyleLoss, tvLoss = l.TvLoss, total = l.Total };

    private static string Snapshot(string stem, int iteration, string output) => $"{stem}-{iteration:D5}{Path.GetExtension(output)}";

    private static OutputFile Image(string path, float[] x, StyleRun run, object sidecar) =>
        OutputWriter.IsNpy(path)
            ? new NpyFile(path, [1, run.Pre.Channels, run.H, run.W], x, sidecar)
            : new PngFile(path, StyleInputs.Picture(x, run.H, run.W, run.Pre, run.ContentYiq), sidecar);
}
