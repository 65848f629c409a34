namespace RawConv.Algorithms.Texture;

/// <summary>One tile of an image: its top-left corner and its size, in pixels.</summary>
public sealed record Tile(int Y, int X, int Height, int Width);

/// <summary>
/// Overlapping tiles of an image and their blend: an output larger than the device's memory is refined a tile at a time
/// and put back together with linear ramps across each overlap, so no seam shows. Along each axis tiles of side T start
/// every T − O pixels, the last one flush with the far edge; a tile's weight ramps from 1/(O+1) up to 1 across an overlap
/// with a neighbour and is 1 elsewhere; the weights at each pixel are divided by their sum, so they sum to 1 everywhere.
/// Works on host (C, H, W) planes; the per-tile work (a texture's tile refinement, a style transfer's) is the caller's function.
/// </summary>
public static class Tiling
{
    /// <summary>The tiles of side <paramref name="tile"/> (clipped to the image) overlapping by <paramref name="overlap"/> that cover <paramref name="height"/>×<paramref name="width"/>, row by row.</summary>
    public static IReadOnlyList<Tile> Plan(int height, int width, int tile, int overlap)
    {
        if (tile < 1) throw new RawConvException($"--tile: tile side {tile} must be at least 1 — give e.g. --tile 128");
        if (overlap < 0 || overlap >= tile) throw new RawConvException($"--tile: overlap {overlap} must lie in [0, {tile}) for tiles of {tile} — give a smaller overlap");
        var ys = Starts(height, tile, overlap);
        var xs = Starts(width, tile, overlap);
        return ys.SelectMany(y => xs.Select(x => new Tile(y, x, Math.Min(tile, height), Math.Min(tile, width)))).ToList();
    }

    private static List<int> Starts(int size, int tile, int overlap)
    {
        var starts = new List<int> { 0 };
        while (starts[^1] + tile < size) starts.Add(Math.Min(starts[^1] + tile - overlap, size - tile));
        return starts;
    }

    /// <summary>Each tile's blend weight at each of its pixels (row-major, tile-sized), normalized so the weights of the tiles covering a pixel sum to 1.</summary>
    public static float[][] Weights(IReadOnlyList<Tile> tiles, int height, int width)
    {
        var raw = tiles.Select(t => Ramp(t, tiles)).ToArray();
        var sum = new double[height * width];
        for (int i = 0; i < tiles.Count; i++) Accumulate(tiles[i], raw[i], sum, width);
        return tiles.Select((t, i) =>
        {
            var w = new float[t.Height * t.Width];
            for (int y = 0; y < t.Height; y++)
                for (int x = 0; x < t.Width; x++)
                    w[y * t.Width + x] = (float)(raw[i][y * t.Width + x] / sum[(t.Y + y) * width + t.X + x]);
            return w;
        }).ToArray();
    }

    /// <summary>
    /// Crops each tile out of <paramref name="planes"/> (C, H, W), hands it to <paramref name="refine"/> (which returns planes of
    /// the tile's size) and blends the results with the ramp weights: Σ wᵢ·tileᵢ / Σ wᵢ per pixel in double, so unmodified
    /// tiles give the input back exactly.
    /// </summary>
    public static float[] Map(float[] planes, int channels, int height, int width, IReadOnlyList<Tile> tiles, Func<Tile, float[], float[]> refine)
    {
        if (planes.Length != channels * height * width) throw new RawConvException($"tiling: {planes.Length} values are not {channels}×{height}×{width}");
        var acc = new double[planes.Length];
        var wsum = new double[height * width];
        foreach (var t in tiles)
        {
            var result = refine(t, Crop(planes, channels, height, width, t));
            if (result.Length != channels * t.Height * t.Width)
                throw new RawConvException($"tiling: the tile at ({t.Y}, {t.X}) came back with {result.Length} values, not {channels}×{t.Height}×{t.Width}");
            var w = Ramp(t, tiles);
            Accumulate(t, w, wsum, width);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < t.Height; y++)
                    for (int x = 0; x < t.Width; x++)
                        acc[(c * height + t.Y + y) * width + t.X + x] += w[y * t.Width + x] * result[(c * t.Height + y) * t.Width + x];
        }
        var output = new float[planes.Length];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < height * width; i++)
                output[c * height * width + i] = (float)(acc[c * height * width + i] / wsum[i]);
        return output;
    }

    /// <summary>The (C, tile) planes of <paramref name="t"/> cut out of (C, H, W) planes.</summary>
    public static float[] Crop(float[] planes, int channels, int height, int width, Tile t)
    {
        var o = new float[channels * t.Height * t.Width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < t.Height; y++)
                Array.Copy(planes, (c * height + t.Y + y) * width + t.X, o, (c * t.Height + y) * t.Width, t.Width);
        return o;
    }

    /// <summary>Unnormalized weight: the product of one ramp per axis, rising across the overlap with the previous tile and falling across the one with the next.</summary>
    private static double[] Ramp(Tile t, IReadOnlyList<Tile> tiles)
    {
        var ry = Axis(t.Y, t.Height, tiles.Select(o => (o.Y, o.Height)).Distinct().ToList());
        var rx = Axis(t.X, t.Width, tiles.Select(o => (o.X, o.Width)).Distinct().ToList());
        var w = new double[t.Height * t.Width];
        for (int y = 0; y < t.Height; y++)
            for (int x = 0; x < t.Width; x++)
                w[y * t.Width + x] = ry[y] * rx[x];
        return w;
    }

    private static double[] Axis(int start, int size, List<(int Start, int Size)> spans)
    {
        int end = start + size;
        // The overlaps with the neighbouring spans before and after this one along the axis (0 at the image's edges).
        int before = spans.Where(s => s.Start < start && s.Start + s.Size > start).Select(s => s.Start + s.Size - start).DefaultIfEmpty(0).Max();
        int after = spans.Where(s => s.Start > start && s.Start < end).Select(s => end - s.Start).DefaultIfEmpty(0).Max();
        var r = new double[size];
        for (int i = 0; i < size; i++)
        {
            double v = 1;
            if (i < before) v = Math.Min(v, (i + 1.0) / (before + 1));
            if (i >= size - after) v = Math.Min(v, (size - i + 0.0) / (after + 1));
            r[i] = v;
        }
        return r;
    }

    private static void Accumulate(Tile t, double[] w, double[] sum, int width)
    {
        for (int y = 0; y < t.Height; y++)
            for (int x = 0; x < t.Width; x++)
                sum[(t.Y + y) * width + t.X + x] += w[y * t.Width + x];
    }
}
