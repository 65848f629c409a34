using RawConv.Algorithms.Training;
using System.Globalization;
using System.Text;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>Which family of transforms an invariance sweep walks through.</summary>
public enum TransformKind
{
    /// <summary>Shift by the amount in pixels along <see cref="InvarianceOptions.Axis"/>.</summary>
    Translate,
    /// <summary>Zoom about the centre by the amount (a ratio; 1 = unchanged).</summary>
    Scale,
    /// <summary>Counter-clockwise rotation about the centre by the amount in degrees.</summary>
    Rotate,
}

/// <summary>The direction of a translation sweep.</summary>
public enum TranslateAxis
{
    /// <summary>Horizontal (positive: right).</summary>
    X,
    /// <summary>Vertical (positive: down), as in Zeiler–Fergus Fig. 5.</summary>
    Y,
    /// <summary>Both at once by the same amount.</summary>
    Diagonal,
}

/// <summary>
/// Settings of an invariance sweep: the transform family and its amounts; the layers whose feature vectors
/// are compared (default: <see cref="Invariance.DefaultLayers"/>); the class whose probability is tracked, one
/// for all images or one per image (default: each image's top class untransformed); the fill outside the
/// image; and how many transformed copies go through the network at once.
/// </summary>
public sealed record InvarianceOptions(TransformKind Kind, double[] Amounts, string[]? Layers = null, int[]? Classes = null,
    FillMode Fill = FillMode.Zero, TranslateAxis Axis = TranslateAxis.X, int BatchSize = 32)
{
    /// <summary>The most amounts in one sweep: 1000 points already draw a smooth curve, and each costs a forward pass per image.</summary>
    public const int MaxSteps = 1000;

    /// <summary>The transform for one amount of this sweep.</summary>
    public InputTransform At(double amount) => Kind switch
    {
        TransformKind.Translate => Axis switch
        {
            TranslateAxis.X => InputTransform.Translate(amount, 0),
            TranslateAxis.Y => InputTransform.Translate(0, amount),
            _ => InputTransform.Translate(amount, amount),
        },
        TransformKind.Scale => InputTransform.Zoom(amount),
        _ => InputTransform.Rotate(amount),
    };

    /// <summary><paramref name="steps"/> evenly spaced amounts from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public static double[] Range(double from, double to, int steps)
    {
        if (steps < 1 || steps > MaxSteps) throw new RawConvException($"invariance: {steps} steps — give 1 to {MaxSteps}");
        if (!double.IsFinite(from) || !double.IsFinite(to) || !double.IsFinite(to - from))
            throw new RawConvException($"invariance: the range {from}:{to} is not finite — give finite amounts");
        return steps == 1 ? [from] : Enumerable.Range(0, steps).Select(i => i == steps - 1 ? to : from + (to - from) * i / (steps - 1)).ToArray();
    }
}

/// <summary>One row of an invariance table: image, amount, the distance per layer, P(class) and the top class of the transformed image.</summary>
public readonly record struct InvariancePoint(int Image, double Amount, double[] Distances, double Probability, int TopClass);

/// <summary>
/// The result of a sweep: per image and amount, the Euclidean distance ‖f(T(x)) − f(x)‖ between the
/// feature vectors of the transformed and the original image at each layer, and P(class | T(x)).
/// </summary>
public sealed class InvarianceResult(InvarianceOptions options, string[] layers, int[] classes, double[] amounts, InvariancePoint[] points)
{
    /// <summary>The settings used.</summary>
    public InvarianceOptions Options { get; } = options;
    /// <summary>The compared layers, in the order of <see cref="InvariancePoint.Distances"/>.</summary>
    public string[] Layers { get; } = layers;
    /// <summary>The tracked class per image.</summary>
    public int[] Classes { get; } = classes;
    /// <summary>The transform amounts, in order.</summary>
    public double[] Amounts { get; } = amounts;
    /// <summary>All rows, image-major then amount.</summary>
    public InvariancePoint[] Points { get; } = points;

    /// <summary>The rows of image <paramref name="image"/>, in amount order.</summary>
    public InvariancePoint[] Curve(int image) => Points.Skip(image * Amounts.Length).Take(Amounts.Length).ToArray();

    /// <summary>The table as CSV: image, transform, amount, one distance column per layer, p_class, class, top_class.</summary>
    public string ToCsv(IReadOnlyList<string>? imageNames = null)
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("image,transform,amount," + string.Join(",", Layers.Select(l => "distance_" + l)) + ",p_class,class,top_class\n");
        foreach (var p in Points)
        {
            string name = imageNames != null ? Quote(imageNames[p.Image]) : p.Image.ToString(ic);
            sb.Append(ic, $"{name},{Options.Kind.ToString().ToLowerInvariant()},{p.Amount:R},");
            foreach (var d in p.Distances) sb.Append(ic, $"{d:R},");
            sb.Append(ic, $"{p.Probability:R},{Classes[p.Image]},{p.TopClass}\n");
        }
        return sb.ToString();
    }

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";

    /// <summary>The table as float32 rows (image, amount, distances..., p_class, class, top_class): (rows, 5 + layers).</summary>
    public (int[] Shape, float[] Data) ToTable()
    {
        int cols = 5 + Layers.Length;
        var data = new float[Points.Length * cols];
        for (int r = 0; r < Points.Length; r++)
        {
            var p = Points[r];
            int o = r * cols;
            data[o] = p.Image; data[o + 1] = (float)p.Amount;
            for (int l = 0; l < Layers.Length; l++) data[o + 2 + l] = (float)p.Distances[l];
            data[o + 2 + Layers.Length] = (float)p.Probability;
            data[o + 3 + Layers.Length] = Classes[p.Image];
            data[o + 4 + Layers.Length] = p.TopClass;
        }
        return ([Points.Length, cols], data);
    }
}

/// <summary>
/// Zeiler–Fergus invariance curves (§4.1, Fig. 5): transform each input image by a range of amounts
/// (translation, scale, rotation), run the transformed copies through the network in bounded batches,
/// and measure how far the feature vector of a low and a high layer moves from the untransformed
/// image's, and how the probability of the true class changes. Sees only the graph API.
/// </summary>
public static class Invariance
{
    /// <summary>
    /// A low and a high layer to compare: the first pooling layer (else the first convolution) and the
    /// penultimate fully connected layer (fc7 in AlexNet; else the last fully connected or last layer).
    /// </summary>
    public static string[] DefaultLayers(NetSpec spec)
    {
        var roles = spec.Roles;
        string low = roles.FirstPool, high = roles.Penultimate;
        return low == high ? [low] : [low, high];
    }

    /// <summary>Runs the sweep for every image of <paramref name="x"/> (N, C, H, W); <paramref name="progress"/> gets the number of copies done.</summary>
    public static InvarianceResult Run(Net net, Tensor x, InvarianceOptions options, Action<int>? progress = null)
    {
        var s = x.Shape;
        if (s.Rank != 4) throw new RawConvException($"invariance: input {s} is not (N, C, H, W)");
        if (s.N == 0) throw new RawConvException($"invariance: the input {s} holds no images");
        if (options.Amounts is not { Length: > 0 }) throw new RawConvException("invariance: no transform amounts given");
        if (options.Amounts.Length > InvarianceOptions.MaxSteps)
            throw new RawConvException($"invariance: {options.Amounts.Length} amounts — give at most {InvarianceOptions.MaxSteps}");
        if (options.Amounts.FirstOrDefault(a => !double.IsFinite(a)) is var bad && !double.IsFinite(bad))
            throw new RawConvException($"invariance: the amount {bad} is not finite");
        if (options.BatchSize < 1) throw new RawConvException($"invariance: batch size {options.BatchSize} must be at least 1");
        var layers = options.Layers is { Length: > 0 } given ? given : DefaultLayers(net.Spec);
        foreach (var l in layers) net.Spec.IndexOf(l);
        int n = s.N, per = s.C * s.H * s.W, amounts = options.Amounts.Length;
        if (options.Classes is { } cl && cl.Length != 1 && cl.Length != n)
            throw new RawConvException($"invariance: {cl.Length} classes given for {n} images (give one, or one per image)");
        using var onNet = ReferenceEquals(x.Backend, net.Backend) ? null : x.To(net.Backend);
        var src = onNet ?? x;

        // The originals go through with the same batch size as the copies, so that a copy identical to its
        // original gives bit-identical features whatever the backend's batching does.
        int batch = Math.Min(options.BatchSize, Math.Max(n, n * amounts));
        BatchMemory.Check(net, batch, "invariance: batch size");
        var (origFeat, origProb) = Features(net, layers, src, Enumerable.Range(0, n).ToArray(), per, batch);
        int numClasses = origProb.Length / n;
        var classes = new int[n];
        for (int i = 0; i < n; i++)
        {
            classes[i] = options.Classes is { } c ? c[c.Length == 1 ? 0 : i] : NetQueries.ArgMax(origProb.AsSpan(i * numClasses, numClasses));
            if (classes[i] < 0 || classes[i] >= numClasses)
                throw new RawConvException($"invariance: class {classes[i]} is outside the {numClasses} classes of {net.Spec.Name} — give 0 to {numClasses - 1}");
        }

        var points = new InvariancePoint[n * amounts];
        for (int start = 0; start < n * amounts; start += batch)
        {
            int count = Math.Min(batch, n * amounts - start);
            var images = Enumerable.Range(start, count).Select(k => k / amounts).ToArray();
            var moves = Enumerable.Range(start, count).Select(k => options.At(options.Amounts[k % amounts])).ToArray();
            var (feat, prob) = Features(net, layers, src, images, per, batch, moves, options.Fill);
            for (int k = 0; k < count; k++)
            {
                int i = (start + k) / amounts, a = (start + k) % amounts;
                var d = new double[layers.Length];
                for (int l = 0; l < layers.Length; l++)
                {
                    int dim = feat[l].Length / count;
                    d[l] = Distance(feat[l].AsSpan(k * dim, dim), origFeat[l].AsSpan(i * dim, dim));
                }
                var pk = prob.AsSpan(k * numClasses, numClasses);
                points[start + k] = new InvariancePoint(i, options.Amounts[a], d, pk[classes[i]], NetQueries.ArgMax(pk));
            }
            progress?.Invoke(count);
        }
        return new InvarianceResult(options, layers, classes, options.Amounts.ToArray(), points);
    }

    /// <summary>Euclidean distance, accumulated in double.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Features of the chosen layers and class probabilities of the given images of <paramref name="x"/> (each moved by
    /// its transform, when given, on the device), run in batches of <paramref name="batch"/> padded with zero images.
    /// </summary>
    private static (float[][] Features, float[] Probs) Features(Net net, string[] layers, Tensor x, int[] images, int per, int batch,
        InputTransform[]? moves = null, FillMode fill = FillMode.Zero)
    {
        var s = x.Shape;
        var feats = layers.Select(_ => new List<float>()).ToArray();
        var probs = new List<float>();
        for (int start = 0; start < images.Length; start += batch)
        {
            int m = Math.Min(batch, images.Length - start);
            using var copies = Tensor.Zeros(net.Backend, Shape.Nchw(batch, s.C, s.H, s.W));
            for (int k = 0; k < m; k++) net.Backend.Copy(x.Buffer, (long)images[start + k] * per, copies.Buffer, (long)k * per, per);
            // The padding copies are zero images under the identity, as the host path padded with zeros.
            using var moved = moves is null ? null
                : Transforms.Apply(copies, Enumerable.Range(start, batch).Select(k => k < images.Length ? moves[k] : InputTransform.Identity).ToArray(), fill);
            using var pass = net.Forward(moved ?? copies);
            for (int l = 0; l < layers.Length; l++)
            {
                var a = pass[layers[l]].ToArray();
                feats[l].AddRange(a.AsSpan(0, a.Length / batch * m));
            }
            var p = NetQueries.Probabilities(net, pass);
            probs.AddRange(p.AsSpan(0, p.Length / batch * m));
        }
        return (feats.Select(f => f.ToArray()).ToArray(), probs.ToArray());
    }
}
