using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms;

/// <summary>
/// Questions the algorithms ask of a network and its outputs, in one home: the per-image shape of a layer output,
/// class probabilities of a forward pass, the arg-max of a row, an occluded copy of an image, and the input box of
/// a unit's receptive field.
/// </summary>
public static class NetQueries
{
    /// <summary>Shape of one image's slice of a layer output: (C, H, W), or (C, 1, 1) for a fully connected layer.</summary>
    public static (int C, int H, int W) Dims(Shape layerOutput) => layerOutput.Rank switch
    {
        4 => (layerOutput.C, layerOutput.H, layerOutput.W),
        2 => (layerOutput[1], 1, 1),
        _ => throw new RawConvException($"layer output {layerOutput} is neither (N, C, H, W) nor (N, C)"),
    };

    /// <summary>Class probabilities (N × classes, host) of a full forward pass: the net's softmax output, or a softmax of its last layer.</summary>
    public static float[] Probabilities(Net net, ForwardPass pass)
    {
        if (net.Spec.Roles.Probabilities is not null) return pass.Output.ToArray();
        var o = pass.Output;
        using var flat = o.CopyAs(new Shape(o.Shape[0], (int)(o.Count / o.Shape[0])));
        using var p = Softmax.Forward(flat, 1);
        return p.ToArray();
    }

    /// <summary>Index of the largest value (first on ties); a NaN in <paramref name="row"/> is an error naming <paramref name="what"/>.</summary>
    public static int ArgMax(ReadOnlySpan<float> row, string what = "scores")
    {
        if (row.IsEmpty) throw new RawConvException($"arg-max: {what} is an empty row");
        int best = 0;
        for (int j = 0; j < row.Length; j++)
        {
            // NaN compares false with everything: left alone it would lose every comparison and hide in the answer.
            if (float.IsNaN(row[j])) throw new RawConvException($"arg-max: {what} holds NaN at index {j} — the network produced a non-finite value");
            if (row[j] > row[best]) best = j;
        }
        return best;
    }

    /// <summary>Writes copies of image (C, H, W) <paramref name="image"/> into <paramref name="dst"/> with <paramref name="box"/> set to the per-channel <paramref name="fill"/>.</summary>
    public static void Occlude(ReadOnlySpan<float> image, Span<float> dst, int c, int h, int w, Box box, float[] fill)
    {
        image.CopyTo(dst);
        for (int ch = 0; ch < c; ch++)
            for (int y = box.Y0; y < box.Y1; y++)
                dst.Slice((ch * h + y) * w + box.X0, box.Width).Fill(fill[ch]);
    }

    /// <summary>
    /// The input box (y0, x0, y1, x1), end exclusive, shown for unit (y, x): the receptive field unclipped (so
    /// every patch of a layer has the field's size; parts outside the image are padded), or the whole axis
    /// when the field is at least as large as the input along it (and for fully connected layers).
    /// </summary>
    public static (int Y0, int X0, int Y1, int X1) PatchBox(ReceptiveField field, int y, int x, int height, int width)
    {
        if (field.Global) return (0, 0, height, width);
        var (y0, y1) = field.Y.Size >= height ? (0, height) : (field.Y.First(y), field.Y.First(y) + field.Y.Size);
        var (x0, x1) = field.X.Size >= width ? (0, width) : (field.X.First(x), field.X.First(x) + field.X.Size);
        return (y0, x0, y1, x1);
    }
}
