using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Texture;
using RawConv.Graph;

namespace RawConv.Algorithms.Style;

public static partial class StyleTransfer
{
    /// <summary>
    /// The memory and time <see cref="Run"/> will take on <paramref name="backend"/> for a content (and start) image of shape
    /// <paramref name="content"/> and styles of <paramref name="styles"/>, all held by the caller throughout, from the shapes
    /// alone (<see cref="RunEstimate.Of"/>): the content's features and the blend of the styles' Gram matrices (one set kept,
    /// each further style's made and summed in), then the loop's image, its terms, the total-variation penalty and the
    /// optimizer's state; tiled, the whole-image pass at <see cref="CoarseSize"/> and each tile with its own copies of the
    /// targets. <paramref name="weightCopy"/>: the network run is a copy of the caller's (average pooling swapped in),
    /// so the weights are held twice.
    /// </summary>
    public static RunEstimate Estimate(NetSpec spec, IBackend backend, Shape content, IReadOnlyList<Shape> styles, StyleOptions options, bool weightCopy = false)
    {
        var o = options.Validate();
        if (styles.Count == 0) throw new RawConvException("--style: no style image — give at least one");
        var blend = o.Blend ?? Enumerable.Repeat(1f, styles.Count).ToList();
        if (blend.Count != styles.Count)
            throw new RawConvException($"--style-blend: {blend.Count} weights for {styles.Count} --style images — give one weight per style");
        StyleLayers.Check(spec, o.ContentLayers, "--content-layers", content, "--size");
        StyleLayers.Check(spec, o.StyleLayers, "--style-layers", content, "--size");
        for (int k = 0; k < styles.Count; k++) StyleLayers.Check(spec, o.StyleLayers, "--style-layers", styles[k], $"--style-scale (style {k + 1})");
        var contentTerms = o.ContentLayers.Select(l => new EstimateTerm(l, EstimateTermKind.Content)).ToList();
        var styleTerms = o.StyleLayers.Select(l => new EstimateTerm(l, EstimateTermKind.Gram)).ToList();
        var terms = contentTerms.Concat(styleTerms).ToList();
        var used = styles.Where((_, k) => blend[k] != 0).ToList();
        List<EstimateTargets> Grams(IEnumerable<Shape> inputs, bool keepFirst) => inputs.Select((s, k) => new EstimateTargets(s, styleTerms, keepFirst && k == 0)).ToList();
        // The content and the start image, the styles, and a second set of weights under the pooling swap.
        long held = 2 * MemoryWalk.Bytes(content) + styles.Sum(s => MemoryWalk.Bytes(s)) + (weightCopy ? MemoryWalk.WeightBytes(spec) : 0);
        if (!o.Tiled(content.H, content.W))
            return RunEstimate.Of(new RunShape(spec, [content], terms, o.Optimizer.Kind, o.Iterations,
                [new EstimateTargets(content, contentTerms), .. Grams(used, true)], held, TotalVariation: true), backend);

        var tiles = Tiling.Plan(content.H, content.W, o.Tile, o.Overlap);
        var tileShape = Shape.Nchw(1, content.C, tiles[0].Height, tiles[0].Width);
        StyleLayers.Check(spec, o.ContentLayers, "--content-layers", tileShape, "--tile");
        StyleLayers.Check(spec, o.StyleLayers, "--style-layers", tileShape, "--tile");
        var (ch, cw) = CoarseSize(content.H, content.W, o.Tile);
        var coarse = Shape.Nchw(1, content.C, ch, cw);
        var coarseStyles = styles.Select(s => CoarseStyle(s, content.H, content.W, o.Tile)).Select(sz => Shape.Nchw(1, content.C, sz.H, sz.W)).ToList();
        StyleLayers.Check(spec, o.ContentLayers, "--content-layers", coarse, "--tile");
        for (int k = 0; k < styles.Count; k++) StyleLayers.Check(spec, o.StyleLayers, "--style-layers", coarseStyles[k], $"--tile (style {k + 1} at the whole-image pass)");
        // The whole-image pass's resized content, start and styles, then each tile's content crop.
        held += 2 * MemoryWalk.Bytes(coarse) + coarseStyles.Sum(s => MemoryWalk.Bytes(s)) + MemoryWalk.Bytes(tileShape);
        // The global Gram targets are kept; the whole-image pass's and each tile's targets are counted as the terms' copies per image.
        var targets = Grams(used, true).Append(new EstimateTargets(coarse, contentTerms, false))
            .Concat(Grams(coarseStyles.Where((_, k) => blend[k] != 0), false)).ToList();
        var images = tiles.Select(t => Shape.Nchw(1, content.C, t.Height, t.Width)).Prepend(coarse).ToList();
        return RunEstimate.Of(new RunShape(spec, images, terms, o.Optimizer.Kind, o.Iterations, targets, held, TermsCopyTargets: true,
            TotalVariation: true, Output: content), backend);
    }
}
