using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Optimize;

/// <summary>
/// Gatys et al.'s content loss ½ Σ (F − P)² at one layer, F the layer's output for x and P the content image's:
/// gradient F − P. The term owns <paramref name="Target"/> (one image's output, or one per sample).
/// </summary>
public sealed record ContentLoss(string Layer, Tensor Target) : ObjectiveTerm, IDisposable
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        var target = StyleTargets.Batched(Target, a.Shape[0], Layer, a.Shape, "content");
        var d = a.Clone();
        Elementwise.Axpy(-1f, target, d);
        if (!ReferenceEquals(target, Target)) target.Dispose();
        double e = Reduce.L2Norm(d);
        return (0.5 * e * e, d);
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"½‖{Layer} − P‖²";

    /// <summary>Releases the target.</summary>
    public void Dispose() => Target.Dispose();
}

/// <summary>
/// Gatys et al.'s style (texture) loss at one of <paramref name="LayerCount"/> layers: (1/L) · 1/(4 N² M²) · Σ (G − A)²,
/// G = F·Fᵀ the un-normalized Gram matrix of the layer's output F (N channels, M = H·W positions) per sample and A
/// the target's (<see cref="StyleTargets.Gram"/>). Gradient (1/L) · (G − A)·F / (N² M²), through <see cref="Gram.Backward"/>
/// on the device. The term owns <paramref name="TargetGram"/>, (1, C, C) or one per sample.
/// </summary>
public sealed record StyleLoss(string Layer, Tensor TargetGram, int LayerCount) : ObjectiveTerm, IDisposable
{
    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        if (LayerCount < 1) throw new RawConvException($"{Layer}: style loss over {LayerCount} layers; give at least one");
        if (a.Shape.Rank != 4) throw new RawConvException($"{Layer}: output {a.Shape} is not a (N, C, H, W) feature map; a Gram matrix needs one");
        int n = a.Shape[0], c = a.Shape[1];
        double m = (double)a.Shape.H * a.Shape.W;
        var target = StyleTargets.Batched(TargetGram, n, Layer, new Shape(n, c, c), "style Gram");
        using var d = Gram.Forward(a);
        Elementwise.Axpy(-1f, target, d);
        if (!ReferenceEquals(target, TargetGram)) target.Dispose();
        double e = Reduce.L2Norm(d);
        double k = 1.0 / (LayerCount * 4.0 * c * c * m * m);
        Elementwise.ScaleInPlace(d, (float)(2 * k));
        return (k * e * e, Gram.Backward(a, d));
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"(1/{LayerCount})·‖G({Layer}) − A‖²/(4N²M²)";

    /// <summary>Releases the target Gram matrix.</summary>
    public void Dispose() => TargetGram.Dispose();
}

/// <summary>Targets of the content and style losses, read from the network.</summary>
public static class StyleTargets
{
    /// <summary>The un-normalized Gram matrices F·Fᵀ (N, C, C) of <paramref name="image"/> at each of <paramref name="layers"/>, one forward pass.</summary>
    public static Tensor[] Gram(Net net, Tensor image, IReadOnlyList<string> layers)
    {
        var spec = net.Spec;
        using var pass = net.Forward(image, layers.OrderBy(spec.IndexOf).Last());
        return layers.Select(l =>
        {
            var f = pass[l];
            if (f.Shape.Rank != 4) throw new RawConvException($"{l}: output {f.Shape} is not a (N, C, H, W) feature map; a Gram matrix needs one");
            return Ops.Gram.Forward(f);
        }).ToArray();
    }

    /// <summary>
    /// <paramref name="target"/> as a batch of <paramref name="n"/>: itself when it already has the shape, else a new
    /// tensor repeating its one sample; throws naming the layer when the shapes disagree.
    /// </summary>
    internal static Tensor Batched(Tensor target, int n, string layer, Shape want, string what)
    {
        if (target.Shape == want) return target;
        if (target.Shape[0] != 1 || target.Shape.Rank != want.Rank || !target.Shape.Dims.Skip(1).SequenceEqual(want.Dims.Skip(1)))
            throw new RawConvException($"{layer}: {what} target {target.Shape} does not match {want}");
        var one = target.ToArray();
        var all = new float[one.Length * (long)n];
        for (int i = 0; i < n; i++) one.CopyTo(all, (long)i * one.Length);
        return Tensor.FromArray(target.Backend, want, all);
    }
}
