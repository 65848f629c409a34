using RawConv.Graph;

namespace RawConv.Algorithms.Optimize;

/// <summary>What a loss term reads at its layer: the Gram matrix of the output (style, texture) or the output itself (content).</summary>
public enum EstimateTermKind
{
    /// <summary>A Gram-matrix term (<see cref="StyleLoss"/>): a C×C target.</summary>
    Gram,
    /// <summary>A feature term (<see cref="ContentLoss"/>): a target shaped like the layer's output.</summary>
    Content,
}

/// <summary>A loss term of an estimated run: its layer and what it reads there.</summary>
public sealed record EstimateTerm(string Layer, EstimateTermKind Kind);

/// <summary>
/// A forward pass that makes targets before the loop (a source or style image's Gram matrices, a content image's features),
/// kept for the run; <paramref name="Kept"/> false: freed once made (summed into an earlier pass's kept targets, as a second
/// style's Gram matrices into the blend, or copied per image by the terms).
/// </summary>
public sealed record EstimateTargets(Shape Input, IReadOnlyList<EstimateTerm> Terms, bool Kept = true);

/// <summary>
/// An input-optimization run as the estimate sees it: the network, the image optimized at each scale in order (one entry
/// without a coarse-to-fine schedule), the loss terms, the optimizer and its steps per scale, the target passes made
/// first, device bytes the caller holds throughout (the source image), whether each loss term holds its own copy of its
/// target (texture rescales the Gram targets per scale), a total-variation penalty on the image, and the result put
/// together on the device at the end in place of the last image (<paramref name="Output"/>: a tiled run's whole image).
/// </summary>
public sealed record RunShape(NetSpec Spec, IReadOnlyList<Shape> Images, IReadOnlyList<EstimateTerm> Terms, OptimizerKind Optimizer, int Iterations,
    IReadOnlyList<EstimateTargets> Targets, long HeldBytes = 0, bool TermsCopyTargets = false, bool TotalVariation = false, Shape? Output = null);

/// <summary>
/// Memory and time of an input-optimization run, worked out from the graph before anything is allocated.
/// <see cref="DeviceBytes"/>: the most device memory held at once (as <see cref="DeviceMemory.Peak"/> counts it: weights,
/// targets, image, optimizer moments, the forward pass and gradients of the worst moment, convolution scratch), from
/// <see cref="MemoryWalk"/>. <see cref="HostBytes"/>: the optimizer's host state (L-BFGS keeps its history of m step and
/// gradient-change pairs and its line-search vectors as host doubles). <see cref="Seconds"/> is a rough figure:
/// <see cref="MultiplyAdds"/> at <see cref="MultiplyAddsPerSecond"/>, a stated rate per kind of device, not a measurement of this one.
/// </summary>
public sealed record RunEstimate(long DeviceBytes, long HostBytes, long MultiplyAdds, double MultiplyAddsPerSecond)
{
    /// <summary>Estimated seconds of the run.</summary>
    public double Seconds => MultiplyAdds / MultiplyAddsPerSecond;

    /// <summary>
    /// Multiply-adds per second assumed on <paramref name="backend"/>: the reference loops 0.4 G; PoCL on CPU cores 2.5 G
    /// per compute unit (measured for texture synthesis on VGG-19's first blocks at 64–128 px on this project's 2-core
    /// machine, where small convolutions run well below the ≈100 G per core of AlexNet's at batch 32); a GPU 2000 G
    /// (an assumed fifth of an H100's fp32 peak, not measured).
    /// </summary>
    public static double RateOf(IBackend backend) => backend switch
    {
        IKernelBackend { Info.Class: DeviceClass.Gpu } => 2e12,
        IKernelBackend k => 2.5e9 * Math.Max(1, k.Info.ComputeUnits),
        _ => 4e8,
    };

    /// <summary>
    /// The estimate of <paramref name="run"/> on <paramref name="backend"/>. Evaluations per step: 1 for Adam and SGD, 2 for
    /// L-BFGS (the step's own point and at least one line-search trial); each costs the forward multiply-adds twice (the
    /// backward sweep computes data gradients only, about as many as the forward) plus the Gram matrices and their gradients.
    /// </summary>
    public static RunEstimate Of(RunShape run, IBackend backend)
    {
        var spec = run.Spec;
        if (run.Terms.Count == 0) throw new RawConvException("estimate: no loss term; give at least one layer");
        var walk = new MemoryWalk(spec, (backend as IKernelBackend)?.Tuning);
        walk.Alloc(MemoryWalk.WeightBytes(spec) + run.HeldBytes);
        var terms = run.Terms.Select(t => (spec.IndexOf(t.Layer), t.Kind)).ToList();
        int top = terms.Max(t => t.Item1);
        long macs = 0;
        foreach (var target in run.Targets)
        {
            int targetTop = target.Terms.Max(t => spec.IndexOf(t.Layer));
            long kept = walk.Forward(target.Input, targetTop);
            var shapes = spec.Shapes(target.Input, spec.Layers[targetTop].Name);
            long made = target.Terms.Sum(t => TargetBytes(t.Kind, shapes[spec.IndexOf(t.Layer) + 1]));
            walk.Alloc(made);
            walk.Free(kept);
            if (!target.Kept) walk.Free(made);
            macs += ForwardMacs(spec, target.Input, targetTop) + TermMacs(spec, target.Input, target.Terms.Select(t => (spec.IndexOf(t.Layer), t.Kind)).ToList(), 1);
        }
        int perStep = run.Optimizer == OptimizerKind.Lbfgs ? 2 : 1;
        long host = 0, image = 0;
        foreach (var shape in run.Images)
        {
            walk.Alloc(MemoryWalk.Bytes(shape));
            walk.Free(image);
            image = MemoryWalk.Bytes(shape);
            var outs = spec.Shapes(shape, spec.Layers[top].Name);
            long copies = run.TermsCopyTargets ? terms.Sum(t => TargetBytes(t.Kind, outs[t.Item1 + 1])) : 0;
            long moments = run.Optimizer == OptimizerKind.Lbfgs ? 0 : (run.Optimizer == OptimizerKind.Adam ? 2 : 1) * image;
            walk.Alloc(copies + moments);
            // Two evaluations: the convolution scratch reaches its size in the first, the second sees it all held.
            for (int e = 0; e < Math.Min(2, Math.Max(1, run.Iterations)); e++)
            {
                walk.Evaluate(shape, terms);
                if (run.TotalVariation) walk.TotalVariation(shape);
                walk.Free(image);
            }
            walk.Free(copies + moments);
            long evals = (long)run.Iterations * perStep;
            macs += evals * (2 * ForwardMacs(spec, shape, top) + TermMacs(spec, shape, terms, 2))
                + 2 * (ForwardMacs(spec, shape, top) + TermMacs(spec, shape, terms, 1));
            if (run.Optimizer == OptimizerKind.Lbfgs)
                host = Math.Max(host, (2L * OptimizerSettings.LbfgsHistory + 12) * sizeof(double) * shape.Count);
        }
        if (run.Output is { } output)
        {
            walk.Alloc(MemoryWalk.Bytes(output));
            walk.Free(image);
        }
        return new RunEstimate(walk.Peak, host, macs, RateOf(backend));
    }

    private static long TargetBytes(EstimateTermKind kind, Shape output) =>
        kind == EstimateTermKind.Gram ? MemoryWalk.GramBytes(output) : MemoryWalk.Bytes(output);

    /// <summary>Σ of the layers' multiply-adds from the input to layer index <paramref name="top"/>.</summary>
    public static long ForwardMacs(NetSpec spec, Shape input, int top)
    {
        var shapes = spec.Shapes(input, spec.Layers[top].Name);
        long macs = 0;
        for (int i = 0; i <= top; i++) macs += spec.Layers[i].MultiplyAdds(shapes[i]);
        return macs;
    }

    /// <summary>C²·M per Gram matrix (forward) times <paramref name="passes"/> (2 with its gradient).</summary>
    private static long TermMacs(NetSpec spec, Shape input, IReadOnlyList<(int Layer, EstimateTermKind Kind)> terms, int passes)
    {
        var shapes = spec.Shapes(input, spec.Layers[terms.Max(t => t.Layer)].Name);
        return terms.Where(t => t.Kind == EstimateTermKind.Gram)
            .Sum(t => { var s = shapes[t.Layer + 1]; return passes * (long)s.C * s.C * s.H * s.W; });
    }
}
