using System.CommandLine;
using System.Globalization;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Texture;

namespace RawConv.Cli;

/// <summary>`texture`'s settings as given: layers (null: the network's default), output size (null: the network's input), and the rest.</summary>
internal sealed record TextureSettings(string[]? Layers, (int H, int W)? Size, OptimizerKind Optimizer, float? Lr, int Iterations, int Scales, int Seed, string Out,
    long? MaxMemory = null, TileSetting? Tile = null);

/// <summary>`--tile`: a side and overlap, or "auto" (the largest tile whose run fits --max-memory).</summary>
internal sealed record TileSetting(bool Auto, int Side, int? Overlap)
{
    /// <summary>Parses "T", "T,O" or "auto".</summary>
    public static TileSetting Parse(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return new(true, 0, null);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t < 16 || t > 4096
            || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new RawConvException($"--tile: '{text}' is not T, T,OVERLAP or auto — give a tile side from 16 to 4096, e.g. 128 or 128,16");
        return new(false, t, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The default overlap of tiles of side <paramref name="side"/>: an eighth of it, at least 8 pixels, under half the side.</summary>
    public static int DefaultOverlap(int side) => Math.Min(Math.Max(8, side / 8), (side - 1) / 2);
}

/// <summary>The synthesized texture and the settings it was made with.</summary>
internal sealed record TextureRun(TextureResult Result, TextureOptions Options, RunEstimate Estimate, long PeakBytes) : IDisposable
{
    public void Dispose() => Result.Dispose();
}

/// <summary>`rawconv texture`: Gatys et al.'s texture synthesis, matching the Gram matrices of a source image from seeded noise, coarse to fine.</summary>
internal sealed class TextureVerb : Verb<TextureSettings, TextureRun>
{
    private readonly Option<string?> layers = new("--layers") { Description = "comma-separated layers whose Gram matrices are matched (default: the first ReLU and every pooling layer before the classifier)" };
    private readonly Option<string?> size = new("--size") { Description = "output H,W (default: the network's input size; independent of the source's)" };
    private readonly Option<string> optimizer = new("--optimizer") { Description = "lbfgs | adam", DefaultValueFactory = _ => "lbfgs" };
    private readonly Option<float?> lr = new("--lr") { Description = "step size (default: 1 for L-BFGS, 10 grey levels in input units for Adam)" };
    private readonly Option<int> iterations = new("--iterations") { Description = "optimizer steps per scale (0–100000)", DefaultValueFactory = _ => 100 };
    private readonly Option<int> scales = new("--scales") { Description = "coarse-to-fine scales: synthesize at 1/2^(K−1) of the size, upsample, refine (1–8)", DefaultValueFactory = _ => 1 };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the start noise", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> maxMemory = MemoryLimit.NewOption();
    private readonly Option<string?> tile = new("--tile") { Description = "T[,OVERLAP] | auto: synthesize the whole at about T px, upsample, refine T×T tiles overlapping by OVERLAP (default T/8) blended with linear ramps; auto: the largest T whose run fits --max-memory" };
    private readonly Option<string> output = new("--out") { Description = "t.png: the texture with a JSON sidecar; t.npy: the NCHW float32 input", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("texture", "Texture synthesis (Gatys, Ecker & Bethge 2015): an image whose Gram matrices at the chosen layers match the source image's, from seeded noise, by L-BFGS (or Adam), coarse to fine.");
        Common.Add(cmd, Common.Model, Common.Prototxt, Common.Preprocess, Common.Device, Common.Image);
        Common.Add(cmd, layers, size, optimizer, lr, iterations, scales, seed, maxMemory, tile, output, Common.Json);
        return cmd;
    }

    public override TextureSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        var kind = InputOptimizing.LbfgsOrAdam(p.GetValue(optimizer));
        string[]? names = p.GetValue(layers) is { } l ? l.Split(',', StringSplitOptions.TrimEntries) : null;
        if (names is not null && names.Any(n => n.Length == 0)) throw new RawConvException($"--layers: '{p.GetValue(layers)}' has an empty name — give names separated by commas, e.g. relu1_1,pool1");
        float? step = p.GetValue(lr) is { } v ? Checks.Float(v, "--lr", 1e-6f, 1e6f) : null;
        return new TextureSettings(names, p.GetValue(size) is { } s ? Size(s) : null, kind, step,
            Checks.Int(p.GetValue(iterations), "--iterations", 0, 100_000), Checks.Int(p.GetValue(scales), "--scales", 1, 8), p.GetValue(seed), outPath,
            p.GetValue(maxMemory) is { } mm ? MemoryLimit.Parse(mm) : null, p.GetValue(tile) is { } t ? TileSetting.Parse(t) : null);
    }

    private static (int, int) Size(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int w))
            throw new RawConvException($"--size: '{text}' is not H,W — give two positive integers, e.g. 128,128");
        return (Checks.Int(h, "--size", 1, 4096), Checks.Int(w, "--size", 1, 4096));
    }

    public override TextureRun Compute(Session session, TextureSettings s)
    {
        if (session.Args.Images.Length != 1) throw new RawConvException($"--image: texture takes one source image, got {session.Args.Images.Length}");
        var net = session.Net;
        var spec = net.Spec;
        var names = s.Layers ?? TextureSynthesis.DefaultLayers(spec);
        foreach (var n in names)
            if (!spec.Layers.Any(l => l.Name == n))
                throw new RawConvException($"--layers: {spec.Name} has no layer '{n}'; layers are {string.Join(", ", spec.Layers.Select(l => l.Name))}");
        var pre = session.Model.Preprocessing.For(spec.InputChannels);
        float lr = s.Lr ?? (s.Optimizer == OptimizerKind.Lbfgs ? 1f : 10 * pre.Scale / pre.Std[0]);
        var (h, w) = s.Size ?? (spec.InputHeight, spec.InputWidth);
        var o = new TextureOptions(names, h, w, new OptimizerSettings(s.Optimizer, lr), s.Iterations, s.Scales, s.Seed).Validate();
        if (s.Tile is { Auto: false } t) o = (o with { Tile = t.Side, Overlap = t.Overlap ?? TileSetting.DefaultOverlap(t.Side) }).Validate();
        if (s.Tile is { Auto: true } && s.MaxMemory is null) throw new RawConvException("--tile: auto picks the largest tile that fits --max-memory — give --max-memory too, e.g. 2G");
        var (source, _) = session.Inputs();
        using (source)
        {
            if (s.Tile is { Auto: true }) o = AutoTile(spec, session, source.Shape, o, s.MaxMemory!.Value);
            var estimate = TextureSynthesis.Estimate(spec, session.Backend, source.Shape, o);
            MemoryLimit.Announce("texture", estimate);
            MemoryLimit.Check(estimate, s.MaxMemory, $"texture at {h}×{w} with {names.Count} layer(s) up to '{names.OrderBy(spec.IndexOf).Last()}'",
                "give a smaller --size, fewer or lower --layers, --tile auto (or --tile T) to refine in tiles, or a higher --max-memory");
            var meter = DeviceMemory.Of(session.Backend);
            meter.ResetPeak();
            TextureResult? result = null;
            int tiles = o.Tiled ? Tiling.Plan(o.Height, o.Width, o.Tile, o.Overlap).Count : 0;
            Progress.RunObjective("texture", o.Iterations * (o.Scales + tiles), step => result = TextureSynthesis.Run(net, source, pre, o, (_, v) => step(1, v)));
            return new TextureRun(result!, o, estimate, meter.Peak);
        }
    }

    /// <summary>The options untiled when their run fits <paramref name="limit"/>, else with the largest tile side (a multiple of 16) whose run does; the options unchanged when none does (the check then refuses).</summary>
    private static TextureOptions AutoTile(Graph.NetSpec spec, Session session, Shape source, TextureOptions o, long limit)
    {
        if (TextureSynthesis.Estimate(spec, session.Backend, source, o).DeviceBytes <= limit) return o;
        for (int side = Math.Max(o.Height, o.Width) / 16 * 16; side >= 16; side -= 16)
        {
            var tiled = o with { Tile = side, Overlap = TileSetting.DefaultOverlap(side) };
            if (!tiled.Tiled) continue;
            try
            {
                if (TextureSynthesis.Estimate(spec, session.Backend, source, tiled).DeviceBytes <= limit) return tiled;
            }
            catch (RawConvException)
            {
                break;
            }
        }
        return o;
    }

    public override Rendered Render(Session session, TextureSettings s, TextureRun run)
    {
        var (r, o, m) = (run.Result, run.Options, session.Model);
        var settings = new
        {
            source = session.Args.Images[0], layers = o.Layers, height = o.Height, width = o.Width,
            optimizer = o.Optimizer.Kind.ToString().ToLowerInvariant(), lr = o.Optimizer.LearningRate, iterationsPerScale = o.Iterations,
            scales = o.Scales, seed = o.Seed,
        };
        var payload = new
        {
            model = m.Source, settings, initialLoss = r.InitialLoss, finalLoss = r.FinalLoss, iterations = r.Losses.Count,
            scales = r.Scales.Select(c => new { height = c.Height, width = c.Width, iterations = c.Iterations, initialLoss = c.InitialLoss, finalLoss = c.FinalLoss }),
            losses = r.Losses,
            tile = o.Tiled ? new { side = o.Tile, overlap = o.Overlap, count = r.Tiles?.Count ?? 0 } : null,
            memoryEstimateBytes = run.Estimate.DeviceBytes, hostMemoryEstimateBytes = run.Estimate.HostBytes,
            timeEstimateSeconds = run.Estimate.Seconds, memoryPeakBytes = run.PeakBytes,
        };
        var sh = r.Image.Shape;
        OutputFile file = OutputWriter.IsNpy(s.Out)
            ? new NpyFile(s.Out, sh.Dims, r.Image.ToArray(), payload)
            : new PngFile(s.Out, Verbs.Upscale(Display.Input(r.Image, 0, m.Preprocessing), Verbs.UpscaleFor(sh.H, sh.W)), payload);
        return new Rendered([file], payload, wr =>
        {
            wr.WriteLine($"Gram loss at {string.Join(", ", o.Layers)}: {r.InitialLoss:G6} → {r.FinalLoss:G6} after {r.Losses.Count} {settings.optimizer} steps over {o.Scales} scale(s)");
            wr.WriteLine($"wrote {s.Out} ({sh.H}×{sh.W})");
        });
    }
}
