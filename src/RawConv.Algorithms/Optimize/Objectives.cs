using RawConv.Graph;
using RawConv.Ops;
using RawConv.Ops.Reference;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// A term of an objective on one layer's output Φ_l(x): its value, summed over the batch, and its gradient with
/// respect to that output (the seed the backward sweep starts from). <see cref="Weight"/> scales both when the
/// term is part of an <see cref="InputObjective"/>.
/// </summary>
public abstract record ObjectiveTerm
{
    /// <summary>Factor of this term in the objective.</summary>
    public float Weight { get; init; } = 1f;

    /// <summary>The layer whose output the term reads, in <paramref name="spec"/>.</summary>
    public abstract string LayerOf(NetSpec spec);

    /// <summary>The term's value and ∂value/∂Φ (unweighted) for activation <paramref name="a"/> of the layer.</summary>
    public abstract (double Value, Tensor Gradient) Evaluate(Tensor a);

    /// <summary>A short description for sidecars and logs ("class 3 score at fc8").</summary>
    public abstract string Describe(NetSpec spec);

    /// <summary>Index (c, y, x) of one unit in a (N, C, H, W) or (N, C) activation, per sample; checks ranges.</summary>
    protected static int Offset(Shape s, string layer, int c, int y, int x)
    {
        int ch = s[1], h = s.Rank == 4 ? s.H : 1, w = s.Rank == 4 ? s.W : 1;
        if (c < 0 || c >= ch) throw new RawConvException($"{layer}: channel {c} out of range (the layer has {ch})");
        if (y < 0 || y >= h || x < 0 || x >= w) throw new RawConvException($"{layer}: position ({y}, {x}) out of range (the layer is {h}×{w})");
        return (c * h + y) * w + x;
    }

    /// <summary>A host-built seed: <paramref name="perSample"/> (one sample's values) repeated over the batch of <paramref name="a"/>.</summary>
    protected static Tensor Repeat(Tensor a, float[] perSample)
    {
        int n = a.Shape[0];
        var all = new float[(long)n * perSample.Length];
        for (int i = 0; i < n; i++) perSample.CopyTo(all, (long)i * perSample.Length);
        return Tensor.FromArray(a.Backend, a.Shape, all);
    }

    /// <summary>Σ_n a[n, offset] over the batch, with a[n] of <paramref name="per"/> values.</summary>
    protected static double SumAt(float[] a, int per, int offset)
    {
        double s = 0;
        for (int i = offset; i < a.Length; i += per) s += a[i];
        return s;
    }
}

/// <summary>The pre-softmax score s_K of class <paramref name="Class"/> (Simonyan et al.'s class model objective), at the logits layer unless <paramref name="Layer"/> names one.</summary>
public sealed record ClassScore(int Class, string? Layer = null) : ObjectiveTerm
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer ?? spec.Roles.Logits;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        int per = (int)(a.Count / a.Shape[0]);
        int k = Offset(a.Shape, "class score", Class, 0, 0);
        var seed = new float[per];
        seed[k] = 1;
        return (SumAt(a.ToArray(), per, k), Repeat(a, seed));
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"class {Class} score at {LayerOf(spec)}";
}

/// <summary>
/// The softmax probability p_K of class <paramref name="Class"/> (or log p_K with <paramref name="Log"/>), computed from
/// the logits layer: ∂p_K/∂z = p_K (e_K − p), ∂log p_K/∂z = e_K − p.
/// </summary>
public sealed record ClassProbability(int Class, bool Log = false, string? Layer = null) : ObjectiveTerm
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer ?? spec.Roles.Logits;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        int n = a.Shape[0], per = (int)(a.Count / n);
        Offset(a.Shape, "class probability", Class, 0, 0);
        var z = a.ToArray();
        var g = new float[z.Length];
        double value = 0;
        for (int i = 0; i < n; i++)
        {
            var p = Softmax(z.AsSpan(i * per, per));
            double pk = p[Class];
            value += Log ? LogProbability(z.AsSpan(i * per, per), Class) : pk;
            for (int j = 0; j < per; j++)
            {
                double d = (j == Class ? 1 : 0) - p[j];
                g[i * per + j] = (float)(Log ? d : pk * d);
            }
        }
        return (value, Tensor.FromArray(a.Backend, a.Shape, g));
    }

    /// <summary>log softmax(z)_k as z_k − max − log Σ exp(z − max), finite where p_k underflows to 0.</summary>
    private static double LogProbability(ReadOnlySpan<float> z, int k)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var v in z) max = Math.Max(max, v);
        foreach (var v in z) sum += Math.Exp(v - max);
        return z[k] - max - Math.Log(sum);
    }

    /// <summary>Softmax of one row of logits in double (the reference op's, shifted by the maximum).</summary>
    public static double[] Softmax(ReadOnlySpan<float> z)
    {
        var x = new double[z.Length];
        for (int j = 0; j < z.Length; j++) x[j] = z[j];
        var p = new double[z.Length];
        SoftmaxRef.Forward<double>(x, p, 1, z.Length, 1, log: false);
        return p;
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"class {Class} {(Log ? "log-probability" : "probability")} from {LayerOf(spec)}";
}

/// <summary>One unit Φ_l(x)[c, y, x]; without a position, the centre of the map.</summary>
public sealed record UnitActivation(string Layer, int Channel, int? Y = null, int? X = null) : ObjectiveTerm
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        var (y, x) = Position(a.Shape);
        int per = (int)(a.Count / a.Shape[0]);
        int k = Offset(a.Shape, Layer, Channel, y, x);
        var seed = new float[per];
        seed[k] = 1;
        return (SumAt(a.ToArray(), per, k), Repeat(a, seed));
    }

    /// <summary>The unit's position in a layer output of shape <paramref name="s"/> (the centre when not given).</summary>
    public (int Y, int X) Position(Shape s)
    {
        int h = s.Rank == 4 ? s.H : 1, w = s.Rank == 4 ? s.W : 1;
        return (Y ?? h / 2, X ?? w / 2);
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"unit {Layer}:{Channel}" + (Y is { } y ? $" at ({y}, {X})" : " at the centre");
}

/// <summary>The mean over positions of feature map <paramref name="Channel"/> of <paramref name="Layer"/>.</summary>
public sealed record ChannelMean(string Layer, int Channel) : ObjectiveTerm
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        var s = a.Shape;
        int n = s[0], per = (int)(a.Count / n), hw = per / s[1];
        int start = Offset(s, Layer, Channel, 0, 0);
        var v = a.ToArray();
        var seed = new float[per];
        double value = 0;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < hw; p++) value += v[i * per + start + p];
        for (int p = 0; p < hw; p++) seed[start + p] = 1f / hw;
        return (value / hw, Repeat(a, seed));
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"mean of channel {Layer}:{Channel}";
}

/// <summary>
/// A direction in a layer's channel space: Σ_t w_t Φ_l(x)_t averaged over positions, or at one position (Szegedy et
/// al.'s random directions; Lucid's "direction" objective). <see cref="Random"/> draws a seeded unit vector.
/// </summary>
public sealed record Direction(string Layer, float[] Weights, int? Y = null, int? X = null) : ObjectiveTerm
{
    /// <summary>A seeded random direction of unit length over <paramref name="channels"/> channels (Gaussian components).</summary>
    public static float[] Random(int channels, int seed)
    {
        if (channels < 1) throw new RawConvException($"direction: {channels} channels");
        var rng = new Random(seed);
        var w = new double[channels];
        double norm = 0;
        for (int i = 0; i < channels; i++)
        {
            w[i] = Gaussian.Next(rng);
            norm += w[i] * w[i];
        }
        norm = Math.Sqrt(norm);
        return w.Select(v => (float)(v / norm)).ToArray();
    }

    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        var s = a.Shape;
        int n = s[0], c = s[1], per = (int)(a.Count / n), hw = per / c;
        if (Weights.Length != c) throw new RawConvException($"{Layer}: direction of {Weights.Length} components for {c} channels");
        var seed = new float[per];
        if (Y is { } y)
        {
            int at = Offset(s, Layer, 0, y, X ?? 0);
            for (int t = 0; t < c; t++) seed[t * hw + at] = Weights[t];
        }
        else
            for (int t = 0; t < c; t++)
                for (int p = 0; p < hw; p++) seed[t * hw + p] = Weights[t] / hw;
        var v = a.ToArray();
        double value = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < per; j++) value += (double)seed[j] * v[i * per + j];
        return (value, Repeat(a, seed));
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"direction in {Layer} ({Weights.Length} channels)" + (Y is { } y ? $" at ({y}, {X})" : "");
}

/// <summary>DeepDream's ½‖Φ_l(x)‖²: its gradient with respect to Φ is Φ itself.</summary>
public sealed record FeatureEnergy(string Layer) : ObjectiveTerm
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        double norm = Reduce.L2Norm(a);
        return (0.5 * norm * norm, a.Clone());
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"½‖{Layer}‖²";
}

/// <summary>
/// Mahendran–Vedaldi's reconstruction loss ‖Φ_l(x) − Φ₀‖² / ‖Φ₀‖² against a target code Φ₀ (of one image, or one per
/// sample): gradient 2(Φ − Φ₀)/‖Φ₀‖². The term owns <paramref name="Target"/>.
/// </summary>
public sealed record FeatureReconstruction(string Layer, Tensor Target) : ObjectiveTerm, IDisposable
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        if (a.Shape != Target.Shape) throw new RawConvException($"{Layer}: output {a.Shape} does not match the target code {Target.Shape}");
        double t = Reduce.L2Norm(Target);
        if (!(t > 0)) throw new RawConvException($"{Layer}: the target code is zero everywhere; the normalized error is undefined");
        var d = a.Clone();
        Elementwise.Axpy(-1f, Target, d);
        double e = Reduce.L2Norm(d);
        Elementwise.ScaleInPlace(d, (float)(2 / (t * t)));
        return (e * e / (t * t), d);
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"‖{Layer} − Φ₀‖²/‖Φ₀‖²";

    /// <summary>Releases the target code.</summary>
    public void Dispose() => Target.Dispose();
}
