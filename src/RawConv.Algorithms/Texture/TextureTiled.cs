using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Algorithms.Texture;

public static partial class TextureSynthesis
{
    /// <summary>
    /// The size of a tiled run's whole-image pass: the output scaled so that its longer side is the tile side
    /// (the aspect ratio kept), so it needs about a tile's memory.
    /// </summary>
    public static (int H, int W) CoarseSize(TextureOptions o)
    {
        double f = (double)o.Tile / Math.Max(o.Height, o.Width);
        return (Math.Clamp((int)Math.Round(o.Height * f), 1, o.Height), Math.Clamp((int)Math.Round(o.Width * f), 1, o.Width));
    }

    /// <summary>
    /// Coarse to fine beyond memory: the whole texture at <see cref="CoarseSize"/> (with the options' scales), upsampled
    /// bilinearly to the output size on the host, then each tile of <see cref="Tiling.Plan"/> refined on its own against the
    /// source's Gram targets rescaled to the tile's positions, and the tiles blended with linear ramps (<see cref="Tiling.Map"/>).
    /// The final loss reported is the mean of the tiles' final Gram losses (the whole image's loss would need the memory
    /// tiling avoids).
    /// </summary>
    private static TextureResult RunTiled(Net net, Tensor source, Preprocessing pre, TextureOptions o, Action<int, double>? progress)
    {
        var (ch, cw) = CoarseSize(o);
        var tiles = Tiling.Plan(o.Height, o.Width, o.Tile, o.Overlap);
        var spec = net.Spec;
        string top = o.Layers.OrderBy(spec.IndexOf).Last();
        Fits(spec, source.Shape.C, tiles[0].Height, tiles[0].Width, top, o);
        float[] planes;
        TextureResult coarse;
        using (coarse = Run(net, source, pre, o with { Height = ch, Width = cw, Tile = 0 }, progress))
            planes = Resize.Bilinear(coarse.Image.ToArray(), source.Shape.C, ch, cw, o.Height, o.Width);
        var losses = coarse.Losses.ToList();
        var done = new List<TextureScale>();
        var sourceShapes = spec.Shapes(source.Shape, top);
        var grams = StyleTargets.Gram(net, source, o.Layers);
        try
        {
            var result = Tiling.Map(planes, source.Shape.C, o.Height, o.Width, tiles, (t, crop) =>
            {
                using var x = Tensor.FromArray(net.Backend, Shape.Nchw(1, source.Shape.C, t.Height, t.Width), crop);
                done.Add(Refine(net, x, grams, sourceShapes, o, losses, progress));
                return x.ToArray();
            });
            var image = Tensor.FromArray(net.Backend, Shape.Nchw(1, source.Shape.C, o.Height, o.Width), result);
            return new TextureResult(image, coarse.InitialLoss, done.Average(d => d.FinalLoss), losses, coarse.Scales, done);
        }
        finally
        {
            foreach (var g in grams) g.Dispose();
        }
    }
}
