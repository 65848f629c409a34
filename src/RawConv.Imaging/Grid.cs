namespace RawConv.Imaging;

/// <summary>How feature maps are scaled to [0, 1] before tiling.</summary>
public enum GridNormalization
{
    /// <summary>Each tile on its own (shows every map's pattern, hides their relative strength).</summary>
    PerTile,
    /// <summary>All tiles together (keeps relative strength).</summary>
    Global,
    /// <summary>Values already in [0, 1]; clamped.</summary>
    None,
}

/// <summary>Tiling options; <see cref="Rows"/> and <see cref="Cols"/> 0 mean "near square".</summary>
public sealed record GridOptions
{
    /// <summary>Rows of tiles (0 = from the count and <see cref="Cols"/>).</summary>
    public int Rows { get; init; }
    /// <summary>Columns of tiles (0 = ⌈√count⌉, or from <see cref="Rows"/>).</summary>
    public int Cols { get; init; }
    /// <summary>Pixels between tiles and around the border (not upscaled).</summary>
    public int Padding { get; init; } = 1;
    /// <summary>Colour of padding and empty cells.</summary>
    public (byte R, byte G, byte B) PadColor { get; init; } = (255, 255, 255);
    /// <summary>Feature-map scaling.</summary>
    public GridNormalization Normalization { get; init; } = GridNormalization.PerTile;
    /// <summary>Min–max or symmetric around 0 (see <see cref="Deprocess.Normalize(ReadOnlySpan{float}, NormalizeMode, float)"/>).</summary>
    public NormalizeMode Mode { get; init; } = NormalizeMode.MinMax;
    /// <summary>Outlier clipping percent for the normalization.</summary>
    public float ClipPercent { get; init; }
    /// <summary>Integer nearest-neighbour upscale of every tile.</summary>
    public int Upscale { get; init; } = 1;
    /// <summary>Colormap for feature maps (null = grey).</summary>
    public string? Colormap { get; init; }
}

/// <summary>Tiles feature maps or images into one picture.</summary>
public static class Grid
{
    /// <summary>(rows, cols) for <paramref name="count"/> tiles: near-square by default (cols = ⌈√n⌉), or from the one given.</summary>
    public static (int Rows, int Cols) Layout(int count, int rows = 0, int cols = 0)
    {
        if (count <= 0 || rows < 0 || cols < 0) throw new RawConvException($"grid: {count} tiles in {rows}×{cols}");
        if (rows == 0 && cols == 0) cols = (int)Math.Ceiling(Math.Sqrt(count));
        if (rows == 0) rows = (count + cols - 1) / cols;
        if (cols == 0) cols = (count + rows - 1) / rows;
        if ((long)rows * cols < count) throw new RawConvException($"grid: {rows}×{cols} cells cannot hold {count} tiles");
        return (rows, cols);
    }

    /// <summary>Top-left pixel of tile <paramref name="index"/> (row-major) for tiles of tileW × tileH with padding.</summary>
    public static (int X, int Y) TileOrigin(int index, int cols, int tileW, int tileH, int padding) =>
        (padding + index % cols * (tileW + padding), padding + index / cols * (tileH + padding));

    /// <summary>Tiles <paramref name="count"/> maps of h × w (planar, map after map) into one RGB image.</summary>
    public static Image FeatureMaps(float[] maps, int count, int h, int w, GridOptions? o = null)
    {
        o ??= new GridOptions();
        if (count <= 0 || h <= 0 || w <= 0 || maps.Length != (long)count * h * w)
            throw new RawConvException($"grid: {maps.Length} values for {count} maps of {h}×{w}");
        int plane = h * w;
        var norm = o.Normalization switch
        {
            GridNormalization.Global => Deprocess.Normalize(maps, o.Mode, o.ClipPercent),
            GridNormalization.None => Array.ConvertAll(maps, v => Math.Clamp(v, 0f, 1f)),
            _ => PerTile(maps, count, plane, o),
        };
        var cmap = o.Colormap is null ? null : Colormap.Get(o.Colormap);
        var tiles = new Image[count];
        for (int i = 0; i < count; i++)
        {
            var span = norm.AsSpan(i * plane, plane);
            if (cmap is not null) { tiles[i] = cmap.Apply(span, h, w, 0f, 1f); continue; }
            var t = new Image(w, h, 3);
            for (int p = 0; p < plane; p++)
            {
                ushort g = Deprocess.To8(span[p] * 255f);
                t.Data[p * 3] = t.Data[p * 3 + 1] = t.Data[p * 3 + 2] = g;
            }
            tiles[i] = t;
        }
        return Compose(tiles, o);
    }

    /// <summary>Tiles the channels of a (1, C, H, W) or (C, H, W) tensor.</summary>
    public static Image FeatureMaps(Tensor t, GridOptions? o = null)
    {
        var s = t.Shape;
        if (!(s.Rank == 4 && s.N == 1 || s.Rank == 3)) throw new RawConvException($"grid: tensor {t.Shape} is not (1, C, H, W) or (C, H, W)");
        return FeatureMaps(t.ToArray(), s[-3], s[-2], s[-1], o);
    }

    /// <summary>Tiles images (converted to 8-bit RGB); each sits centred in a cell of the largest size.</summary>
    public static Image Images(IReadOnlyList<Image> images, GridOptions? o = null) =>
        Compose(images.Select(i => i.Channels == 3 && i.BitDepth == 8 ? i : i.ToRgb8()).ToArray(), o ?? new GridOptions());

    private static float[] PerTile(float[] maps, int count, int plane, GridOptions o)
    {
        var r = new float[maps.Length];
        for (int i = 0; i < count; i++) Deprocess.Normalize(maps.AsSpan(i * plane, plane), o.Mode, o.ClipPercent).CopyTo(r, i * plane);
        return r;
    }

    private static Image Compose(Image[] tiles, GridOptions o)
    {
        if (tiles.Length == 0) throw new RawConvException("grid: no tiles");
        if (o.Upscale < 1 || o.Padding < 0) throw new RawConvException($"grid: upscale {o.Upscale} must be ≥ 1 and padding {o.Padding} ≥ 0");
        var (rows, cols) = Layout(tiles.Length, o.Rows, o.Cols);
        int up = o.Upscale;
        int cw = tiles.Max(t => t.Width) * up, ch = tiles.Max(t => t.Height) * up;
        long gw = (long)cols * cw + (cols + 1L) * o.Padding, gh = (long)rows * ch + (rows + 1L) * o.Padding;
        if (gw > int.MaxValue || gh > int.MaxValue) throw new RawConvException($"grid: {gw}×{gh} pixels is too large");
        var img = new Image((int)gw, (int)gh, 3);
        var (pr, pg, pb) = o.PadColor;
        for (long p = 0; p < gw * gh; p++) { img.Data[p * 3] = pr; img.Data[p * 3 + 1] = pg; img.Data[p * 3 + 2] = pb; }
        for (int i = 0; i < tiles.Length; i++)
        {
            var t = tiles[i];
            var (x0, y0) = TileOrigin(i, cols, cw, ch, o.Padding);
            x0 += (cw - t.Width * up) / 2;
            y0 += (ch - t.Height * up) / 2;
            for (int y = 0; y < t.Height * up; y++)
                for (int x = 0; x < t.Width * up; x++)
                    for (int c = 0; c < 3; c++)
                        img.Data[(((long)y0 + y) * gw + x0 + x) * 3 + c] = t.Data[((long)(y / up) * t.Width + x / up) * 3 + c];
        }
        return img;
    }
}
