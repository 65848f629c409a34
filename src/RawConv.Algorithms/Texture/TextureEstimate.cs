using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Texture;

public static partial class TextureSynthesis
{
    /// <summary>
    /// The memory and time <see cref="Run"/> will take on <paramref name="backend"/> for a source of shape
    /// <paramref name="source"/> (held by the caller throughout), from the shapes alone: the source's Gram matrices, then
    /// each scale's image with its rescaled copies of them (<see cref="RunEstimate.Of"/>).
    /// </summary>
    public static RunEstimate Estimate(NetSpec spec, IBackend backend, Shape source, TextureOptions options)
    {
        var o = options.Validate();
        string top = o.Layers.OrderBy(spec.IndexOf).Last();
        for (int k = 0; k < o.Scales; k++) Fits(spec, source.C, Sizes(o, k).H, Sizes(o, k).W, top, o);
        var terms = o.Layers.Select(l => new EstimateTerm(l, EstimateTermKind.Gram)).ToList();
        var images = Enumerable.Range(0, o.Scales).Select(k => Sizes(o, k)).Select(s => Shape.Nchw(1, source.C, s.H, s.W)).ToList();
        return RunEstimate.Of(new RunShape(spec, images, terms, o.Optimizer.Kind, o.Iterations, [new EstimateTargets(source, terms)],
            HeldBytes: source.Count * sizeof(float), TermsCopyTargets: true), backend);
    }
}
