using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>What an occluder is filled with.</summary>
public enum FillKind
{
    /// <summary>A 0–255 pixel value, put through the model's preprocessing per channel (grey 128 by default).</summary>
    Pixel,
    /// <summary>0 in the normalized input: the dataset mean (ZF's "grey square" for a mean-subtracted net).</summary>
    Mean,
    /// <summary>A black square: pixel value 0 put through the preprocessing (the same as <see cref="Pixel"/> with 0).</summary>
    Zero,
}

/// <summary>The occluder's content: a kind and, for <see cref="FillKind.Pixel"/>, the 0–255 value.</summary>
public readonly record struct OcclusionFill(FillKind Kind, float Pixel = 128)
{
    /// <summary>Grey 128 through the preprocessing (the default).</summary>
    public static OcclusionFill Grey => new(FillKind.Pixel, 128);

    /// <summary>Parses "mean", "zero" or a pixel value 0–255.</summary>
    public static OcclusionFill Parse(string text)
    {
        if (text.Equals("mean", StringComparison.OrdinalIgnoreCase)) return new(FillKind.Mean, 0);
        if (text.Equals("zero", StringComparison.OrdinalIgnoreCase)) return new(FillKind.Zero, 0);
        if (float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && v is >= 0 and <= 255)
            return new(FillKind.Pixel, v);
        throw new RawConvException($"occlusion: fill '{text}' is not mean, zero or a pixel value 0–255");
    }

    /// <summary>The network-input value of the fill for each of <paramref name="channels"/> channels (in the net's channel order).</summary>
    public float[] Values(Preprocessing pre, int channels)
    {
        if (pre.Mean.Length < channels || pre.Std.Length < channels)
            throw new RawConvException($"occlusion: preprocessing has {pre.Mean.Length} means / {pre.Std.Length} stds for {channels} channels");
        var kind = Kind;
        float pixel = Pixel;
        return Enumerable.Range(0, channels).Select(c => kind switch
        {
            FillKind.Mean => 0f,
            FillKind.Zero => pre.Normalize(0, c),
            _ => pre.Normalize(pixel, c),
        }).ToArray();
    }

    public override string ToString() => Kind switch { FillKind.Mean => "mean", FillKind.Zero => "zero", _ => Pixel.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}

/// <summary>An input box (y0, x0, y1, x1), end exclusive.</summary>
public readonly record struct Box(int Y0, int X0, int Y1, int X1)
{
    /// <summary>Height of the box.</summary>
    public int Height => Y1 - Y0;
    /// <summary>Width of the box.</summary>
    public int Width => X1 - X0;

    /// <summary>Throws unless the box is non-empty and inside an image of <paramref name="h"/> × <paramref name="w"/>.</summary>
    public void Check(int h, int w, string what)
    {
        if (Y0 < 0 || X0 < 0 || Y1 > h || X1 > w || Y1 <= Y0 || X1 <= X0)
            throw new RawConvException($"{what}: box (y0 {Y0}, x0 {X0}, y1 {Y1}, x1 {X1}) is empty or outside the {h}×{w} input");
    }

    public override string ToString() => $"{Y0},{X0},{Y1},{X1}";
}

/// <summary>Settings of an occlusion scan: square side and stride in input pixels, fill, target class (null: the top class of the unoccluded image), layer (null: <see cref="Occlusion.DefaultLayer"/>), images per forward.</summary>
public sealed record OcclusionOptions(int Size = 8, int Stride = 2, OcclusionFill? Fill = null, int? Class = null, string? Layer = null, int BatchSize = 32);

/// <summary>
/// The maps of an occlusion scan, row-major (Rows × Cols): entry (r, c) is the square with top-left corner
/// (<see cref="Ys"/>[r], <see cref="Xs"/>[c]). Probability: P(<see cref="Class"/>); Activation: the sum of
/// feature map <see cref="FeatureMap"/> of <see cref="Layer"/>; Label: the most probable class. The
/// Baseline* values are those of the unoccluded image.
/// </summary>
public sealed record OcclusionResult(int Rows, int Cols, int[] Ys, int[] Xs, int Size, float[] Probability, float[] Activation, int[] Label,
    int Class, string Layer, int FeatureMap, float BaselineProbability, float BaselineActivation, int BaselineLabel, OcclusionFill Fill);

/// <summary>
/// Occlusion sensitivity (Zeiler &amp; Fergus 2014, §4.2): slide a square over the input and record, per
/// position, the probability of the true class, the total activation of the strongest feature map of a
/// layer, and the most probable label. Occluded copies go through the net in batches.
/// </summary>
public static class Occlusion
{
    /// <summary>
    /// Top-left corners along one axis: 0, stride, 2·stride, … while the square stays inside, plus
    /// extent − size (flush with the far edge) when the stride does not land there.
    /// </summary>
    public static int[] Positions(int extent, int size, int stride)
    {
        if (size < 1 || stride < 1) throw new RawConvException($"occlusion: size {size} and stride {stride} must be ≥ 1");
        if (size > extent) throw new RawConvException($"occlusion: square of size {size} is larger than the {extent}-pixel input side — give a size of at most {extent}");
        var p = new List<int>();
        for (int v = 0; v + size <= extent; v += stride) p.Add(v);
        if (p[^1] != extent - size) p.Add(extent - size);
        return [.. p];
    }

    /// <summary>
    /// The default layer for the activation map: the last convolution's output after its rectification
    /// (ReLU layers directly after it), i.e. the layer feeding the last pooling in AlexNet-style nets (relu5).
    /// </summary>
    public static string DefaultLayer(NetSpec spec) => spec.Roles.ConvFeatures;

    /// <summary>
    /// Runs the scan on the single image <paramref name="x"/> (1, C, H, W), already preprocessed with
    /// <paramref name="pre"/>. <paramref name="progress"/> gets the number of positions done after each batch.
    /// </summary>
    public static OcclusionResult Run(Net net, Tensor x, Preprocessing pre, OcclusionOptions? options = null, Action<int>? progress = null)
    {
        var o = options ?? new OcclusionOptions();
        var s = x.Shape;
        if (s.Rank != 4 || s.N != 1) throw new RawConvException($"occlusion: input {s} must be one image (1, C, H, W)");
        if (s != net.Spec.InputShape(1)) throw new RawConvException($"occlusion: input {s} does not match the input {net.Spec.InputShape(1)} of {net.Spec.Name}");
        if (o.BatchSize < 1) throw new RawConvException($"occlusion: batch size {o.BatchSize} must be ≥ 1");
        var ys = Positions(s.H, o.Size, o.Stride);
        var xs = Positions(s.W, o.Size, o.Stride);
        string layer = o.Layer ?? DefaultLayer(net.Spec);
        net.Spec.IndexOf(layer);
        var fill = o.Fill ?? OcclusionFill.Grey;
        var fillValues = fill.Values(pre, s.C);

        int cls, baseLabel, map;
        float baseP, baseA;
        (int C, int H, int W) dims;
        using (var pass = net.Forward(x))
        {
            var probs = NetQueries.Probabilities(net, pass);
            if (o.Class is { } k && (k < 0 || k >= probs.Length))
                throw new RawConvException($"occlusion: class {k} is outside the net's {probs.Length} classes — give 0 to {probs.Length - 1}");
            baseLabel = NetQueries.ArgMax(probs);
            cls = o.Class ?? baseLabel;
            baseP = probs[cls];
            var a = pass[layer];
            dims = NetQueries.Dims(a.Shape);
            var host = a.ToArray();
            map = Deconvnet.Pick(host, dims, UnitChoice.Strongest(layer)).Channel;
            baseA = MapSum(host, dims, 0, map);
        }

        int n = ys.Length * xs.Length, per = s.C * s.H * s.W, classes = 0;
        var image = x.ToArray();
        var prob = new float[n];
        var act = new float[n];
        var label = new int[n];
        for (int start = 0; start < n; start += o.BatchSize)
        {
            int b = Math.Min(o.BatchSize, n - start);
            var batch = new float[b * per];
            for (int i = 0; i < b; i++)
            {
                int r = (start + i) / xs.Length, c = (start + i) % xs.Length;
                NetQueries.Occlude(image, batch.AsSpan(i * per, per), s.C, s.H, s.W, new Box(ys[r], xs[c], ys[r] + o.Size, xs[c] + o.Size), fillValues);
            }
            using var xt = Tensor.FromArray(net.Backend, new Shape(b, s.C, s.H, s.W), batch);
            using var pass = net.Forward(xt);
            var probs = NetQueries.Probabilities(net, pass);
            classes = probs.Length / b;
            var a = pass[layer].ToArray();
            for (int i = 0; i < b; i++)
            {
                var row = probs.AsSpan(i * classes, classes);
                prob[start + i] = row[cls];
                label[start + i] = NetQueries.ArgMax(row);
                act[start + i] = MapSum(a, dims, i, map);
            }
            progress?.Invoke(b);
        }
        return new OcclusionResult(ys.Length, xs.Length, ys, xs, o.Size, prob, act, label, cls, layer, map, baseP, baseA, baseLabel, fill);
    }

    /// <summary>Sum of feature map <paramref name="map"/> of image <paramref name="n"/> in a host copy of a layer output.</summary>
    private static float MapSum(float[] a, (int C, int H, int W) dims, int n, int map)
    {
        int plane = dims.H * dims.W;
        double sum = 0;
        foreach (var v in a.AsSpan((n * dims.C + map) * plane, plane)) sum += v;
        return (float)sum;
    }
}
