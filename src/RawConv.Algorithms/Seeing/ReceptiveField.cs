using RawConv.Graph;

namespace RawConv.Algorithms.Seeing;

/// <summary>
/// The input region one output unit of a layer sees, along one axis: <see cref="Size"/> pixels wide, unit i
/// centred at <see cref="Start"/> + i·<see cref="Jump"/> (input pixel coordinates, may be fractional or
/// outside the image when padding is involved). Computed layer by layer: a window of k (dilation d) with
/// stride s and padding p gives size r + (d(k−1))·j, jump j·s, start + ((d(k−1))/2 − p)·j.
/// </summary>
public readonly record struct AxisField(int Size, int Jump, double Start)
{
    /// <summary>The field of the input itself: one pixel, jump 1, centred on pixel 0.</summary>
    public static AxisField Input => new(1, 1, 0);

    /// <summary>The field after a window of <paramref name="k"/> (dilation <paramref name="dilation"/>) with stride and padding.</summary>
    public AxisField Then(int k, int stride, int pad, int dilation = 1)
    {
        int span = dilation * (k - 1);
        return new AxisField(Size + span * Jump, Jump * stride, Start + (span / 2.0 - pad) * Jump);
    }

    /// <summary>The input pixels [lo, hi) covered by unit <paramref name="i"/>, clipped to [0, <paramref name="extent"/>).</summary>
    public (int Lo, int Hi) Span(int i, int extent)
    {
        double c = Start + (double)i * Jump;
        int lo = (int)Math.Ceiling(c - (Size - 1) / 2.0), hi = lo + Size;
        return (Math.Clamp(lo, 0, extent), Math.Clamp(hi, 0, extent));
    }

    /// <summary>The unclipped first pixel of unit <paramref name="i"/>'s field (negative when it hangs over the top or left edge).</summary>
    public int First(int i) => (int)Math.Ceiling(Start + (double)i * Jump - (Size - 1) / 2.0);
}

/// <summary>The receptive field of a layer's units in both axes; fully connected layers see the whole input.</summary>
public sealed record ReceptiveField(string Layer, AxisField Y, AxisField X, bool Global)
{
    /// <summary>Height × width of the field in input pixels (the whole input for global layers).</summary>
    public (int H, int W) Size => (Y.Size, X.Size);

    /// <summary>The input box (y0, x0, y1, x1), end exclusive and clipped, that unit (y, x) sees.</summary>
    public (int Y0, int X0, int Y1, int X1) Box(int y, int x, int height, int width)
    {
        if (Global) return (0, 0, height, width);
        var (y0, y1) = Y.Span(y, height);
        var (x0, x1) = X.Span(x, width);
        return (y0, x0, y1, x1);
    }

    /// <summary>
    /// Receptive fields of every layer of <paramref name="spec"/>, in layer order, from each layer's own rule; a
    /// layer kind without one (a transposed convolution) throws, naming the layer.
    /// </summary>
    public static IReadOnlyList<ReceptiveField> Of(NetSpec spec)
    {
        var list = new List<ReceptiveField>();
        AxisField y = AxisField.Input, x = AxisField.Input;
        bool global = false;
        foreach (var layer in spec.Layers)
        {
            switch (layer.Field())
            {
                case FieldRule.Window w:
                    y = y.Then(w.KernelH, w.StrideH, w.PadH, w.DilationH);
                    x = x.Then(w.KernelW, w.StrideW, w.PadW, w.DilationW);
                    break;
                case var r when r == FieldRule.Global:
                    global = true;
                    break;
            }
            list.Add(new ReceptiveField(layer.Name, y, x, global));
        }
        return list;
    }

    /// <summary>The receptive field of layer <paramref name="layer"/> of <paramref name="spec"/>.</summary>
    public static ReceptiveField Of(NetSpec spec, string layer) => Of(spec)[spec.IndexOf(layer)];
}
