using RawConv.Algorithms.Data;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>
/// Settings of a top-k scan: <see cref="K"/> images kept per feature map, images forwarded
/// <see cref="BatchSize"/> at a time, only the first <see cref="Limit"/> images (0 = all), only
/// <see cref="Channels"/> (null = every feature map of the layer).
/// </summary>
public sealed record TopKOptions(int K = 9, int BatchSize = 64, int Limit = 0, IReadOnlyList<int>? Channels = null)
{
    /// <summary>The most images kept per feature map: a grid of 32×32 patches per map is already more than a reader can look at.</summary>
    public const int MaxK = 1024;
}

/// <summary>One kept activation: its value, the dataset index of the image, and its position in the feature map ((0, 0) for fully connected layers).</summary>
public readonly record struct TopKEntry(float Value, int Image, int Y, int X);

/// <summary>
/// The result of <see cref="TopKScan.Run"/>: for each scanned channel, the k strongest images, strongest
/// first (equal values: lower image index first); k is at most the number of images scanned. <see cref="Entries"/>[i] belongs to <see cref="Channels"/>[i].
/// </summary>
public sealed record TopKResult(string Layer, int K, int Images, (int C, int H, int W) Dims, IReadOnlyList<int> Channels,
    IReadOnlyList<IReadOnlyList<TopKEntry>> Entries)
{
    /// <summary>The kept entries of feature map <paramref name="channel"/>.</summary>
    public IReadOnlyList<TopKEntry> Of(int channel)
    {
        int i = Channels.ToList().IndexOf(channel);
        return i >= 0 ? Entries[i] : throw new RawConvException($"top-k: channel {channel} of '{Layer}' was not scanned");
    }
}

/// <summary>
/// The result of <see cref="TopKScan.RunDirection"/>: the direction <see cref="Weights"/> in <see cref="Layer"/>, its k best
/// images (<see cref="Entries"/>, strongest first; value Σ_t v_t·a_t at the image's best position) and the scan of the units shown beside it.
/// </summary>
public sealed record TopKDirectionResult(string Layer, IReadOnlyList<float> Weights, IReadOnlyList<TopKEntry> Entries, TopKResult Units);

/// <summary>
/// The Zeiler–Fergus dataset scan: stream a dataset through the network up to one layer and keep, for
/// every feature map, the k images that excite it most — one entry per image (its maximum over the map,
/// the first maximum in row-major order), held in a bounded heap per map, so memory does not grow with
/// the dataset. A direction v in a layer's channel space (Szegedy et al. 2014) is scanned the same way, as the
/// one map Σ_t v_t·a_t.
/// </summary>
public static class TopKScan
{
    /// <summary>
    /// Scans <paramref name="data"/> (items fed to <paramref name="net"/> as they are) up to <paramref name="layer"/>.
    /// <paramref name="progress"/> gets (images done, images total) after every batch.
    /// </summary>
    public static TopKResult Run(Net net, IDataset data, string layer, TopKOptions? options = null, Action<int, int>? progress = null)
    {
        var o = options ?? new TopKOptions();
        return RunLayers(net, data, [(layer, o.Channels)], o, progress)[0];
    }

    /// <summary>
    /// Scans several layers in one pass over the data (each batch is forwarded once, to the deepest of them);
    /// per layer the channels given (null = all). <see cref="TopKOptions.Channels"/> is ignored. Results in the order asked.
    /// </summary>
    public static IReadOnlyList<TopKResult> RunLayers(Net net, IDataset data, IReadOnlyList<(string Layer, IReadOnlyList<int>? Channels)> layers,
        TopKOptions? options = null, Action<int, int>? progress = null)
    {
        var o = options ?? new TopKOptions();
        if (layers.Count == 0) throw new RawConvException("top-k: no layer to scan");
        int total = Images(net, data, o);
        // A map keeps at most one entry per image, so k beyond the images scanned would only leave empty slots.
        var scans = layers.Select(l => new LayerScan(net.Spec, l.Layer, l.Channels, Math.Min(o.K, total))).ToArray();
        Stream(net, data, scans, o.BatchSize, total, progress);
        return scans.Select(s => s.Result(total)).ToArray();
    }

    /// <summary>
    /// Scans <paramref name="layer"/> for the images that excite the direction <paramref name="weights"/> (one weight per
    /// channel) most — score max over positions of Σ_t v_t·a_t[p, q], projected on the device by a 1×1 convolution (a GEMM
    /// for fully connected layers) — and, in the same pass, the feature maps <paramref name="units"/> shown beside it.
    /// <see cref="TopKOptions.Channels"/> is ignored.
    /// </summary>
    public static TopKDirectionResult RunDirection(Net net, IDataset data, string layer, IReadOnlyList<float> weights, IReadOnlyList<int> units,
        TopKOptions? options = null, Action<int, int>? progress = null)
    {
        var o = options ?? new TopKOptions();
        int total = Images(net, data, o);
        var spec = net.Spec;
        var shape = spec.Shapes()[spec.IndexOf(layer) + 1];
        var dims = NetQueries.Dims(shape);
        if (weights.Count != dims.C)
            throw new RawConvException($"top-k: a direction of {weights.Count} weights for layer '{layer}' with {dims.C} feature maps — give one weight per feature map");
        if (weights.Any(w => !float.IsFinite(w))) throw new RawConvException($"top-k: the direction in '{layer}' has a non-finite weight");
        int k = Math.Min(o.K, total);
        using var v = Tensor.FromArray(net.Backend, shape.Rank == 4 ? new Shape(1, dims.C, 1, 1) : new Shape(dims.C, 1), weights.ToArray());
        var direction = new LayerScan(layer, (1, dims.H, dims.W), k, a => Project(a, v));
        var unitScan = new LayerScan(spec, layer, units, k);
        Stream(net, data, [direction, unitScan], o.BatchSize, total, progress);
        return new TopKDirectionResult(layer, weights.ToArray(), direction.Result(total).Entries[0], unitScan.Result(total));
    }

    /// <summary>The heaviest <paramref name="count"/> channels of a direction by |v_t| (equal weights: lower channel first), heaviest first.</summary>
    public static IReadOnlyList<int> Heaviest(IReadOnlyList<float> weights, int count) =>
        Enumerable.Range(0, weights.Count).OrderByDescending(t => Math.Abs(weights[t])).ThenBy(t => t).Take(count).ToArray();

    /// <summary>Checks the options and the dataset against the net; the number of images to scan.</summary>
    private static int Images(Net net, IDataset data, TopKOptions o)
    {
        if (o.K < 1) throw new RawConvException($"top-k: k must be at least 1, got {o.K}");
        if (o.K > TopKOptions.MaxK) throw new RawConvException($"top-k: k must be at most {TopKOptions.MaxK}, got {o.K}");
        if (o.BatchSize < 1) throw new RawConvException($"top-k: batch size must be at least 1, got {o.BatchSize}");
        if (o.Limit < 0) throw new RawConvException($"top-k: limit must be 0 (all) or positive, got {o.Limit}");
        var spec = net.Spec;
        var item = data.ItemShape;
        if (item.C != spec.InputChannels || item.H != spec.InputHeight || item.W != spec.InputWidth)
            throw new RawConvException($"top-k: dataset items {item} do not fit {spec.Name}'s input {spec.InputShape()}");
        int total = o.Limit > 0 ? Math.Min(o.Limit, data.Count) : data.Count;
        if (total == 0) throw new RawConvException("top-k: the dataset has no images to scan");
        BatchMemory.Check(net, Math.Min(o.BatchSize, total), "top-k: batch size");
        return total;
    }

    /// <summary>The one scan loop: forwards the first <paramref name="total"/> images batch by batch to the deepest layer scanned and offers every batch to every scan.</summary>
    private static void Stream(Net net, IDataset data, IReadOnlyList<LayerScan> scans, int batchSize, int total, Action<int, int>? progress)
    {
        var spec = net.Spec;
        string deepest = scans.MaxBy(s => spec.IndexOf(s.Layer))!.Layer;
        for (int start = 0; start < total; start += batchSize)
        {
            int n = Math.Min(batchSize, total - start);
            var (x, _) = data.Get(net.Backend, Enumerable.Range(start, n).ToArray());
            using (x)
            using (var pass = net.Forward(x, deepest))
                foreach (var scan in scans) scan.Add(scan.Read(pass[scan.Layer]), start, n);
            progress?.Invoke(start + n, total);
        }
    }

    /// <summary>Σ_t v_t·a_t at every position, on a's device: (N, 1, H, W) by a 1×1 convolution, or (N, 1) by a GEMM.</summary>
    private static float[] Project(Tensor a, Tensor v)
    {
        using var y = a.Shape.Rank == 4 ? Conv2d.Forward(a, v, null, new Conv2dParams()) : Gemm.Forward(a, v, null);
        return y.ToArray();
    }

    /// <summary>The heaps of one layer's scanned channels (or of its projection onto a direction, one map).</summary>
    private sealed class LayerScan
    {
        private readonly (int C, int H, int W) dims;
        private readonly int[] channels;
        private readonly PriorityQueue<TopKEntry, TopKEntry>[] heaps;
        private readonly int k;
        private readonly Func<Tensor, float[]> read;

        /// <summary>The feature maps <paramref name="channels"/> (null = all) of <paramref name="layer"/>.</summary>
        public LayerScan(NetSpec spec, string layer, IReadOnlyList<int>? channels, int k)
            : this(layer, NetQueries.Dims(spec.Shapes()[spec.IndexOf(layer) + 1]), channels, k, a => a.ToArray()) { }

        /// <summary>The one map (dims (1, H, W)) that <paramref name="read"/> makes of the layer's output.</summary>
        public LayerScan(string layer, (int C, int H, int W) dims, int k, Func<Tensor, float[]> read) : this(layer, dims, null, k, read) { }

        private LayerScan(string layer, (int C, int H, int W) dims, IReadOnlyList<int>? channels, int k, Func<Tensor, float[]> read)
        {
            Layer = layer;
            this.k = k;
            this.dims = dims;
            this.read = read;
            this.channels = (channels ?? Enumerable.Range(0, dims.C).ToArray()).ToArray();
            foreach (var c in this.channels)
                if (c < 0 || c >= dims.C) throw new RawConvException($"top-k: channel {c} is outside layer '{layer}' with {dims.C} feature maps");
            if (this.channels.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new RawConvException($"top-k: channel {twice.Key} of '{layer}' is listed twice — list each once");
            heaps = this.channels.Select(_ => new PriorityQueue<TopKEntry, TopKEntry>(k + 1, Worse.Instance)).ToArray();
        }

        public string Layer { get; }

        /// <summary>The host values this scan ranks, from the layer's output of one batch.</summary>
        public float[] Read(Tensor a) => read(a);

        /// <summary>Offers each image's maximum of each scanned map (first maximum in row-major order) to that map's heap.</summary>
        public void Add(float[] a, int start, int n)
        {
            int plane = dims.H * dims.W, per = dims.C * plane;
            for (int i = 0; i < n; i++)
                for (int ci = 0; ci < channels.Length; ci++)
                {
                    var map = a.AsSpan(i * per + channels[ci] * plane, plane);
                    int best = 0;
                    for (int p = 1; p < plane; p++)
                        if (map[p] > map[best]) best = p;
                    Offer(heaps[ci], new TopKEntry(map[best], start + i, best / dims.W, best % dims.W), k);
                }
        }

        public TopKResult Result(int images) => new(Layer, k, images, dims, channels, heaps.Select(h => (IReadOnlyList<TopKEntry>)Drain(h)).ToArray());
    }

    /// <summary>Adds <paramref name="e"/> to a heap that keeps the <paramref name="k"/> best entries (its root is the worst kept).</summary>
    private static void Offer(PriorityQueue<TopKEntry, TopKEntry> heap, TopKEntry e, int k)
    {
        if (float.IsNaN(e.Value)) return;
        if (heap.Count < k) heap.Enqueue(e, e);
        else if (Worse.Instance.Compare(heap.Peek(), e) < 0) heap.EnqueueDequeue(e, e);
    }

    private static List<TopKEntry> Drain(PriorityQueue<TopKEntry, TopKEntry> heap)
    {
        var list = new List<TopKEntry>(heap.Count);
        while (heap.Count > 0) list.Add(heap.Dequeue());
        list.Reverse();
        return list;
    }

    /// <summary>Orders entries worst first: lower value, then (for equal values) higher image index.</summary>
    private sealed class Worse : IComparer<TopKEntry>
    {
        public static readonly Worse Instance = new();

        public int Compare(TopKEntry a, TopKEntry b)
        {
            int v = a.Value.CompareTo(b.Value);
            return v != 0 ? v : b.Image.CompareTo(a.Image);
        }
    }
}
