using RawConv.Algorithms.Optimize;

namespace RawConv.Algorithms.Maximize;

/// <summary>
/// A named set of activation-maximization settings from a publication: the settings for class targets and for unit,
/// channel and direction targets, and the input units they were stated in (<see cref="SourceUnitsPerGrey"/>: input
/// units per grey level of the network they came from; 1 for Caffe's 0–255 inputs). <see cref="For"/> converts them to
/// the model at hand so the same preset takes the same steps in pixel space on any preprocessing.
/// </summary>
public sealed record MaximizePreset(string Name, string Source, string Summary, float SourceUnitsPerGrey, MaximizeOptions ForClass, MaximizeOptions ForUnit)
{
    /// <summary>
    /// The settings for <paramref name="target"/> on a model with preprocessing <paramref name="pre"/> (for its input
    /// channels). With r = the model's input units per grey level ÷ <see cref="SourceUnitsPerGrey"/>, SGD's learning rate
    /// scales by r² (a step moves the input by η·∂s/∂x, and ∂s/∂x scales by 1/r), Adam's by r (its steps are about η in
    /// input units), the α-norm weight by r^−α and the total-variation weight by r^−β; L-BFGS (a line search) and the
    /// Fourier parameterization (a sigmoid into the pixel range) need no conversion.
    /// </summary>
    public MaximizeOptions For(ObjectiveTerm target, Preprocessing pre)
    {
        var o = target is ClassScore or ClassProbability ? ForClass : ForUnit;
        double units = Enumerable.Range(0, pre.Mean.Length).Average(c => Math.Abs(pre.Normalize(1, c) - pre.Normalize(0, c)));
        double r = units / SourceUnitsPerGrey;
        if (Math.Abs(r - 1) < 1e-5) return o;
        double lr = o.Optimizer.LearningRate;
        if (o.Parameterization == InputParameterization.Pixels)
            lr *= o.Optimizer.Kind switch { OptimizerKind.Sgd => r * r, OptimizerKind.Adam => r, _ => 1 };
        return o with
        {
            Optimizer = o.Optimizer with { LearningRate = (float)lr },
            L2 = (float)(o.L2 / Math.Pow(r, o.Alpha)),
            Tv = (float)(o.Tv / Math.Pow(r, o.TvBeta)),
        };
    }
}

/// <summary>The published settings of activation maximization as named presets (rawconv maximize --preset).</summary>
public static class MaximizePresets
{
    /// <summary>RawConv's own: tuned on the default model (every class model reaches P ≥ 0.99; a test checks it), in its units (1/255 per grey level).</summary>
    public static MaximizePreset Default { get; } = new("default", "RawConv, tuned on the default model",
        "SGD (lr 0.5, momentum 0.9), 400 steps, L2 0.05 and TV (β = 2) 0.05, blur σ = 1 every 4 steps, jitter 4, clipping to the pixel range; " +
        "units, channels and directions: lr 20, L2 and TV 0.0005 (a channel mean's gradient is about 1/(H·W) of a class score's)",
        1f / 255f, new MaximizeOptions(), new MaximizeOptions { Optimizer = new(OptimizerKind.Sgd, 20f, 0.9f), L2 = 0.0005f, Tv = 0.0005f });

    /// <summary>Simonyan, Vedaldi and Zisserman 2014, §2: the L2-regularized class score by plain gradient ascent, nothing else.</summary>
    public static MaximizePreset Simonyan { get; } = new("simonyan", "Simonyan, Vedaldi & Zisserman 2014, \"Deep Inside Convolutional Networks\", §2",
        "argmax S_c(I) − λ‖I‖² by gradient ascent (SGD without momentum), 400 steps, no blur, jitter, TV or clipping; the paper gives neither λ nor the " +
        "step, so lr 5 and λ = 0.05 are ours, stated in the default model's units",
        1f / 255f, Plain(5f, 0.05f), Plain(200f, 0.0005f));

    /// <summary>
    /// Yosinski et al. 2015, Table 1 (the combination the Deep Visualization Toolbox's README runs): decay 0.0001, blur σ = 1
    /// every 4 steps, lr 100 for 1000 steps, in Caffe's 0–255 units.
    /// </summary>
    public static MaximizePreset Yosinski { get; } = new("yosinski", "Yosinski, Clune, Nguyen, Fuchs & Lipson 2015, \"Understanding Neural Networks Through Deep Visualization\", Table 1",
        "SGD lr 100 (Caffe 0–255 units) without momentum, 1000 steps, decay θ = 0.0001 as an L2 penalty λ = θ/(2·lr), Gaussian blur σ = 1 every 4 steps, " +
        "clipping to the pixel range; no jitter, no TV",
        1f, Yosinski2015(), Yosinski2015());

    /// <summary>Olah, Mordvintsev and Schubert 2017 (Lucid's render_vis defaults): Adam on a decorrelated Fourier spectrum with Lucid's transforms.</summary>
    public static MaximizePreset Lucid { get; } = new("lucid", "Olah, Mordvintsev & Schubert 2017, \"Feature Visualization\" (Distill); Lucid's render_vis defaults",
        "Adam lr 0.05, 512 steps on the colour-decorrelated, 1/f-scaled spectrum through a sigmoid; per step a random shift of up to 12 pixels " +
        "(Lucid: pad 12, jitter 8 and 4), scale 0.9–1.1 and rotation ±10°; no penalties, blur or clipping",
        1f, LucidDefaults(), LucidDefaults());

    /// <summary>Every preset, by name.</summary>
    public static IReadOnlyList<MaximizePreset> All { get; } = [Default, Simonyan, Yosinski, Lucid];

    /// <summary>The preset called <paramref name="name"/>; errors name --preset and list the presets.</summary>
    public static MaximizePreset Get(string name) => All.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new RawConvException($"--preset: unknown preset '{name}'; use {string.Join(", ", All.Select(p => p.Name))}");

    private static MaximizeOptions Plain(float lr, float l2) => new()
    {
        Optimizer = new(OptimizerKind.Sgd, lr, 0f), L2 = l2, Tv = 0, BlurEvery = 0, Jitter = 0, Clip = PixelClip.None,
    };

    private static MaximizeOptions Yosinski2015() => new()
    {
        Iterations = 1000, Optimizer = new(OptimizerKind.Sgd, 100f, 0f), L2 = 0.0001f / (2 * 100f), Tv = 0, BlurEvery = 4, BlurSigma = 1f, Jitter = 0,
        Clip = PixelClip.Pixels,
    };

    private static MaximizeOptions LucidDefaults() => new()
    {
        Iterations = 512, Optimizer = new(OptimizerKind.Adam, 0.05f, 0f), L2 = 0, Tv = 0, BlurEvery = 0, Jitter = 12, ScaleJitter = 0.1f, Rotate = 10f,
        Clip = PixelClip.None, Parameterization = InputParameterization.Fourier,
    };
}
