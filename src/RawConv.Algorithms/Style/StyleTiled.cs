using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Texture;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Algorithms.Style;

public static partial class StyleTransfer
{
    /// <summary>
    /// The size of a tiled run's whole-image pass for an output of <paramref name="height"/>×<paramref name="width"/>: the
    /// output scaled so that its longer side is <paramref name="tile"/> (the aspect ratio kept), so it needs about a tile's memory.
    /// </summary>
    public static (int H, int W) CoarseSize(int height, int width, int tile)
    {
        double f = (double)tile / Math.Max(height, width);
        return (Math.Clamp((int)Math.Round(height * f), 1, height), Math.Clamp((int)Math.Round(width * f), 1, width));
    }

    /// <summary>A style image's size in the whole-image pass: scaled as the output is, so its strokes keep their size relative to the picture.</summary>
    public static (int H, int W) CoarseStyle(Shape style, int height, int width, int tile)
    {
        var (ch, cw) = CoarseSize(height, width, tile);
        double f = (double)Math.Max(ch, cw) / Math.Max(height, width);
        return (Math.Max(1, (int)Math.Round(style.H * f)), Math.Max(1, (int)Math.Round(style.W * f)));
    }

    /// <summary>
    /// Style transfer beyond memory: the blended Gram targets of the styles as given (for the whole output) are taken
    /// first; the whole picture is stylized at <see cref="CoarseSize"/> (content, start and styles resized bilinearly),
    /// upsampled to the output size on the host, and each tile of <see cref="Tiling.Plan"/> is refined on its own with its
    /// crop of the content as the content target and the Gram targets rescaled to the tile's positions, the tiles blended
    /// with linear ramps (<see cref="Tiling.Map"/>).
    /// </summary>
    private static StyleResult RunTiled(Net net, Tensor content, IReadOnlyList<Tensor> styles, Tensor init, StyleOptions o, IReadOnlyList<float> blend,
        Action<int, StyleLosses>? progress)
    {
        var spec = net.Spec;
        int c = content.Shape.C, h = content.Shape.H, w = content.Shape.W;
        if (o.SaveEvery > 0) throw new RawConvException("--save-every: a tiled run keeps no snapshots (its steps refine pieces of the picture) — leave out --save-every or --tile");
        var tiles = Tiling.Plan(h, w, o.Tile, o.Overlap);
        var tileShape = Shape.Nchw(1, c, tiles[0].Height, tiles[0].Width);
        StyleLayers.Check(spec, o.ContentLayers, "--content-layers", tileShape, "--tile");
        StyleLayers.Check(spec, o.StyleLayers, "--style-layers", tileShape, "--tile");
        var whole = o with { Tile = 0, SaveEvery = 0 };
        var grams = BlendedGrams(net, styles, blend, o.StyleLayers, content.Shape);
        try
        {
            var history = new List<StyleLosses>();
            var planes = Coarse(net, content, styles, init, whole, o.Tile, history, progress);
            var contentPlanes = content.ToArray();
            var finals = new List<StyleLosses>();
            string top = o.StyleLayers.OrderBy(spec.IndexOf).Last();
            var fullShapes = spec.Shapes(content.Shape, top);
            var blended = Tiling.Map(planes, c, h, w, tiles, (t, crop) =>
            {
                var shape = Shape.Nchw(1, c, t.Height, t.Width);
                var shapes = spec.Shapes(shape, top);
                using var target = Tensor.FromArray(net.Backend, shape, Tiling.Crop(contentPlanes, c, h, w, t));
                var terms = new List<ObjectiveTerm>();
                var x = Tensor.FromArray(net.Backend, shape, crop);
                StyleResult? r = null;
                try
                {
                    terms.AddRange(ContentTerms(net, target, o.ContentLayers));
                    terms.AddRange(o.StyleLayers.Select((l, i) =>
                    {
                        int at = spec.IndexOf(l) + 1;
                        double m = (double)shapes[at].H * shapes[at].W, mFull = (double)fullShapes[at].H * fullShapes[at].W;
                        return new StyleLoss(l, Elementwise.Scale(grams[i], (float)(m / mFull)), o.StyleLayers.Count);
                    }));
                    r = Optimize(net, x, terms, whole, progress, history.Count);
                    history.AddRange(r.History.Take(r.History.Count - 1));
                    finals.Add(r.Final);
                    return r.Image.ToArray();
                }
                catch
                {
                    if (r is null) x.Dispose();
                    throw;
                }
                finally
                {
                    r?.Dispose();
                    foreach (var term in terms) ((IDisposable)term).Dispose();
                }
            });
            history.Add(new StyleLosses(finals.Average(f => f.ContentLoss), finals.Average(f => f.StyleLoss), finals.Average(f => f.TvLoss), finals.Average(f => f.Total)));
            return new StyleResult(Tensor.FromArray(net.Backend, content.Shape, blended), history, [], finals);
        }
        finally
        {
            foreach (var g in grams) g.Dispose();
        }
    }

    /// <summary>The whole-image pass at <see cref="CoarseSize"/>, its steps added to <paramref name="history"/>; returns its picture upsampled to the output size (host planes).</summary>
    private static float[] Coarse(Net net, Tensor content, IReadOnlyList<Tensor> styles, Tensor init, StyleOptions whole, int tile, List<StyleLosses> history,
        Action<int, StyleLosses>? progress)
    {
        int c = content.Shape.C, h = content.Shape.H, w = content.Shape.W;
        var (ch, cw) = CoarseSize(h, w, tile);
        var small = new List<Tensor>();
        try
        {
            var smallContent = Keep(small, Resize.Bilinear(content, ch, cw));
            var smallStyles = styles.Select(s => CoarseStyle(s.Shape, h, w, tile)).Select((sz, k) => Keep(small, Resize.Bilinear(styles[k], sz.H, sz.W))).ToList();
            var smallInit = Keep(small, Resize.Bilinear(init, ch, cw));
            using var r = Run(net, smallContent, smallStyles, smallInit, whole, progress);
            history.AddRange(r.History.Take(r.History.Count - 1));
            return Resize.Bilinear(r.Image.ToArray(), c, ch, cw, h, w);
        }
        finally
        {
            foreach (var t in small) t.Dispose();
        }
    }

    private static Tensor Keep(List<Tensor> owned, Tensor t)
    {
        owned.Add(t);
        return t;
    }
}
