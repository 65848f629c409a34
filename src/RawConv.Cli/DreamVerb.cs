using System.CommandLine;
using RawConv.Algorithms;
using RawConv.Algorithms.Dream;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>`dream`'s settings as typed (for the sidecar) and the algorithm's options.</summary>
internal sealed record DreamSettings(string? Layer, DreamOptions Options, bool StepGiven, string? Guide, int Size, string ClipName, int Frames, float Zoom, string Out);

/// <summary>The dreamed frames (the last is the result) and the objective history of each.</summary>
internal sealed record DreamRun(string Layer, string Objective, float Step, List<DreamResult> Frames) : IDisposable
{
    public void Dispose()
    {
        foreach (var f in Frames) f.Dispose();
    }
}

/// <summary>`rawconv dream`: DeepDream with octaves, jitter and normalized steps; a guide image; a zoom feedback loop of frames.</summary>
internal sealed class DreamVerb : Verb<DreamSettings, DreamRun>
{
    private readonly Option<string?> layer = new("--layer") { Description = "the layer whose ½‖Φ‖² is amplified (default: the rectified middle convolution)" };
    private readonly Option<int> octaves = new("--octaves") { Description = "scales of the pyramid", DefaultValueFactory = _ => 4 };
    private readonly Option<float> octaveScale = new("--octave-scale") { Description = "size ratio between octaves", DefaultValueFactory = _ => 1.4f };
    private readonly Option<int> iterations = new("--iterations") { Description = "steps per octave", DefaultValueFactory = _ => 10 };
    private readonly Option<int> jitter = new("--jitter") { Description = "largest random roll per step, pixels", DefaultValueFactory = _ => 32 };
    private readonly Option<float?> step = new("--step") { Description = "step size relative to mean |gradient|, in input units (default: 1.5 grey levels, the notebook's 1.5 for 0–255 inputs)" };
    private readonly Option<string> clip = new("--clip") { Description = "pixels | none", DefaultValueFactory = _ => "pixels" };
    private readonly Option<string?> guide = new("--guide") { Description = "an image whose features guide the dream (the notebook's guided objective)" };
    private readonly Option<int> size = new("--size") { Description = "resize the picture so its longer side has this many pixels (0: the network's input size)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> frames = new("--frames") { Description = "zoom feedback loop: this many frames, each dreamed from the previous one zoomed", DefaultValueFactory = _ => 1 };
    private readonly Option<float> zoom = new("--zoom") { Description = "relative zoom between frames", DefaultValueFactory = _ => 0.05f };
    private readonly Option<int> seed = new("--seed") { Description = "seed of the rolls", DefaultValueFactory = _ => 0 };
    private readonly Option<string> output = new("--out")
    {
        Description = "x.png: the dream with a JSON sidecar (with --frames: x-000.png … and the animation x-anim.png); x.npy: the NCHW float32 input",
        Required = true,
    };

    protected override Command Build()
    {
        var cmd = new Command("dream", "DeepDream: amplify what a layer sees in a picture, over a pyramid of octaves (Mordvintsev et al. 2015).");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, layer, octaves, octaveScale, iterations, jitter, step, clip, guide, size, frames, zoom, seed, output, Common.Json);
        return cmd;
    }

    public override DreamSettings Read(ParseResult p)
    {
        string outPath = InputOptimizing.Out(p.GetValue(output));
        string clipName = p.GetValue(clip)!.ToLowerInvariant();
        var clipMode = InputOptimizing.Clip(clipName);
        var o = new DreamOptions
        {
            Octaves = p.GetValue(octaves), OctaveScale = p.GetValue(octaveScale), Iterations = p.GetValue(iterations), Jitter = p.GetValue(jitter),
            Step = p.GetValue(step) ?? 1.5f, Clip = clipMode, Seed = p.GetValue(seed),
        }.Validate();
        int sz = p.GetValue(size), n = p.GetValue(frames);
        float z = p.GetValue(zoom);
        if (sz is < 0 or > 4096) throw new RawConvException($"--size: {sz} must lie in 0–4096 pixels");
        if (n is < 1 or > 500) throw new RawConvException($"--frames: {n} must lie in 1–500");
        if (!(z > -0.5f && z < 1f)) throw new RawConvException($"--zoom: {z} must lie in (−0.5, 1)");
        if (n > 1 && OutputWriter.IsNpy(outPath)) throw new RawConvException("--frames: write frames as pictures (--out x.png)");
        return new DreamSettings(p.GetValue(layer), o, p.GetValue(step) is not null, p.GetValue(guide), sz, clipName, n, z, outPath);
    }

    public override DreamRun Compute(Session session, DreamSettings s)
    {
        var net = session.Net;
        var spec = net.Spec;
        string l = s.Layer ?? spec.Roles.Rectified(spec.Roles.Convolutions[spec.Roles.Convolutions.Count / 2]);
        spec.IndexOf(l);
        var pre = session.Model.Preprocessing.For(spec.InputChannels);
        // 1.5 grey levels in input units unless --step was given (for Caffe's 0–255 inputs exactly the notebook's 1.5).
        if (!s.StepGiven) s = s with { Options = s.Options with { Step = 1.5f * pre.Scale / (pre.Std.Length > 0 ? pre.Std[0] : 1f) } };
        var x = Start(session, s, pre);
        var framesOut = new List<DreamResult>();
        try
        {
            ObjectiveTerm term;
            if (s.Guide is { } g)
            {
                using var gx = Picture(session, g, s.Size, pre);
                term = GuideMatch.Of(net, l, gx);
            }
            else term = new FeatureEnergy(l);
            int perFrame = s.Options.Octaves * s.Options.Iterations;
            Progress.RunObjective($"dream {l}", perFrame * s.Frames, tick =>
            {
                var cur = x;
                for (int f = 0; f < s.Frames; f++)
                {
                    try
                    {
                        framesOut.Add(DeepDream.Run(net, pre, term, cur, s.Options with { Seed = s.Options.Seed + f }, (_, _, v) => tick(1, v)));
                    }
                    finally
                    {
                        if (!ReferenceEquals(cur, x)) cur.Dispose();
                    }
                    if (f + 1 < s.Frames) cur = Transforms.Apply(framesOut[^1].Input, InputTransform.Zoom(1 + s.Zoom), FillMode.Border);
                }
            });
            return new DreamRun(l, term.Describe(spec), s.Options.Step, framesOut);
        }
        catch
        {
            foreach (var f in framesOut) f.Dispose();
            throw;
        }
        finally
        {
            x.Dispose();
        }
    }

    private static Tensor Start(Session session, DreamSettings s, Preprocessing pre)
    {
        if (s.Size > 0 && session.Args.Images.Length == 1) return Picture(session, session.Args.Images[0], s.Size, pre);
        if (s.Size > 0 && session.Args.Input is not null) throw new RawConvException("--size: resize pictures given with --image; an --input tensor is used as it is");
        var (x, _) = session.Inputs();
        if (x.Shape.N != 1)
        {
            x.Dispose();
            throw new RawConvException($"dream: the input holds {x.Shape.N} images; give one");
        }
        return x;
    }

    /// <summary>A picture at <paramref name="size"/> pixels on its longer side (0: the network's input size), normalized as the model's input.</summary>
    private static Tensor Picture(Session session, string path, int size, Preprocessing pre)
    {
        if (size == 0)
        {
            var (x, _) = session.Inputs([path]);
            return x;
        }
        var img = NetInput.Fit(ImageIO.Load(path), pre.Channels);
        double f = (double)size / Math.Max(img.Width, img.Height);
        int w = Math.Max(1, (int)Math.Round(img.Width * f)), h = Math.Max(1, (int)Math.Round(img.Height * f));
        var resized = Resize.Bilinear(img, w, h);
        return Preprocess.ToTensor(resized, pre with { Letterbox = 0, ResizeShorter = 0, Height = 0, Width = 0 }, session.Backend);
    }

    public override Rendered Render(Session session, DreamSettings s, DreamRun run)
    {
        var m = session.Model;
        var o = s.Options;
        var last = run.Frames[^1];
        var settings = new
        {
            layer = run.Layer, objective = run.Objective, octaves = o.Octaves, octaveScale = o.OctaveScale, iterations = o.Iterations, jitter = o.Jitter,
            step = run.Step, clip = s.ClipName, guide = s.Guide, size = s.Size, frames = s.Frames, zoom = s.Frames > 1 ? s.Zoom : (float?)null, seed = o.Seed,
        };
        var files = new List<OutputFile>();
        var frameNames = new List<string>();
        object payload;
        if (OutputWriter.IsNpy(s.Out))
        {
            payload = new { model = m.Source, settings, shape = last.Input.Shape.Dims, history = last.History };
            files.Add(new NpyFile(s.Out, last.Input.Shape.Dims, last.Input.ToArray(), payload));
        }
        else
        {
            var pictures = run.Frames.Select(f => Display.Input(f.Input, 0, m.Preprocessing)).ToList();
            if (s.Frames > 1)
            {
                string stem = Path.Combine(Path.GetDirectoryName(s.Out) ?? "", Path.GetFileNameWithoutExtension(s.Out));
                for (int i = 0; i < pictures.Count; i++)
                {
                    string name = $"{stem}-{i:D3}.png";
                    frameNames.Add(name);
                    files.Add(new PngFile(name, pictures[i], new { model = m.Source, settings, frame = i, history = run.Frames[i].History }));
                }
                string anim = $"{stem}-anim.png";
                files.Add(new BytesFile(anim, Png.EncodeAnimation(pictures, delayMs: 100)));
                frameNames.Add(anim);
            }
            payload = new { model = m.Source, settings, shape = last.Input.Shape.Dims, history = last.History, frames = frameNames.Count > 0 ? frameNames : null };
            files.Add(new PngFile(s.Out, pictures[^1], payload));
        }
        return new Rendered(files, payload, w =>
        {
            w.WriteLine($"{run.Objective}: {last.History[0]:G6} → {last.History[^1]:G6} over {last.History.Length} steps");
            if (s.Frames > 1) w.WriteLine($"{s.Frames} frames and an animated PNG beside {s.Out}");
            w.WriteLine($"wrote {s.Out}");
        });
    }
}
