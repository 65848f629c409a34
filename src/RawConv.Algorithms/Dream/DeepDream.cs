using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Dream;

/// <summary>
/// Settings of DeepDream, the values of Mordvintsev et al.'s notebook: <see cref="Octaves"/> scales a factor
/// <see cref="OctaveScale"/> apart, <see cref="Iterations"/> steps per octave, a random roll of up to
/// <see cref="Jitter"/> pixels per step, steps of <see cref="Step"/>·g / mean|g|, clipping to the pixel range.
/// </summary>
public sealed record DreamOptions
{
    /// <summary>Number of scales, the finest being the input's size.</summary>
    public int Octaves { get; init; } = 4;
    /// <summary>Size ratio between neighbouring octaves.</summary>
    public float OctaveScale { get; init; } = 1.4f;
    /// <summary>Gradient steps per octave.</summary>
    public int Iterations { get; init; } = 10;
    /// <summary>Largest random roll per step, in pixels (0: none).</summary>
    public int Jitter { get; init; } = 32;
    /// <summary>Step size relative to the mean absolute gradient.</summary>
    public float Step { get; init; } = 1.5f;
    /// <summary>Clipping after each step.</summary>
    public PixelClip Clip { get; init; } = PixelClip.Pixels;
    /// <summary>Seed of the rolls.</summary>
    public int Seed { get; init; }

    /// <summary>Checks ranges; errors name the option as the verb spells it.</summary>
    public DreamOptions Validate()
    {
        if (Octaves is < 1 or > 12) throw new RawConvException($"--octaves: {Octaves} must lie in 1–12");
        if (!(OctaveScale > 1 && OctaveScale <= 4)) throw new RawConvException($"--octave-scale: {OctaveScale} must lie in (1, 4]");
        if (Iterations is < 1 or > 10_000) throw new RawConvException($"--iterations: {Iterations} must lie in 1–10000");
        if (Jitter is < 0 or > 1000) throw new RawConvException($"--jitter: {Jitter} must lie in 0–1000 pixels");
        if (!(Step > 0) || !float.IsFinite(Step)) throw new RawConvException($"--step: {Step} must be a positive number");
        return this;
    }
}

/// <summary>The dreamed input (owned) and the objective before each step, octave by octave.</summary>
public sealed record DreamResult(Tensor Input, double[] History) : IDisposable
{
    /// <summary>Releases the input.</summary>
    public void Dispose() => Input.Dispose();
}

/// <summary>
/// DeepDream (Mordvintsev, Olah and Tyka 2015): gradient ascent on the input of an objective at one layer — by default
/// ½‖Φ_l(x)‖², or the guided objective — over a pyramid of octaves that carries the added detail up to the next scale.
/// Runs the network fully convolutionally, so the image may have any size the layer accepts.
/// </summary>
public static class DeepDream
{
    /// <summary>
    /// Dreams <paramref name="objective"/> into a copy of <paramref name="x0"/> (1, C, H, W); <paramref name="pre"/> (for C
    /// channels) gives the pixel range. <paramref name="progress"/> hears (octave, step, objective before the step).
    /// </summary>
    public static DreamResult Run(Net net, Preprocessing pre, ObjectiveTerm objective, Tensor x0, DreamOptions options,
        Action<int, int, double>? progress = null)
    {
        var o = options.Validate();
        if (x0.Shape.N != 1) throw new RawConvException($"dream: the input {x0.Shape} must hold one image");
        var goal = new InputObjective([objective], [], maximize: true);
        var rng = new Random(o.Seed + 1);
        var history = new List<double>();
        // The pyramid: octave 0 is the input; each next one 1/OctaveScale the size (bilinear, as scipy's zoom order 1).
        var bases = new List<Tensor> { x0.Clone() };
        Tensor? detail = null;
        try
        {
            for (int i = 1; i < o.Octaves; i++)
            {
                var s = bases[^1].Shape;
                int h = Math.Max(1, (int)Math.Round(s.H / o.OctaveScale)), w = Math.Max(1, (int)Math.Round(s.W / o.OctaveScale));
                bases.Add(Transforms.Resize(bases[^1], h, w));
            }
            for (int octave = bases.Count - 1; octave >= 0; octave--)
            {
                var b = bases[octave];
                var x = b.Clone();
                if (detail is not null)
                {
                    using var up = Transforms.Resize(detail, b.Shape.H, b.Shape.W);
                    Elementwise.Axpy(1f, up, x);
                    detail.Dispose();
                    detail = null;
                }
                try
                {
                    for (int it = 0; it < o.Iterations; it++)
                    {
                        int ox = o.Jitter > 0 ? rng.Next(-o.Jitter, o.Jitter + 1) : 0, oy = o.Jitter > 0 ? rng.Next(-o.Jitter, o.Jitter + 1) : 0;
                        double v = Step(net, goal, x, ox, oy, o.Step);
                        if (o.Clip == PixelClip.Pixels) InputSteps.ClipToPixels(x, pre);
                        history.Add(v);
                        progress?.Invoke(bases.Count - 1 - octave, it, v);
                    }
                }
                catch
                {
                    x.Dispose();
                    throw;
                }
                if (octave == 0) return new DreamResult(x, history.ToArray());
                detail = x;
                Elementwise.Axpy(-1f, b, detail);
            }
            throw new InvalidOperationException("unreachable: the finest octave returns");
        }
        catch
        {
            detail?.Dispose();
            throw;
        }
        finally
        {
            foreach (var b in bases) b.Dispose();
        }
    }

    /// <summary>
    /// One DeepDream step in place: roll <paramref name="x"/> by (<paramref name="oy"/>, <paramref name="ox"/>), take the
    /// objective's gradient g, add <paramref name="step"/>·g / mean|g|, roll back. Returns the objective before the step.
    /// </summary>
    public static double Step(Net net, InputObjective goal, Tensor x, int ox, int oy, float step)
    {
        if (ox != 0 || oy != 0) InputSteps.Roll(x, oy, ox);
        var (v, g) = goal.Evaluate(net, x);
        using (g)
        {
            double meanAbs = Reduce.SumAbs(g) / g.Count;
            if (meanAbs > 0) Elementwise.Axpy((float)(step / meanAbs), g, x);
        }
        if (ox != 0 || oy != 0) InputSteps.Roll(x, -oy, -ox);
        return v.Total;
    }
}
