using RawConv.Algorithms.Data;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>
/// Settings of the top-k figure: the ReLU rule of the projections, the integer nearest-neighbour
/// <see cref="Upscale"/> of the patches (0 = so that patches are about 64 pixels), images projected per
/// batch, whether the raw projections are kept (for .npy output), and outlier clipping of the display.
/// </summary>
public sealed record TopKGridOptions(ReluRule Rule = ReluRule.Deconvnet, int Upscale = 0, int BatchSize = 64,
    bool KeepProjections = false, float ClipPercent = 0);

/// <summary>One kept activation shown: its channel and entry, the input box (y0, x0, y1, x1; may reach outside the image), the projection's and the image's patch.</summary>
public sealed record TopKPatch(int Channel, TopKEntry Entry, (int Y0, int X0, int Y1, int X1) Box, Image Projection, Image Patch);

/// <summary>
/// The Zeiler–Fergus figure of one layer and what it is made of: <see cref="Patches"/> in scan order
/// (channel by channel, strongest first); <see cref="Projections"/> (when kept) holds the full-size
/// projections in the same order, (N, C, H, W) = <see cref="ProjectionShape"/>.
/// </summary>
public sealed record TopKFigure(Image Image, IReadOnlyList<TopKPatch> Patches, int Upscale, float[]? Projections, Shape ProjectionShape);

/// <summary>
/// Projects every entry of a <see cref="TopKScan"/> to pixel space (deconvnet, one activation kept per
/// image, batched across entries) and cuts the unit's receptive field out of the projection and of the
/// image; composes the classic figure: per feature map a √k×√k block of projections beside a block of
/// the image patches, feature maps tiled near-square.
/// </summary>
public static class TopKGrid
{
    /// <summary>Pixels around the blocks of one feature map (white) and between feature maps (dark grey).</summary>
    public const int InnerPadding = 1, PairPadding = 2, OuterPadding = 4;

    /// <summary>The upscale used when <see cref="TopKGridOptions.Upscale"/> is 0: patches become about 48 pixels (at least 1×).</summary>
    public static int AutoUpscale(int patchH, int patchW) => Math.Max(1, 64 / Math.Max(1, Math.Max(patchH, patchW)));

    /// <summary>
    /// Projects and crops every entry of <paramref name="scan"/> (made on <paramref name="data"/> with <paramref name="net"/>)
    /// and composes the figure. <paramref name="pre"/> turns input tensors back into pictures. <paramref name="progress"/>
    /// gets (entries done, entries total).
    /// </summary>
    public static TopKFigure Build(Net net, IDataset data, TopKResult scan, Preprocessing pre, TopKGridOptions? options = null,
        Action<int, int>? progress = null)
    {
        var o = options ?? new TopKGridOptions();
        if (o.BatchSize < 1) throw new RawConvException($"top-k grid: batch size must be at least 1, got {o.BatchSize}");
        if (o.Upscale < 0) throw new RawConvException($"top-k grid: upscale must be 0 (auto) or positive, got {o.Upscale}");
        var spec = net.Spec;
        var field = ReceptiveField.Of(spec, scan.Layer);
        int c = spec.InputChannels, h = spec.InputHeight, w = spec.InputWidth, per = c * h * w;
        var items = scan.Channels.SelectMany((ch, i) => scan.Entries[i].Select(e => (Channel: ch, Entry: e))).ToArray();
        var patches = new List<TopKPatch>(items.Length);
        if (items.Length > 0) BatchMemory.Check(net, Math.Min(o.BatchSize, items.Length), "top-k grid: batch size");
        var raw = o.KeepProjections ? new float[(long)items.Length * per] : null;
        var view = pre.For(c);
        for (int start = 0; start < items.Length; start += o.BatchSize)
        {
            var chunk = items.AsSpan(start, Math.Min(o.BatchSize, items.Length - start)).ToArray();
            var (x, _) = data.Get(net.Backend, chunk.Select(t => t.Entry.Image).ToArray());
            float[] proj, img;
            PickedUnit[] picked;
            using (x)
            using (var pass = net.Forward(x, scan.Layer))
            using (var p = Deconvnet.Project(net, pass, chunk.Select(t => UnitChoice.At(scan.Layer, t.Channel, t.Entry.Y, t.Entry.X)).ToArray(), o.Rule))
            {
                proj = p.Input.ToArray();
                img = x.ToArray();
                picked = p.Units;
            }
            for (int i = 0; i < chunk.Length; i++)
            {
                var (ch, e) = chunk[i];
                var box = NetQueries.PatchBox(field, e.Y, e.X, h, w);
                var projPic = Display.Signed(proj.AsSpan(i * per, per), c, h, w, pre, o.ClipPercent);
                var imgPic = Deprocess.ToImage(img.AsSpan(i * per, per).ToArray(), c, h, w, view);
                patches.Add(new TopKPatch(ch, e with { Value = picked[i].Value }, box,
                    Display.Crop(projPic, box.Y0, box.X0, box.Y1, box.X1, 128), Display.Crop(imgPic, box.Y0, box.X0, box.Y1, box.X1)));
                if (raw != null) proj.AsSpan(i * per, per).CopyTo(raw.AsSpan((start + i) * per, per));
            }
            progress?.Invoke(start + chunk.Length, items.Length);
        }
        var size = NetQueries.PatchBox(field, 0, 0, h, w);
        int up = o.Upscale > 0 ? o.Upscale : AutoUpscale(size.Y1 - size.Y0, size.X1 - size.X0);
        return new TopKFigure(Compose(patches, scan.Channels, scan.K, up), patches, up, raw, new Shape(items.Length, c, h, w));
    }

    /// <summary>
    /// The figure: for each of <paramref name="channels"/> (in order) a block of its projections (√k×√k, strongest
    /// first, row-major) beside the block of its image patches; the channel pairs tiled near-square.
    /// </summary>
    public static Image Compose(IReadOnlyList<TopKPatch> patches, IReadOnlyList<int> channels, int k, int upscale)
    {
        if (patches.Count == 0) throw new RawConvException("top-k grid: nothing to show (no images scanned)");
        // The blocks fit the entries actually kept (NaN activations and small datasets keep fewer than k).
        int kept = patches.GroupBy(p => p.Channel).Max(g => g.Count());
        int side = (int)Math.Ceiling(Math.Sqrt(Math.Clamp(k, 1, kept)));
        var block = new GridOptions { Rows = side, Cols = side, Padding = InnerPadding, Upscale = upscale };
        var byChannel = patches.ToLookup(p => p.Channel);
        var blank = Blank(patches[0].Patch.Width, patches[0].Patch.Height);
        var tiles = channels.Select(ch =>
        {
            var mine = byChannel[ch].ToList();
            var proj = mine.Count > 0 ? mine.Select(p => p.Projection).ToList() : [blank];
            var pics = mine.Count > 0 ? mine.Select(p => p.Patch).ToList() : [blank];
            return Grid.Images([Grid.Images(proj, block), Grid.Images(pics, block)], new GridOptions { Cols = 2, Padding = PairPadding });
        }).ToList();
        return Grid.Images(tiles, new GridOptions { Padding = OuterPadding, PadColor = (64, 64, 64) });
    }

    private static Image Blank(int w, int h)
    {
        var img = new Image(w, h, 3);
        Array.Fill(img.Data, (ushort)255);
        return img;
    }
}
