using RawConv.Algorithms.Data;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>A feature map of a layer, written "layer:channel" (e.g. conv5:7).</summary>
public readonly record struct UnitRef(string Layer, int Channel)
{
    /// <summary>Parses "layer:channel".</summary>
    public static UnitRef Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out int c) || c < 0)
            throw new RawConvException($"unit '{text}': expected layer:channel, e.g. conv5:7");
        return new UnitRef(text[..colon].Trim(), c);
    }

    /// <summary>Parses a comma-separated list of "layer:channel".</summary>
    public static IReadOnlyList<UnitRef> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToArray();

    public override string ToString() => $"{Layer}:{Channel}";
}

/// <summary>Settings of <see cref="Evolution.Run"/>: images scanned per checkpoint (0 = all), batch size, ReLU rule, clipping of the display.</summary>
public sealed record EvolutionOptions(int Limit = 0, int BatchSize = 64, ReluRule Rule = ReluRule.Deconvnet, float ClipPercent = 0);

/// <summary>
/// One cell of the evolution grid: at checkpoint <see cref="Checkpoint"/>, unit <see cref="Unit"/>'s strongest
/// activation over the sample (<see cref="Entry"/>), the full projection of it (shaped like one network input),
/// the box shown and the picture.
/// </summary>
public sealed record EvolutionCell(int Checkpoint, UnitRef Unit, TopKEntry Entry, (int Y0, int X0, int Y1, int X1) Box, float[] Projection, Image Picture);

/// <summary>The grid (rows = units, columns = checkpoints) and its cells, <see cref="Cells"/>[unit, checkpoint].</summary>
public sealed record EvolutionResult(Image Image, IReadOnlyList<UnitRef> Units, IReadOnlyList<string> Checkpoints, EvolutionCell[,] Cells);

/// <summary>
/// Feature evolution during training (Zeiler–Fergus Fig. 4): for each checkpoint, the strongest activation of
/// each chosen unit over a dataset sample, projected to pixel space and cut to its receptive field (the whole
/// input for fully connected layers); one grid with a row per unit and a column per checkpoint.
/// </summary>
public static class Evolution
{
    /// <summary>
    /// Projects <paramref name="units"/> with each of <paramref name="checkpoints"/> (networks of one architecture, in
    /// training order, owned by the caller and left unchanged; <paramref name="names"/> labels them, default "0", "1", …).
    /// <paramref name="pre"/> turns projections into pictures; <paramref name="progress"/> gets (checkpoints done, total).
    /// </summary>
    public static EvolutionResult Run(IReadOnlyList<Net> checkpoints, IReadOnlyList<UnitRef> units, IDataset data,
        Preprocessing pre, EvolutionOptions? options = null, Action<int, int>? progress = null, IReadOnlyList<string>? names = null)
    {
        var o = options ?? new EvolutionOptions();
        if (checkpoints.Count == 0) throw new RawConvException("evolution: no checkpoints given");
        if (units.Count == 0) throw new RawConvException("evolution: no units given");
        if (names != null && names.Count != checkpoints.Count) throw new RawConvException($"evolution: {names.Count} names for {checkpoints.Count} checkpoints");
        var spec = checkpoints[0].Spec;
        for (int k = 1; k < checkpoints.Count; k++)
            if (!checkpoints[k].Spec.Shapes().SequenceEqual(spec.Shapes()))
                throw new RawConvException($"evolution: {names?[k] ?? $"checkpoint {k}"} is not of the architecture of {names?[0] ?? "checkpoint 0"} — give checkpoints of one training run");
        foreach (var u in units)
        {
            var (c, _, _) = NetQueries.Dims(spec.Shapes()[spec.IndexOf(u.Layer) + 1]);
            if (u.Channel >= c) throw new RawConvException($"evolution: unit {u} is outside layer '{u.Layer}' with {c} feature maps — give 0 to {c - 1}");
        }
        var cells = new EvolutionCell[units.Count, checkpoints.Count];
        for (int k = 0; k < checkpoints.Count; k++)
        {
            var net = checkpoints[k];
            var groups = units.Select((u, row) => (u, row)).GroupBy(t => t.u.Layer).ToArray();
            var scans = TopKScan.RunLayers(net, data, groups.Select(g => (g.Key, (IReadOnlyList<int>?)g.Select(t => t.u.Channel).Distinct().ToArray())).ToArray(),
                new TopKOptions(1, o.BatchSize, o.Limit));
            foreach (var (group, scan) in groups.Zip(scans))
            {
                var rows = group.ToArray();
                var entries = rows.Select(t => scan.Of(t.u.Channel) is { Count: > 0 } e ? e[0]
                    : throw new RawConvException($"evolution: {names?[k] ?? $"checkpoint {k}"}: unit {t.u} was NaN on all {scan.Images} images scanned — the checkpoint's weights are damaged")).ToArray();
                foreach (var (cell, i) in Project(net, data, group.Key, rows.Select(t => t.u).ToArray(), entries, pre, o).Select((c, i) => (c, i)))
                    cells[rows[i].row, k] = cell with { Checkpoint = k };
            }
            progress?.Invoke(k + 1, checkpoints.Count);
        }
        return new EvolutionResult(Compose(cells), units, names ?? Enumerable.Range(0, checkpoints.Count).Select(i => i.ToString()).ToArray(), cells);
    }

    /// <summary>The grid: each cell upscaled (nearest, integer factor) towards the size of the largest, rows = units, columns = checkpoints.</summary>
    public static Image Compose(EvolutionCell[,] cells)
    {
        int rows = cells.GetLength(0), cols = cells.GetLength(1);
        var flat = new List<Image>(rows * cols);
        int target = Math.Max(48, cells.Cast<EvolutionCell>().Max(c => Math.Max(c.Picture.Width, c.Picture.Height)));
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++)
            {
                var p = cells[r, k].Picture;
                flat.Add(Resize.Nearest(p, Math.Max(1, target / Math.Max(p.Width, p.Height))));
            }
        return Grid.Images(flat, new GridOptions { Rows = rows, Cols = cols, Padding = 2 });
    }

    private static EvolutionCell[] Project(Net net, IDataset data, string layer, UnitRef[] units, TopKEntry[] entries, Preprocessing pre, EvolutionOptions o)
    {
        var spec = net.Spec;
        var field = ReceptiveField.Of(spec, layer);
        int c = spec.InputChannels, h = spec.InputHeight, w = spec.InputWidth, per = c * h * w;
        var (x, _) = data.Get(net.Backend, entries.Select(e => e.Image).ToArray());
        float[] proj;
        using (x)
        using (var pass = net.Forward(x, layer))
        using (var p = Deconvnet.Project(net, pass, units.Select((u, i) => UnitChoice.At(layer, u.Channel, entries[i].Y, entries[i].X)).ToArray(), o.Rule))
            proj = p.Input.ToArray();
        return units.Select((u, i) =>
        {
            var one = proj.AsSpan(i * per, per).ToArray();
            var box = NetQueries.PatchBox(field, entries[i].Y, entries[i].X, h, w);
            var pic = Display.Crop(Display.Signed(one, c, h, w, pre, o.ClipPercent), box.Y0, box.X0, box.Y1, box.X1, 128);
            return new EvolutionCell(0, u, entries[i], box, one, pic);
        }).ToArray();
    }
}
