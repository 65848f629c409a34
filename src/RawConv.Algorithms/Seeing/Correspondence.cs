using RawConv.Graph;

namespace RawConv.Algorithms.Seeing;

/// <summary>Settings of a correspondence measurement: layers, random draws R and their seed, fill, images per forward.</summary>
public sealed record CorrespondenceOptions(IReadOnlyList<string> Layers, int Random = 50, int Seed = 1, OcclusionFill? Fill = null, int BatchSize = 32);

/// <summary>
/// Δ at one layer: <see cref="Delta"/> for the given part, Σ over unordered pairs i &lt; j of
/// Hamming(sign ε_i, sign ε_j) (not normalized; ZF's Σ over i ≠ j is 2Δ); <see cref="Pairs"/> = n(n−1)/2;
/// <see cref="Dimension"/> = length of a feature vector; the same Δ for each random draw, with their mean
/// and standard deviation (n − 1 denominator; 0 for one draw; both 0 without draws).
/// </summary>
public sealed record LayerConsistency(string Layer, int Dimension, long Delta, int Pairs, long[] RandomDeltas, double RandomMean, double RandomStd)
{
    /// <summary>Δ / pairs: the mean Hamming distance of one pair of sign vectors.</summary>
    public double DeltaPerPair => (double)Delta / Pairs;
    /// <summary>Mean random Δ / pairs.</summary>
    public double RandomMeanPerPair => RandomMean / Pairs;
    /// <summary>Standard deviation of the random Δ / pairs.</summary>
    public double RandomStdPerPair => RandomStd / Pairs;
}

/// <summary>The result: per layer consistencies, the part boxes, and the random boxes per draw (draw × image).</summary>
public sealed record CorrespondenceResult(IReadOnlyList<LayerConsistency> Layers, Box[] Boxes, Box[][] RandomBoxes, OcclusionFill Fill, int Seed);

/// <summary>
/// Correspondence analysis (Zeiler &amp; Fergus 2014, §4.3): occlude the same object part in several images
/// and measure how consistently the layer-l feature vector changes: ε_i = x_i^l − x̃_i^l (original minus
/// occluded), Δ_l = Σ_{i&lt;j} Hamming(sign ε_i, sign ε_j) with sign(0) = 0. A lower Δ than for boxes of
/// the same sizes at random positions means the net ties the part to the same features across images.
/// </summary>
public static class Correspondence
{
    /// <summary>sign(original − occluded) per element: −1, 0 or +1.</summary>
    public static sbyte[] Signs(ReadOnlySpan<float> original, ReadOnlySpan<float> occluded)
    {
        if (original.Length != occluded.Length) throw new RawConvException($"correspondence: feature vectors of {original.Length} and {occluded.Length} values");
        var s = new sbyte[original.Length];
        for (int i = 0; i < s.Length; i++)
        {
            float e = original[i] - occluded[i];
            s[i] = (sbyte)(e > 0 ? 1 : e < 0 ? -1 : 0);
        }
        return s;
    }

    /// <summary>Number of positions where two sign vectors differ.</summary>
    public static long Hamming(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        if (a.Length != b.Length) throw new RawConvException($"correspondence: sign vectors of {a.Length} and {b.Length} values");
        long d = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) d++;
        return d;
    }

    /// <summary>Δ = Σ over unordered pairs i &lt; j of Hamming(<paramref name="signs"/>[i], <paramref name="signs"/>[j]).</summary>
    public static long Delta(IReadOnlyList<sbyte[]> signs)
    {
        long d = 0;
        for (int i = 0; i < signs.Count; i++)
            for (int j = i + 1; j < signs.Count; j++) d += Hamming(signs[i], signs[j]);
        return d;
    }

    /// <summary>
    /// <paramref name="draws"/> sets of random boxes (draw × image): image i's box keeps the size of
    /// <paramref name="boxes"/>[i] and gets a uniformly random top-left corner inside the h × w input,
    /// drawn from System.Random(<paramref name="seed"/>) in draw-then-image order, y before x.
    /// </summary>
    public static Box[][] RandomBoxes(IReadOnlyList<Box> boxes, int h, int w, int draws, int seed)
    {
        var rng = new Random(seed);
        var r = new Box[draws][];
        for (int d = 0; d < draws; d++)
        {
            r[d] = new Box[boxes.Count];
            for (int i = 0; i < boxes.Count; i++)
            {
                var b = boxes[i];
                int y = rng.Next(0, h - b.Height + 1), x = rng.Next(0, w - b.Width + 1);
                r[d][i] = new Box(y, x, y + b.Height, x + b.Width);
            }
        }
        return r;
    }

    /// <summary>
    /// Measures Δ at each layer of <paramref name="options"/> for the images of <paramref name="x"/> (N, C, H, W),
    /// preprocessed with <paramref name="pre"/>, with <paramref name="boxes"/>[i] occluded in image i, and for
    /// the random draws. <paramref name="progress"/> gets the number of occluded images done after each batch.
    /// </summary>
    public static CorrespondenceResult Run(Net net, Tensor x, IReadOnlyList<Box> boxes, Preprocessing pre, CorrespondenceOptions options, Action<int>? progress = null)
    {
        var s = x.Shape;
        if (s.Rank != 4) throw new RawConvException($"correspondence: input {s} is not (N, C, H, W)");
        int n = s.N;
        if (s != net.Spec.InputShape(n)) throw new RawConvException($"correspondence: input {s} does not match the input {net.Spec.InputShape(n)} of {net.Spec.Name}");
        if (n < 2) throw new RawConvException($"correspondence: needs at least 2 images, got {n} — give two or more images of one kind of object");
        if (boxes.Count != n) throw new RawConvException($"correspondence: {n} images but {boxes.Count} boxes (one box per image)");
        for (int i = 0; i < n; i++) boxes[i].Check(s.H, s.W, $"correspondence: image {i}");
        if (options.Layers.Count == 0) throw new RawConvException("correspondence: no layer given");
        if (options.Random < 0 || options.BatchSize < 1) throw new RawConvException($"correspondence: random draws {options.Random} must be ≥ 0 and batch size {options.BatchSize} ≥ 1");
        var layers = options.Layers.ToArray();
        string until = layers.MaxBy(net.Spec.IndexOf)!;
        var fill = options.Fill ?? OcclusionFill.Grey;
        var fillValues = fill.Values(pre, s.C);
        var random = RandomBoxes(boxes, s.H, s.W, options.Random, options.Seed);

        float[][] original;
        using (var pass = net.Forward(x, until)) original = layers.Select(l => pass[l].ToArray()).ToArray();
        var dim = layers.Select((l, k) => original[k].Length / n).ToArray();

        // Job j: image j % n occluded by the part box (j < n) or by draw j / n − 1's box; signs[layer][j].
        int jobs = n * (options.Random + 1), per = s.C * s.H * s.W;
        var signs = layers.Select(_ => new sbyte[jobs][]).ToArray();
        var image = x.ToArray();
        for (int start = 0; start < jobs; start += options.BatchSize)
        {
            int b = Math.Min(options.BatchSize, jobs - start);
            var batch = new float[b * per];
            for (int k = 0; k < b; k++)
            {
                int j = start + k, i = j % n;
                var box = j < n ? boxes[i] : random[j / n - 1][i];
                NetQueries.Occlude(image.AsSpan(i * per, per), batch.AsSpan(k * per, per), s.C, s.H, s.W, box, fillValues);
            }
            using var xt = Tensor.FromArray(net.Backend, new Shape(b, s.C, s.H, s.W), batch);
            using var pass = net.Forward(xt, until);
            for (int l = 0; l < layers.Length; l++)
            {
                var occluded = pass[layers[l]].ToArray();
                for (int k = 0; k < b; k++)
                {
                    int j = start + k, i = j % n;
                    signs[l][j] = Signs(original[l].AsSpan(i * dim[l], dim[l]), occluded.AsSpan(k * dim[l], dim[l]));
                }
            }
            progress?.Invoke(b);
        }

        var result = new List<LayerConsistency>();
        for (int l = 0; l < layers.Length; l++)
        {
            long part = Delta(signs[l][..n]);
            var rd = Enumerable.Range(1, options.Random).Select(d => Delta(signs[l][(d * n)..((d + 1) * n)])).ToArray();
            double mean = rd.Length > 0 ? rd.Average() : 0;
            double std = rd.Length > 1 ? Math.Sqrt(rd.Sum(v => (v - mean) * (v - mean)) / (rd.Length - 1)) : 0;
            result.Add(new LayerConsistency(layers[l], dim[l], part, n * (n - 1) / 2, rd, mean, std));
        }
        return new CorrespondenceResult(result, [.. boxes], random, fill, options.Seed);
    }
}
