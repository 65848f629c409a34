namespace RawConv.Algorithms.Optimize;

/// <summary>
/// One tensor an optimizer updates in place: a layer's weight or bias, an input image, a generator's
/// code. The group borrows <paramref name="Value"/> (its owner disposes it). The step's learning rate
/// is the schedule's rate times <paramref name="LrMultiplier"/>; <paramref name="WeightDecay"/> is
/// the L2 coefficient λ added to the gradient as λ·value (0: none). Gradients are supplied per step.
/// </summary>
public sealed record ParameterGroup(string Name, Tensor Value, float LrMultiplier = 1f, float WeightDecay = 0f)
{
    /// <summary>A group for a free-standing tensor (an image, a code), named <paramref name="name"/>.</summary>
    public static ParameterGroup For(Tensor value, string name = "input", float lrMultiplier = 1f, float weightDecay = 0f) =>
        new(name, value, lrMultiplier, weightDecay);
}
