using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// Replays the device allocations of an input-optimization loop on shapes alone, in the order the code makes and frees
/// them, and keeps the running and the highest total: <see cref="Net.Forward"/> keeps every layer's output and every
/// max-pool switch up to the top layer; each loss term then adds its gradient seed (a Gram term briefly holds its
/// C×C difference and, on a kernel backend, the symmetrized copy <see cref="Gram.Backward"/> makes); the backward sweep
/// holds the incoming and the outgoing gradient of one layer at a time (<see cref="BackwardOptions.KeepLayerGradients"/>
/// off) while the pass and the seeds stay; the input gradient is cloned before the pass goes. On a kernel backend the
/// convolutions' scratch slots (<see cref="Conv2d.WorkspaceFloats"/>) only grow and are never given back.
/// </summary>
internal sealed class MemoryWalk(NetSpec spec, KernelTuning? tuning)
{
    /// <summary>Reductions' partial sums and error flags: a few KiB at most while they live.</summary>
    private const long Scratch = 64 * 1024;
    private readonly long[] slots = new long[4];

    /// <summary>Bytes held now.</summary>
    public long Current { get; private set; }

    /// <summary>The most bytes held at once so far.</summary>
    public long Peak { get; private set; }

    public void Alloc(long bytes)
    {
        Current += bytes;
        Peak = Math.Max(Peak, Current);
    }

    public void Free(long bytes) => Current -= bytes;

    public static long Bytes(Shape s) => s.Count * sizeof(float);

    /// <summary>Bytes of the (1, C, C) Gram matrix of <paramref name="output"/>.</summary>
    public static long GramBytes(Shape output) => (long)output.C * output.C * sizeof(float);

    /// <summary>The weights and biases <see cref="Net"/>'s constructor allocates for every layer at the declared input.</summary>
    public static long WeightBytes(NetSpec spec)
    {
        var shapes = spec.Shapes();
        long bytes = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
            if (spec.Layers[i].WeightShape(shapes[i]) is { } ws) bytes += Bytes(ws) + spec.Layers[i].BiasLength * (long)sizeof(float);
        return bytes;
    }

    /// <summary>A forward pass of <paramref name="input"/> to layer index <paramref name="top"/>; returns the bytes it keeps (outputs and switches).</summary>
    public long Forward(Shape input, int top)
    {
        var shapes = spec.Shapes(input, spec.Layers[top].Name);
        long kept = 0;
        for (int i = 0; i <= top; i++)
        {
            var layer = spec.Layers[i];
            long y = Bytes(shapes[i + 1]);
            Alloc(y);
            kept += y;
            if (layer is MaxPoolLayer)
            {
                Alloc(y);
                kept += y;
            }
            if (layer is ConvLayer c && tuning is not null) Workspace(Conv2d.WorkspaceFloats(shapes[i], c.WeightShape(shapes[i])!, c.Params, tuning, backwardData: false));
            if (layer is MultiScaleConvLayer ms) Banks(ms, shapes[i], backward: false);
            AllocFree(Scratch);
        }
        return kept;
    }

    /// <summary>
    /// One evaluation of value and input gradient with the given terms (layer index, Gram or content) on <paramref name="image"/>;
    /// leaves the gradient held (bytes of the image) for the optimizer to consume.
    /// </summary>
    public void Evaluate(Shape image, IReadOnlyList<(int Layer, EstimateTermKind Kind)> terms)
    {
        int top = terms.Max(t => t.Layer);
        var shapes = spec.Shapes(image, spec.Layers[top].Name);
        long kept = Forward(image, top);
        var seeds = new Dictionary<int, long>();
        foreach (var (layer, kind) in terms)
        {
            var a = shapes[layer + 1];
            long g = Bytes(a);
            if (kind == EstimateTermKind.Gram)
            {
                Alloc(GramBytes(a));
                Alloc(g);
                if (tuning is not null) AllocFree(GramBytes(a));
                AllocFree(Scratch);
                Free(GramBytes(a));
            }
            else Alloc(g);
            if (seeds.ContainsKey(layer)) Free(g);
            else seeds[layer] = g;
        }
        long grad = 0;
        for (int i = top; i >= 0; i--)
        {
            if (seeds.ContainsKey(i) && grad == 0) Alloc(grad = Bytes(shapes[i + 1]));
            if (grad == 0) continue;
            var layer = spec.Layers[i];
            long dx = Bytes(shapes[i]);
            Alloc(dx);
            if (layer is ConvLayer c && tuning is not null) Workspace(Conv2d.WorkspaceFloats(shapes[i], c.WeightShape(shapes[i])!, c.Params, tuning, backwardData: true));
            if (layer is MultiScaleConvLayer ms) Banks(ms, shapes[i], backward: true);
            if (layer is MaxPoolLayer) AllocFree(Scratch);
            Free(grad);
            grad = dx;
        }
        Alloc(Bytes(image));
        Free(grad);
        foreach (var s in seeds.Values) Free(s);
        Free(kept);
    }

    /// <summary>Total-variation penalty: its per-pixel terms, then its gradient, each the image's size, one after the other.</summary>
    public void TotalVariation(Shape image)
    {
        AllocFree(Bytes(image));
        AllocFree(Bytes(image));
    }

    /// <summary>
    /// A multi-scale convolution runs one same-padded convolution per bank, one bank at a time: the bank's cropped filters
    /// with its output (forward), or with its slice of the incoming gradient and its input gradient summed into the first
    /// (backward), and the bank's convolution scratch, which grows with the kernel size.
    /// </summary>
    private void Banks(MultiScaleConvLayer ms, Shape input, bool backward)
    {
        long slice = Bytes(Shape.Nchw(input.N, ms.FiltersPerBank, input.H, input.W));
        for (int b = 0; b < ms.KernelSizes.Length; b++)
        {
            int k = ms.KernelSizes[b];
            var w = new Shape(ms.FiltersPerBank, input.C, k, k);
            long held = Bytes(w) + (backward ? slice : 0);
            Alloc(held);
            if (tuning is not null) Workspace(Conv2d.WorkspaceFloats(input, w, new Conv2dParams(1, 1, (k - 1) / 2, (k - 1) / 2), tuning, backward));
            AllocFree(backward ? (b == 0 ? 0 : Bytes(input)) : slice);
            Free(held);
        }
    }

    private void AllocFree(long bytes)
    {
        Alloc(bytes);
        Free(bytes);
    }

    /// <summary>Workspace.Get: a slot asked for more than it holds gives its buffer back and takes a larger one.</summary>
    private void Workspace(long[] want)
    {
        for (int s = 0; s < slots.Length; s++)
        {
            if (want[s] <= slots[s]) continue;
            Free(slots[s] * sizeof(float));
            slots[s] = want[s];
            Alloc(slots[s] * sizeof(float));
        }
    }
}
