using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Texture;

public static partial class TextureSynthesis
{
    /// <summary>
    /// The memory and time <see cref="Run"/> will take on <paramref name="backend"/> for a source of shape
    /// <paramref name="source"/> (held by the caller throughout), from the shapes alone: the source's Gram matrices, then
    /// each scale's image with its rescaled copies of them (<see cref="RunEstimate.Of"/>).
    /// </summary>
    public static RunEstimate Estimate(NetSpec spec, IBackend backend, Shape source, TextureOptions options)
    {
        var o = options.Validate();
        string top = o.Layers.OrderBy(spec.IndexOf).Last();
        var whole = o.Tiled ? o with { Height = CoarseSize(o).H, Width = CoarseSize(o).W, Tile = 0 } : o;
        for (int k = 0; k < o.Scales; k++) Fits(spec, source.C, Sizes(whole, k).H, Sizes(whole, k).W, top, whole);
        var terms = o.Layers.Select(l => new EstimateTerm(l, EstimateTermKind.Gram)).ToList();
        var images = Enumerable.Range(0, o.Scales).Select(k => Sizes(whole, k)).Select(s => Shape.Nchw(1, source.C, s.H, s.W)).ToList();
        if (o.Tiled)
        {
            var tiles = Tiling.Plan(o.Height, o.Width, o.Tile, o.Overlap);
            Fits(spec, source.C, tiles[0].Height, tiles[0].Width, top, o);
            images.AddRange(tiles.Select(t => Shape.Nchw(1, source.C, t.Height, t.Width)));
        }
        return RunEstimate.Of(new RunShape(spec, images, terms, o.Optimizer.Kind, o.Iterations, [new EstimateTargets(source, terms)],
            HeldBytes: source.Count * sizeof(float), TermsCopyTargets: true, Output: o.Tiled ? Shape.Nchw(1, source.C, o.Height, o.Width) : null), backend);
    }
}
