using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Style;

/// <summary>
/// Gatys, Ecker &amp; Bethge's style-transfer settings: the content and style layers, the weights α, β, γ of the
/// content, style and total-variation losses, the optimizer (L-BFGS by default, one <c>Step(closure)</c> per iteration),
/// the iterations, the weights of several styles' Gram targets (null: equal), how often to keep a snapshot (0: never) and
/// the side and overlap of the tiles refined one at a time (0: the whole image at once).
/// <see cref="StyleLayers.DefaultWeights"/> gives α, β, γ by network.
/// </summary>
public sealed record StyleOptions(IReadOnlyList<string> ContentLayers, IReadOnlyList<string> StyleLayers, OptimizerSettings Optimizer,
    float ContentWeight, float StyleWeight, float TvWeight, int Iterations = StyleOptions.DefaultIterations, IReadOnlyList<float>? Blend = null, int SaveEvery = 0,
    int Tile = 0, int Overlap = 0)
{
    /// <summary>True when an output of <paramref name="height"/>×<paramref name="width"/> is refined tile by tile (<see cref="Tile"/> set and smaller than a side).</summary>
    public bool Tiled(int height, int width) => Tile > 0 && (Tile < height || Tile < width);

    /// <summary>Iterations: Gatys et al. and neural-style run L-BFGS for up to 1000; 300 gives a settled picture on the default model.</summary>
    public const int DefaultIterations = 300;

    /// <summary>Throws naming the first setting out of range.</summary>
    public StyleOptions Validate()
    {
        if (ContentLayers.Count == 0) throw new RawConvException("--content-layers: no layer given — name at least one, e.g. relu4_2");
        if (StyleLayers.Count == 0) throw new RawConvException("--style-layers: no layer given — name at least one, e.g. relu1_1,relu2_1");
        Weight(ContentWeight, "--content-weight");
        Weight(StyleWeight, "--style-weight");
        Weight(TvWeight, "--tv-weight");
        if (Iterations < 0 || Iterations > 100_000) throw new RawConvException($"--iterations: {Iterations} is out of range — give 0 to 100000");
        if (SaveEvery < 0) throw new RawConvException($"--save-every: {SaveEvery} is negative — give 0 (never) or a positive step count");
        if (Blend is { } b && (b.Any(w => !float.IsFinite(w) || w < 0) || !(b.Sum() > 0)))
            throw new RawConvException($"--style-blend: {string.Join(",", b)} — weights must be finite, ≥ 0 and sum to more than 0");
        if (Tile < 0 || Tile > 4096) throw new RawConvException($"--tile: {Tile} is out of range — give a tile side from 16 to 4096");
        if (Tile > 0 && (Overlap < 0 || 2 * Overlap >= Tile)) throw new RawConvException($"--tile: overlap {Overlap} must lie in [0, {(Tile + 1) / 2}) for tiles of {Tile} — give a smaller overlap");
        return this;
    }

    private static void Weight(float w, string option)
    {
        if (!float.IsFinite(w) || w < 0 || w > 1e12f) throw new RawConvException($"{option}: {w} is out of range — give a finite weight from 0 to 1e12");
    }
}

/// <summary>The four losses at one image: Σ ½‖F − P‖² over the content layers, Σ_ℓ (1/L)‖G − A‖²/(4N²M²), TV, and α·content + β·style + γ·tv.</summary>
public sealed record StyleLosses(double ContentLoss, double StyleLoss, double TvLoss, double Total);

/// <summary>The image at a step (planar (1, C, H, W) floats in the network's input space) and its losses.</summary>
public sealed record StyleSnapshot(int Iteration, float[] Image, StyleLosses Losses);

/// <summary>
/// The stylized image (1, C, H, W), the losses before every step and after the last (History[k]: after k steps), the
/// snapshots, and in a tiled run each tile's final losses (the history then runs over the whole-image pass and the tiles,
/// its last entry the mean of the tiles' final losses).
/// </summary>
public sealed record StyleResult(Tensor Image, IReadOnlyList<StyleLosses> History, IReadOnlyList<StyleSnapshot> Snapshots,
    IReadOnlyList<StyleLosses>? Tiles = null) : IDisposable
{
    /// <summary>The losses of the returned image.</summary>
    public StyleLosses Final => History[^1];

    /// <summary>Releases the image.</summary>
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Style transfer (Gatys, Ecker &amp; Bethge 2016): from <c>init</c>, minimize α·Σ ½‖F − P‖² (<see cref="ContentLoss"/> at the
/// content layers) + β·Σ_ℓ (1/L)‖G_ℓ − A_ℓ‖²/(4N²M²) (<see cref="StyleLoss"/>) + γ·TV (<see cref="TotalVariationPenalty"/>),
/// P the content image's features and A_ℓ = Σ_k w_k·(M/M_k)·G_ℓ(style_k) / Σ_k w_k the blend of the styles' Gram
/// matrices, each scaled by the ratio of positions so styles of any size compare per position (as the texture verb).
/// Pixels are not bounded while optimizing (as in Gatys et al. and neural-style); the picture clips them.
/// </summary>
public static partial class StyleTransfer
{
    /// <summary>
    /// Runs style transfer on <paramref name="net"/>: <paramref name="content"/> and <paramref name="init"/> are (1, C, H, W)
    /// of one size, the <paramref name="styles"/> (1, C, H_k, W_k) of any size. <paramref name="progress"/> hears each step's
    /// index and the losses before it. <paramref name="init"/> is not changed.
    /// </summary>
    public static StyleResult Run(Net net, Tensor content, IReadOnlyList<Tensor> styles, Tensor init, StyleOptions options,
        Action<int, StyleLosses>? progress = null)
    {
        var o = options.Validate();
        var spec = net.Spec;
        if (styles.Count == 0) throw new RawConvException("--style: no style image — give at least one");
        var blend = o.Blend ?? Enumerable.Repeat(1f, styles.Count).ToList();
        if (blend.Count != styles.Count)
            throw new RawConvException($"--style-blend: {blend.Count} weights for {styles.Count} --style images — give one weight per style");
        if (content.Shape != init.Shape) throw new RawConvException($"--init: {init.Shape} does not match the content {content.Shape} — give an image of the output size");
        StyleLayers.Check(spec, o.ContentLayers, "--content-layers", content.Shape, "--size");
        StyleLayers.Check(spec, o.StyleLayers, "--style-layers", content.Shape, "--size");
        for (int k = 0; k < styles.Count; k++) StyleLayers.Check(spec, o.StyleLayers, "--style-layers", styles[k].Shape, $"--style-scale (style {k + 1})");
        if (o.Tiled(content.Shape.H, content.Shape.W)) return RunTiled(net, content, styles, init, o, blend, progress);

        var terms = new List<ObjectiveTerm>();
        var x = init.Clone();
        try
        {
            terms.AddRange(ContentTerms(net, content, o.ContentLayers));
            terms.AddRange(StyleTerms(net, styles, blend, o.StyleLayers, content.Shape));
            return Optimize(net, x, terms, o, progress);
        }
        catch
        {
            x.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in terms) ((IDisposable)t).Dispose();
        }
    }

    /// <summary>The blended Gram targets A_ℓ (1, C, C) at <paramref name="layers"/> for an output of <paramref name="output"/>.</summary>
    public static Tensor[] BlendedGrams(Net net, IReadOnlyList<Tensor> styles, IReadOnlyList<float> blend, IReadOnlyList<string> layers, Shape output)
    {
        var spec = net.Spec;
        string top = layers.OrderBy(spec.IndexOf).Last();
        var outShapes = spec.Shapes(output, top);
        double sum = blend.Sum(w => (double)w);
        Tensor[]? acc = null;
        try
        {
            for (int k = 0; k < styles.Count; k++)
            {
                if (blend[k] == 0) continue;
                var inShapes = spec.Shapes(styles[k].Shape, top);
                var grams = StyleTargets.Gram(net, styles[k], layers);
                try
                {
                    acc ??= grams.Select(g => Tensor.Zeros(net.Backend, g.Shape)).ToArray();
                    for (int i = 0; i < layers.Count; i++)
                    {
                        int at = spec.IndexOf(layers[i]) + 1;
                        double m = (double)outShapes[at].H * outShapes[at].W, ms = (double)inShapes[at].H * inShapes[at].W;
                        Elementwise.Axpy((float)(blend[k] / sum * m / ms), grams[i], acc[i]);
                    }
                }
                finally
                {
                    foreach (var g in grams) g.Dispose();
                }
            }
            return acc!;
        }
        catch
        {
            foreach (var g in acc ?? []) g.Dispose();
            throw;
        }
    }

    private static IEnumerable<ObjectiveTerm> ContentTerms(Net net, Tensor content, IReadOnlyList<string> layers)
    {
        var spec = net.Spec;
        using var pass = net.Forward(content, layers.OrderBy(spec.IndexOf).Last());
        return layers.Select(l => new ContentLoss(l, pass[l].Clone())).ToList();
    }

    private static IEnumerable<ObjectiveTerm> StyleTerms(Net net, IReadOnlyList<Tensor> styles, IReadOnlyList<float> blend, IReadOnlyList<string> layers, Shape output)
    {
        var grams = BlendedGrams(net, styles, blend, layers, output);
        return layers.Select((l, i) => new StyleLoss(l, grams[i], layers.Count)).ToList();
    }

    private static StyleResult Optimize(Net net, Tensor x, List<ObjectiveTerm> terms, StyleOptions o, Action<int, StyleLosses>? progress, int offset = 0)
    {
        int nc = o.ContentLayers.Count;
        var weights = terms.Select((_, i) => i < nc ? o.ContentWeight : o.StyleWeight).ToArray();
        var initialObjective = Objective(terms, weights, o.TvWeight, 1);
        var first = Losses(initialObjective.Value(net, x), nc, o);
        // The optimizer sees the total divided by its value at the start (as the texture verb): the losses span many
        // orders of magnitude across networks and inputs, and L-BFGS's absolute tolerances would otherwise stop it at once.
        double scale = first.Total > 0 && double.IsFinite(first.Total) ? 1 / first.Total : 1;
        var objective = Objective(terms, weights, o.TvWeight, scale);
        var history = new List<StyleLosses>();
        var snapshots = new List<StyleSnapshot>();
        using var optimizer = o.Optimizer.Create([ParameterGroup.For(x)], maximize: false);
        for (int i = 0; i < o.Iterations; i++)
        {
            StyleLosses? before = null;
            var pending = o.SaveEvery > 0 && i > 0 && i % o.SaveEvery == 0 ? x.ToArray() : null;
            optimizer.Step(() =>
            {
                var (v, g) = objective.Evaluate(net, x);
                before ??= Losses(v, nc, o);
                return new Evaluation((float)v.Total, [g]);
            });
            Finite(before!, i);
            progress?.Invoke(offset + i, before!);
            history.Add(before!);
            if (pending is not null) snapshots.Add(new StyleSnapshot(i, pending, before!));
        }
        var final = Losses(objective.Value(net, x), nc, o);
        Finite(final, o.Iterations);
        history.Add(final);
        if (o.SaveEvery > 0 && o.Iterations > 0 && o.Iterations % o.SaveEvery == 0) snapshots.Add(new StyleSnapshot(o.Iterations, x.ToArray(), final));
        return new StyleResult(x, history, snapshots);
    }

    private static InputObjective Objective(List<ObjectiveTerm> terms, float[] weights, float tv, double scale) =>
        new(terms.Select((t, i) => t with { Weight = (float)(weights[i] * scale) }).ToList(), [new TotalVariationPenalty((float)(tv * scale))], maximize: false);

    private static StyleLosses Losses(ObjectiveValue v, int nc, StyleOptions o)
    {
        double c = v.Terms.Take(nc).Sum(), s = v.Terms.Skip(nc).Sum(), tv = v.Penalties[0];
        return new StyleLosses(c, s, tv, (double)o.ContentWeight * c + (double)o.StyleWeight * s + (double)o.TvWeight * tv);
    }

    private static void Finite(StyleLosses l, int step)
    {
        if (!double.IsFinite(l.Total))
            throw new RawConvException($"style: the loss became {l.Total} at step {step} — lower --lr, use --optimizer lbfgs or check the inputs for extreme values");
    }
}
