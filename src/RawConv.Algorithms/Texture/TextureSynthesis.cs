using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Algorithms.Texture;

/// <summary>
/// Gatys, Ecker &amp; Bethge's texture synthesis settings: the layers whose Gram matrices are matched, the output size
/// (independent of the source's), the optimizer (L-BFGS by default, one <c>Step(closure)</c> per iteration), the
/// iterations per scale, the number of scales of the coarse-to-fine schedule and the seed of the start noise.
/// </summary>
public sealed record TextureOptions(IReadOnlyList<string> Layers, int Height, int Width, OptimizerSettings Optimizer, int Iterations = 100,
    int Scales = 1, int Seed = 0, int Tile = 0, int Overlap = 0)
{
    /// <summary>True when the output is refined tile by tile (<see cref="Tile"/> set and smaller than a side).</summary>
    public bool Tiled => Tile > 0 && (Tile < Height || Tile < Width);

    /// <summary>Throws naming the first setting out of range.</summary>
    public TextureOptions Validate()
    {
        if (Layers.Count == 0) throw new RawConvException("--layers: no layer given — name at least one, e.g. relu1_1,pool1");
        if (Iterations < 0 || Iterations > 100_000) throw new RawConvException($"--iterations: {Iterations} is out of range — give 0 to 100000");
        if (Scales < 1 || Scales > 8) throw new RawConvException($"--scales: {Scales} is out of range — give 1 to 8");
        if (Height < 1 || Width < 1 || Height > 4096 || Width > 4096) throw new RawConvException($"--size: {Height},{Width} is out of range — give sides from 1 to 4096");
        if (Tile < 0 || Tile > 4096) throw new RawConvException($"--tile: {Tile} is out of range — give a tile side from 1 to 4096");
        if (Tile > 0 && (Overlap < 0 || 2 * Overlap >= Tile)) throw new RawConvException($"--tile: overlap {Overlap} must lie in [0, {(Tile + 1) / 2}) for tiles of {Tile} — give a smaller overlap");
        return this;
    }
}

/// <summary>One scale of the coarse-to-fine schedule: its size, steps and the Gram loss before and after.</summary>
public sealed record TextureScale(int Height, int Width, int Iterations, double InitialLoss, double FinalLoss);

/// <summary>The synthesized image (1, C, H, W) in the network's input space, the Gram loss at the start and the end, and the loss before every step.</summary>
public sealed record TextureResult(Tensor Image, double InitialLoss, double FinalLoss, IReadOnlyList<double> Losses, IReadOnlyList<TextureScale> Scales,
    IReadOnlyList<TextureScale>? Tiles = null) : IDisposable
{
    /// <summary>Releases the image.</summary>
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Texture synthesis by Gram-matrix matching (Gatys, Ecker &amp; Bethge 2015): from seeded noise, minimize the style loss
/// Σ_ℓ (1/L)·Σ(G_ℓ − A_ℓ)²/(4N²M²) (<see cref="StyleLoss"/>) between the image's Gram matrices and the source's, coarse to
/// fine: scale k of K synthesizes at 1/2^(K−1−k) of the output size, each scale starting from the previous result
/// upsampled bilinearly. The source's Gram matrices are taken once; where the synthesized layer has M positions and the
/// source's M_s, the target is A·M/M_s, so the loss compares the per-position Gram matrices and does not depend on the sizes.
/// As in Gatys et al.'s and neural-style's L-BFGS runs, pixels are not bounded while optimizing (projected L-BFGS stalls
/// here: 32× instead of 374× in 40 steps on the default model); the picture clips them to the pixel range.
/// </summary>
public static partial class TextureSynthesis
{
    /// <summary>The default layers: the first ReLU and every pooling layer before the first flatten or fully connected layer (VGG: relu1_1, pool1–pool5).</summary>
    public static IReadOnlyList<string> DefaultLayers(NetSpec spec)
    {
        var conv = spec.Layers.TakeWhile(l => l is not FlattenLayer and not FcLayer).ToList();
        var layers = conv.Where(l => l is MaxPoolLayer or AvgPoolLayer).Select(l => l.Name).ToList();
        if (conv.FirstOrDefault(l => l is ReluLayer) is { } relu) layers.Insert(0, relu.Name);
        if (layers.Count == 0) throw new RawConvException($"{spec.Name}: no ReLU or pooling layer before the classifier; name the texture layers with --layers");
        return layers.OrderBy(spec.IndexOf).ToList();
    }

    /// <summary>Seeded start noise (1, C, H, W): grey level 128 + 32·N(0, 1) per pixel and channel, clipped to 0–255 and preprocessed by <paramref name="pre"/>.</summary>
    public static Tensor Noise(IBackend backend, int channels, int height, int width, Preprocessing pre, int seed)
    {
        var p = pre.For(channels);
        var rng = new Random(seed);
        var v = new float[channels * height * width];
        int plane = height * width;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++)
                v[c * plane + i] = p.Normalize(Math.Clamp(128f + 32f * (float)Gaussian.Next(rng), 0f, 255f), c);
        return Tensor.FromArray(backend, Shape.Nchw(1, channels, height, width), v);
    }

    /// <summary>
    /// Synthesizes a texture with the statistics of <paramref name="source"/> (1, C, H, W, in the network's input space) on
    /// <paramref name="net"/>; <paramref name="pre"/> gives the start noise's units. <paramref name="progress"/> hears each
    /// step's index (over all scales) and the loss before it.
    /// </summary>
    public static TextureResult Run(Net net, Tensor source, Preprocessing pre, TextureOptions options, Action<int, double>? progress = null)
    {
        var o = options.Validate();
        if (source.Shape.Rank != 4 || source.Shape.N != 1) throw new RawConvException($"texture: the source is {source.Shape}; give one image");
        if (o.Tiled) return RunTiled(net, source, pre, o, progress);
        var spec = net.Spec;
        string top = o.Layers.OrderBy(spec.IndexOf).Last();
        var sizes = Enumerable.Range(0, o.Scales).Select(k => Sizes(o, k)).ToList();
        foreach (var (h, w) in sizes) Fits(spec, source.Shape.C, h, w, top, o);
        var sourceShapes = spec.Shapes(source.Shape, top);
        var grams = StyleTargets.Gram(net, source, o.Layers);
        var losses = new List<double>();
        var scales = new List<TextureScale>();
        Tensor? x = null;
        try
        {
            foreach (var (h, w) in sizes)
            {
                var next = x is null ? Noise(net.Backend, source.Shape.C, h, w, pre, o.Seed) : Resize.Bilinear(x, h, w);
                x?.Dispose();
                x = next;
                scales.Add(Refine(net, x, grams, sourceShapes, o, losses, progress));
            }
            return new TextureResult(x!, scales[0].InitialLoss, scales[^1].FinalLoss, losses, scales);
        }
        catch
        {
            x?.Dispose();
            throw;
        }
        finally
        {
            foreach (var g in grams) g.Dispose();
        }
    }

    private static TextureScale Refine(Net net, Tensor x, Tensor[] grams, Shape[] sourceShapes, TextureOptions o, List<double> losses,
        Action<int, double>? progress)
    {
        var spec = net.Spec;
        var shapes = spec.Shapes(x.Shape, o.Layers.OrderBy(spec.IndexOf).Last());
        var terms = o.Layers.Select((l, i) =>
        {
            int at = spec.IndexOf(l) + 1;
            double m = (double)shapes[at].H * shapes[at].W, ms = (double)sourceShapes[at].H * sourceShapes[at].W;
            return new StyleLoss(l, Elementwise.Scale(grams[i], (float)(m / ms)), o.Layers.Count);
        }).ToList();
        try
        {
            double initial = new InputObjective(terms, [], maximize: false).Value(net, x).Total;
            // The optimizer sees the loss divided by its value at the start of the scale: the Gram loss of a noise image
            // is ~1e-4, where L-BFGS's absolute tolerances (max|g| ≤ 1e-7, changes ≤ 1e-9) would stop it at once.
            float weight = initial > 0 && double.IsFinite(initial) ? (float)(1 / initial) : 1f;
            var objective = new InputObjective(terms.Select(t => t with { Weight = weight }).ToList(), [], maximize: false);
            using var optimizer = o.Optimizer.Create([ParameterGroup.For(x)], maximize: false);
            for (int i = 0; i < o.Iterations; i++)
            {
                double before = double.NaN;
                optimizer.Step(() =>
                {
                    var (v, g) = objective.Evaluate(net, x);
                    if (double.IsNaN(before)) before = v.Terms.Sum();
                    return new Evaluation((float)v.Total, [g]);
                });
                progress?.Invoke(losses.Count, before);
                losses.Add(before);
            }
            double final = objective.Value(net, x).Terms.Sum();
            if (!double.IsFinite(final)) throw new RawConvException($"texture: the Gram loss became {final} at {x.Shape.H}×{x.Shape.W}; lower --lr or use --optimizer lbfgs");
            return new TextureScale(x.Shape.H, x.Shape.W, o.Iterations, initial, final);
        }
        finally
        {
            foreach (var t in terms) t.Dispose();
        }
    }

    private static (int H, int W) Sizes(TextureOptions o, int k)
    {
        int shift = o.Scales - 1 - k;
        return (Math.Max(1, o.Height >> shift), Math.Max(1, o.Width >> shift));
    }

    private static void Fits(NetSpec spec, int channels, int h, int w, string top, TextureOptions o)
    {
        try
        {
            spec.Shapes(Shape.Nchw(1, channels, h, w), top);
        }
        catch (RawConvException e)
        {
            throw new RawConvException($"--size/--scales: {h}×{w} (scale 1/{1 << (o.Scales - 1)} of {o.Height}×{o.Width} at the coarsest) is too small for '{top}' — "
                + $"give a larger --size or fewer --scales ({e.Message})");
        }
    }
}
