namespace RawConv.Algorithms.Optimize;

/// <summary>How the learning rate changes over the steps of an optimizer.</summary>
public enum LrPolicy
{
    /// <summary>Constant base learning rate.</summary>
    Fixed,
    /// <summary>Caffe "step": lr · Gamma^floor(step / StepSize).</summary>
    Step,
    /// <summary>Cosine from lr down to lr·MinFactor over TotalSteps: lr·(m + (1 − m)·(1 + cos(π·t/T))/2).</summary>
    Cosine,
}

/// <summary>
/// A learning-rate schedule: the base rate <paramref name="BaseLr"/> shaped by <paramref name="Policy"/>.
/// Every optimizer reads its rate from one of these; a group scales it by its own multiplier.
/// </summary>
public sealed record LrSchedule(float BaseLr, LrPolicy Policy = LrPolicy.Fixed, int StepSize = 1000, float Gamma = 0.1f,
    int TotalSteps = 0, float MinFactor = 0f)
{
    /// <summary>The learning rate at (0-based) iteration <paramref name="step"/>.</summary>
    public float At(int step) => Policy switch
    {
        LrPolicy.Fixed => BaseLr,
        LrPolicy.Step => BaseLr * MathF.Pow(Gamma, step / Math.Max(StepSize, 1)),
        LrPolicy.Cosine => BaseLr * (MinFactor + (1 - MinFactor) *
            (float)(1 + Math.Cos(Math.PI * Math.Min(step, Math.Max(TotalSteps, 1)) / Math.Max(TotalSteps, 1))) / 2),
        _ => throw new RawConvException($"lr schedule: unknown learning-rate policy {Policy}"),
    };
}
