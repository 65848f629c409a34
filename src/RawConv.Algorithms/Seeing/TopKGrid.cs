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

/// <summary>One kept activation shown: its channel (<see cref="TopKGrid.DirectionRow"/> for a direction's) and entry, the input box (y0, x0, y1, x1; may reach outside the image), the projection's and the image's patch.</summary>
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
        var items = scan.Channels.SelectMany((ch, i) => scan.Entries[i].Select(e => (ch, e, UnitChoice.At(scan.Layer, ch, e.Y, e.X)))).ToArray();
        var (patches, raw, shape, up) = Project(net, data, scan.Layer, items, pre, options ?? new TopKGridOptions(), progress);
        return new TopKFigure(Compose(patches, scan.Channels, scan.K, up), patches, up, raw, shape);
    }

    /// <summary>
    /// The figure of a direction (Szegedy et al. §3): its row first — each entry projected from the seed v at the entry's
    /// position across all channels — then one row per unit scanned beside it (projected as <see cref="Build"/> does);
    /// patches and projections in that order, the direction's with channel <see cref="DirectionRow"/>.
    /// </summary>
    public static TopKFigure BuildDirection(Net net, IDataset data, TopKDirectionResult scan, Preprocessing pre, TopKGridOptions? options = null,
        Action<int, int>? progress = null)
    {
        var units = scan.Units;
        var items = scan.Entries.Select(e => (DirectionRow, e, UnitChoice.DirectionAt(scan.Layer, scan.Weights, e.Y, e.X)))
            .Concat(units.Channels.SelectMany((ch, i) => units.Entries[i].Select(e => (ch, e, UnitChoice.At(scan.Layer, ch, e.Y, e.X))))).ToArray();
        var (patches, raw, shape, up) = Project(net, data, scan.Layer, items, pre, options ?? new TopKGridOptions(), progress);
        return new TopKFigure(ComposeRows(patches, [DirectionRow, .. units.Channels], units.K, up), patches, up, raw, shape);
    }

    /// <summary>The channel that marks the direction's patches in <see cref="BuildDirection"/>'s figure.</summary>
    public const int DirectionRow = -1;

    /// <summary>Projects each item (batched across items), cuts its receptive field out of projection and image; also the raw projections when kept and the upscale.</summary>
    private static (List<TopKPatch> Patches, float[]? Raw, Shape Shape, int Upscale) Project(Net net, IDataset data, string layer,
        (int Channel, TopKEntry Entry, UnitChoice Choice)[] items, Preprocessing pre, TopKGridOptions o, Action<int, int>? progress)
    {
        if (o.BatchSize < 1) throw new RawConvException($"top-k grid: batch size must be at least 1, got {o.BatchSize}");
        if (o.Upscale < 0) throw new RawConvException($"top-k grid: upscale must be 0 (auto) or positive, got {o.Upscale}");
        var spec = net.Spec;
        var field = ReceptiveField.Of(spec, layer);
        int c = spec.InputChannels, h = spec.InputHeight, w = spec.InputWidth, per = c * h * w;
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
            using (var pass = net.Forward(x, layer))
            using (var p = Deconvnet.Project(net, pass, chunk.Select(t => t.Choice).ToArray(), o.Rule))
            {
                proj = p.Input.ToArray();
                img = x.ToArray();
                picked = p.Units;
            }
            for (int i = 0; i < chunk.Length; i++)
            {
                var (ch, e, _) = chunk[i];
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
        return (patches, raw, new Shape(items.Length, c, h, w), up);
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

    /// <summary>Patches per line of a row in <see cref="ComposeRows"/>; a larger k wraps onto more lines.</summary>
    public const int RowWidth = 16;

    /// <summary>Frame around each row of <see cref="ComposeRows"/>: orange for the direction's, the background's grey for units'.</summary>
    public const int RowFrame = 3;

    /// <summary>
    /// The direction figure: one row per entry of <paramref name="rows"/> (in order, <see cref="DirectionRow"/> for the
    /// direction): its projections in a line (up to <see cref="RowWidth"/> a line, strongest first) beside its image
    /// patches; the direction's row framed in orange.
    /// </summary>
    public static Image ComposeRows(IReadOnlyList<TopKPatch> patches, IReadOnlyList<int> rows, int k, int upscale)
    {
        if (patches.Count == 0) throw new RawConvException("top-k grid: nothing to show (no images scanned)");
        int kept = Math.Clamp(k, 1, patches.GroupBy(p => p.Channel).Max(g => g.Count()));
        int cols = Math.Min(kept, RowWidth);
        var line = new GridOptions { Rows = (kept + cols - 1) / cols, Cols = cols, Padding = InnerPadding, Upscale = upscale };
        var byChannel = patches.ToLookup(p => p.Channel);
        var blank = Blank(patches[0].Patch.Width, patches[0].Patch.Height);
        var tiles = rows.Select(ch =>
        {
            var mine = byChannel[ch].ToList();
            var proj = mine.Count > 0 ? mine.Select(p => p.Projection).ToList() : [blank];
            var pics = mine.Count > 0 ? mine.Select(p => p.Patch).ToList() : [blank];
            var pair = Grid.Images([Grid.Images(proj, line), Grid.Images(pics, line)], new GridOptions { Cols = 2, Padding = PairPadding });
            var frame = ch == DirectionRow ? ((byte)255, (byte)140, (byte)0) : ((byte)64, (byte)64, (byte)64);
            return Grid.Images([pair], new GridOptions { Padding = RowFrame, PadColor = frame });
        }).ToList();
        return Grid.Images(tiles, new GridOptions { Cols = 1, Padding = OuterPadding, PadColor = (64, 64, 64) });
    }

    private static Image Blank(int w, int h)
    {
        var img = new Image(w, h, 3);
        Array.Fill(img.Data, (ushort)255);
        return img;
    }
}
