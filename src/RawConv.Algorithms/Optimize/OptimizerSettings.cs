namespace RawConv.Algorithms.Optimize;

/// <summary>Which optimizer an input-optimization loop runs.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (<see cref="Sgd"/>).</summary>
    Sgd,
    /// <summary>Adam (<see cref="Adam"/>; the momentum is unused).</summary>
    Adam,
    /// <summary>L-BFGS with a strong-Wolfe line search, one iteration per loop step, the history kept across steps (<see cref="Lbfgs"/>).</summary>
    Lbfgs,
}

/// <summary>
/// The optimizer of an input-optimization loop and its settings, as the verbs take them: kind, learning rate and
/// (for SGD) momentum. <see cref="Create"/> builds it over the given groups, ascending or descending; optional
/// <paramref name="Bounds"/> keep L-BFGS inside a box (projected L-BFGS).
/// </summary>
public sealed record OptimizerSettings(OptimizerKind Kind = OptimizerKind.Sgd, float LearningRate = 1f, float Momentum = 0.9f, LbfgsBox? Bounds = null)
{
    /// <summary>L-BFGS history length used by the loops.</summary>
    public const int LbfgsHistory = 10;

    /// <summary>The optimizer over <paramref name="groups"/>.</summary>
    public Optimizer Create(IEnumerable<ParameterGroup> groups, bool maximize)
    {
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new RawConvException($"--lr: {LearningRate} must be a positive number");
        if (!(Momentum >= 0 && Momentum < 1)) throw new RawConvException($"--momentum: {Momentum} must lie in [0, 1)");
        return Kind switch
        {
            OptimizerKind.Adam => new Adam(groups, new AdamOptions(LearningRate, Maximize: maximize)),
            OptimizerKind.Lbfgs => new Lbfgs(groups, new LbfgsOptions(LearningRate, MaxIter: 1, HistorySize: LbfgsHistory, Maximize: maximize, Bounds: Bounds)),
            _ => new Sgd(groups, new SgdOptions(LearningRate, Momentum, WeightDecay: 0, Maximize: maximize)),
        };
    }

    /// <summary>Parses an optimizer name as the verbs take it.</summary>
    public static OptimizerKind ParseKind(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adam" => OptimizerKind.Adam,
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        _ => throw new RawConvException($"--optimizer: unknown optimizer '{name}'; use sgd, adam or lbfgs"),
    };
}
