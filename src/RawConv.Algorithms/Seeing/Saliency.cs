using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>How a saliency map is made.</summary>
public enum SaliencyMethod
{
    /// <summary>The gradient of the target w.r.t. the input (Simonyan et al. 2014).</summary>
    Gradient,
    /// <summary>The Zeiler–Fergus deconvnet rule at ReLUs: only positive signals pass, whatever the forward input was.</summary>
    Deconvnet,
    /// <summary>Guided backpropagation (Springenberg et al. 2015): positive signals where the forward input was positive.</summary>
    Guided,
    /// <summary>SmoothGrad (Smilkov et al. 2017): the <see cref="SaliencyOptions.BaseRule"/> map averaged over noisy copies of the input.</summary>
    SmoothGrad,
}

/// <summary>Reductions of an input-space (C, H, W) map to one (H, W) picture.</summary>
public enum SaliencyReduction
{
    /// <summary>Simonyan et al.: max over channels of |g| (non-negative).</summary>
    MaxAbs,
    /// <summary>Captum's visualize_image_attr: the signed sum over channels.</summary>
    Sum,
}

/// <summary>
/// What a saliency map explains. <see cref="Class"/>: one score of the logits layer (the layer before a
/// final softmax, else the last layer); with neither <see cref="Class"/> nor <see cref="Unit"/>, the
/// top-scoring class of each image. <see cref="Unit"/>: an activation of a layer, picked per image as
/// <see cref="Deconvnet.Pick"/> does (for <see cref="UnitMode.WholeMap"/>, the sum of the whole map).
/// </summary>
public sealed record SaliencyTarget(int? Class = null, UnitChoice? Unit = null)
{
    /// <summary>The top-scoring class of each image.</summary>
    public static SaliencyTarget TopClass { get; } = new();
    /// <summary>Class <paramref name="k"/> at the logits layer.</summary>
    public static SaliencyTarget OfClass(int k) => new(k);
    /// <summary>The strongest activation of feature map <paramref name="channel"/> of <paramref name="layer"/>.</summary>
    public static SaliencyTarget OfUnit(string layer, int channel) => new(null, UnitChoice.Unit(layer, channel));

    /// <summary>From the command line's --class K or --unit LAYER:CHANNEL (at most one of them; neither: top class).</summary>
    public static SaliencyTarget Parse(int? classIndex, string? unit)
    {
        if (classIndex is not null && unit is not null) throw new RawConvException("saliency: give either a class or a unit, not both");
        if (unit is null) return classIndex is { } k ? OfClass(k) : TopClass;
        int colon = unit.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(unit[(colon + 1)..], out int c))
            throw new RawConvException($"saliency: unit '{unit}' is not LAYER:CHANNEL (e.g. conv5:17)");
        return OfUnit(unit[..colon], c);
    }
}

/// <summary>
/// Saliency settings. <see cref="Samples"/>, <see cref="NoiseFraction"/>, <see cref="Seed"/> and
/// <see cref="BaseRule"/> apply to SmoothGrad: σ = NoiseFraction·(max x − min x) per image, noise drawn from
/// <see cref="Seed"/> (deterministic, independent of <see cref="BatchSize"/>), noisy copies run
/// <see cref="BatchSize"/> at a time.
/// </summary>
public sealed record SaliencyOptions(SaliencyMethod Method = SaliencyMethod.Gradient, int Samples = 25, float NoiseFraction = 0.15f,
    ulong Seed = 0, ReluRule BaseRule = ReluRule.Standard, int BatchSize = 16)
{
    /// <summary>The most SmoothGrad samples per image: the mean of 10,000 noisy gradients no longer changes visibly (Smilkov et al. use 50).</summary>
    public const int MaxSamples = 10_000;
}

/// <summary>
/// The target a map was made for, per image: the layer, whether it is a class score, the channel (the class),
/// position (0, 0 for fully connected layers; the strongest position for a whole map) and the clean input's value there.
/// </summary>
public sealed record SaliencyTargetUsed(string Layer, bool IsClass, int Channel, int Y, int X, float Score);

/// <summary>A batch of saliency maps: raw (N, C, H, W) in the network's input space, and the target of each image.</summary>
public sealed class SaliencyMap(Tensor map, SaliencyTargetUsed[] targets, SaliencyOptions options) : IDisposable
{
    /// <summary>The raw map, shaped like the input.</summary>
    public Tensor Map { get; } = map;
    /// <summary>The target per image.</summary>
    public SaliencyTargetUsed[] Targets { get; } = targets;
    /// <summary>The settings used.</summary>
    public SaliencyOptions Options { get; } = options;

    /// <summary>Image <paramref name="n"/>'s map reduced to (H, W).</summary>
    public float[] Reduced(int n, SaliencyReduction reduction)
    {
        var s = Map.Shape;
        int per = s.C * s.H * s.W;
        return Saliency.Reduce(Map.ToArray().AsSpan(n * per, per), s.C, s.H, s.W, reduction);
    }

    public void Dispose() => Map.Dispose();
}

/// <summary>
/// Input-space saliency: gradient, deconvnet and guided-backprop maps of a class score or a unit, and
/// SmoothGrad. The seed at the target is 1 (the map is d target / d input under the rule); projections that
/// keep an activation at its value are <see cref="Deconvnet.Project(Net, Tensor, UnitChoice, ReluRule)"/>.
/// </summary>
public static class Saliency
{
    /// <summary>The layer whose outputs are class scores: the one before a final softmax, else the last.</summary>
    public static string LogitsLayer(NetSpec spec) => spec.Roles.Logits;

    /// <summary>The ReLU rule of a method (SmoothGrad: <see cref="SaliencyOptions.BaseRule"/>).</summary>
    public static ReluRule RuleOf(SaliencyOptions o) => o.Method switch
    {
        SaliencyMethod.Gradient => ReluRule.Standard,
        SaliencyMethod.Deconvnet => ReluRule.Deconvnet,
        SaliencyMethod.Guided => ReluRule.Guided,
        _ => o.BaseRule,
    };

    /// <summary>
    /// Saliency maps of <paramref name="target"/> for every image of <paramref name="x"/>. The target (class or
    /// unit position) is chosen on the clean input; SmoothGrad keeps it fixed over the noisy copies.
    /// <paramref name="progress"/> is told how many forward/backward samples were done.
    /// </summary>
    public static SaliencyMap Compute(Net net, Tensor x, SaliencyTarget target, SaliencyOptions? options = null, Action<int>? progress = null)
    {
        var o = options ?? new SaliencyOptions();
        if (o.Samples < 1 || o.Samples > SaliencyOptions.MaxSamples) throw new RawConvException($"saliency: samples {o.Samples} — give 1 to {SaliencyOptions.MaxSamples}");
        if (x.Shape.Rank != 4 || x.Shape.N == 0) throw new RawConvException($"saliency: the input {x.Shape} holds no images (expected (N, C, H, W) with N ≥ 1)");
        if (!(o.NoiseFraction >= 0) || !float.IsFinite(o.NoiseFraction)) throw new RawConvException($"saliency: noise fraction {o.NoiseFraction} must be finite and ≥ 0");
        if (o.BatchSize < 1) throw new RawConvException($"saliency: batch size {o.BatchSize} must be at least 1");
        string layer = target.Unit?.Layer ?? LogitsLayer(net.Spec);
        net.Spec.IndexOf(layer); // names the layers when it is not there
        int n = x.Shape.N;
        SaliencyTargetUsed[] used;
        Shape layerShape;
        var rule = RuleOf(o);
        using (var pass = net.Forward(x, layer))
        {
            var a = pass[layer];
            layerShape = a.Shape;
            used = Targets(a.ToArray(), a.Shape, layer, target);
            if (o.Method != SaliencyMethod.SmoothGrad)
            {
                using var seed = Tensor.FromArray(net.Backend, a.Shape, Seed(a.Shape, used, target, 0, n));
                using var back = net.Backward(pass, layer, seed, rule);
                var g = back.InputGradient;
                progress?.Invoke(n);
                return new SaliencyMap(g.Clone(), used, o);
            }
        }
        return new SaliencyMap(Smooth(net, x, layer, layerShape, used, target, o, rule, progress), used, o);
    }

    /// <summary>
    /// Standard normal noise for copy <paramref name="sample"/> of image <paramref name="image"/>: a counter-based
    /// generator (SplitMix64, Box–Muller), so each copy's noise depends only on (seed, image, sample).
    /// </summary>
    public static float[] Noise(ulong seed, int image, int sample, int count)
    {
        var z = new float[count];
        ulong state = Mix(seed ^ Mix(((ulong)(uint)image << 32) | (uint)sample));
        for (int i = 0; i < count; i += 2)
        {
            double u1 = ((Mix(state += 0x9E3779B97F4A7C15UL) >> 11) + 1.0) / 9007199254740993.0; // (0, 1]
            double u2 = (Mix(state += 0x9E3779B97F4A7C15UL) >> 11) / 9007199254740992.0;        // [0, 1)
            double r = Math.Sqrt(-2 * Math.Log(u1));
            z[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count) z[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return z;
    }

    /// <summary>Reduces a (C, H, W) map to (H, W): Simonyan's max |g| over channels, or Captum's signed channel sum.</summary>
    public static float[] Reduce(ReadOnlySpan<float> chw, int c, int h, int w, SaliencyReduction reduction)
    {
        if (chw.Length != c * h * w) throw new RawConvException($"saliency: {chw.Length} values for ({c}, {h}, {w})");
        int plane = h * w;
        var r = new float[plane];
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < plane; p++)
            {
                float v = chw[ch * plane + p];
                r[p] = reduction == SaliencyReduction.Sum ? r[p] + v : Math.Max(r[p], Math.Abs(v));
            }
        return r;
    }

    private static SaliencyTargetUsed[] Targets(float[] a, Shape shape, string layer, SaliencyTarget target)
    {
        var dims = NetQueries.Dims(shape);
        int n = shape[0], per = dims.C * dims.H * dims.W;
        var used = new SaliencyTargetUsed[n];
        if (target.Unit is null && target.Class is { } k && (k < 0 || k >= dims.C))
            throw new RawConvException($"saliency: class {k} is outside layer '{layer}' with {dims.C} classes (0..{dims.C - 1})");
        for (int i = 0; i < n; i++)
        {
            var row = a.AsSpan(i * per, per);
            if (target.Unit is { } u)
            {
                var p = Deconvnet.Pick(row, dims, u);
                used[i] = new SaliencyTargetUsed(layer, false, p.Channel, p.Y, p.X, p.Value);
            }
            else
            {
                var p = Deconvnet.Pick(row, dims, target.Class is { } c ? UnitChoice.At(layer, c, 0, 0) : UnitChoice.Strongest(layer));
                used[i] = new SaliencyTargetUsed(layer, true, p.Channel, 0, 0, p.Value);
            }
        }
        return used;
    }

    /// <summary>A seed for images [from, from + count) of <paramref name="used"/>: 1 at each target (over the whole map for WholeMap).</summary>
    private static float[] Seed(Shape layerShape, SaliencyTargetUsed[] used, SaliencyTarget target, int from, int count, int copies = 1)
    {
        var (c, h, w) = NetQueries.Dims(layerShape);
        int per = c * h * w, plane = h * w;
        var seed = new float[count * copies * per];
        bool whole = target.Unit?.Mode == UnitMode.WholeMap;
        for (int j = 0; j < count * copies; j++)
        {
            var t = used[from + j / copies];
            if (whole) seed.AsSpan(j * per + t.Channel * plane, plane).Fill(1f);
            else seed[j * per + (t.Channel * h + t.Y) * w + t.X] = 1f;
        }
        return seed;
    }

    private static Tensor Smooth(Net net, Tensor x, string layer, Shape layerShape, SaliencyTargetUsed[] used, SaliencyTarget target,
        SaliencyOptions o, ReluRule rule, Action<int>? progress)
    {
        var s = x.Shape;
        int n = s.N, per = s.C * s.H * s.W;
        var host = x.ToArray();
        var sigma = new float[n];
        for (int i = 0; i < n; i++)
        {
            var img = host.AsSpan(i * per, per);
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (var v in img) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            sigma[i] = o.NoiseFraction * (hi - lo);
        }
        var sum = new double[n * per];
        int total = n * o.Samples;
        var layerPer = layerShape.Count / layerShape[0];
        for (int start = 0; start < total; start += o.BatchSize)
        {
            int b = Math.Min(o.BatchSize, total - start);
            var batch = new float[b * per];
            var seed = new float[b * layerPer];
            for (int j = 0; j < b; j++)
            {
                int i = (start + j) / o.Samples, sample = (start + j) % o.Samples;
                var z = Noise(o.Seed, i, sample, per);
                for (int k = 0; k < per; k++) batch[j * per + k] = host[i * per + k] + sigma[i] * z[k];
                Seed(layerShape, used, target, i, 1).CopyTo(seed, j * layerPer);
            }
            using var xb = Tensor.FromArray(net.Backend, new Shape(b, s.C, s.H, s.W), batch);
            using var pass = net.Forward(xb, layer);
            var shape = pass[layer].Shape;
            using var seedT = Tensor.FromArray(net.Backend, shape, seed);
            using var back = net.Backward(pass, layer, seedT, rule);
            var g = back.InputGradient.ToArray();
            for (int j = 0; j < b; j++)
            {
                int i = (start + j) / o.Samples;
                for (int k = 0; k < per; k++) sum[i * per + k] += g[j * per + k];
            }
            progress?.Invoke(b);
        }
        var mean = new float[sum.Length];
        for (int k = 0; k < mean.Length; k++) mean[k] = (float)(sum[k] / o.Samples);
        return Tensor.FromArray(net.Backend, s, mean);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
