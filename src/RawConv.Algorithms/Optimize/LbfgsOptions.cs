namespace RawConv.Algorithms.Optimize;

/// <summary>How L-BFGS picks the step length along its direction.</summary>
public enum LbfgsLineSearch
{
    /// <summary>A fixed step: the learning rate (the first iteration scales it by min(1, 1/‖g‖₁)); one evaluation per iteration.</summary>
    None,
    /// <summary>The strong Wolfe line search of torch.optim.LBFGS (<see cref="StrongWolfe"/>).</summary>
    StrongWolfe,
}

/// <summary>
/// L-BFGS settings, named and defaulted as torch.optim.LBFGS's arguments except the line search, which
/// defaults to strong Wolfe here: <see cref="MaxIter"/> iterations and <see cref="MaxEval"/> evaluations
/// (default MaxIter·5/4) at most per step; a step ends early when max|g| ≤ <see cref="ToleranceGrad"/>,
/// or a move or a change of value falls under <see cref="ToleranceChange"/>. <see cref="Maximize"/> ascends.
/// <see cref="Bounds"/> turns on projected L-BFGS (see <see cref="LbfgsBox"/>), which ignores <see cref="LineSearch"/>.
/// </summary>
public sealed record LbfgsOptions(double LearningRate = 1, int MaxIter = 20, int? MaxEval = null, double ToleranceGrad = 1e-7,
    double ToleranceChange = 1e-9, int HistorySize = 100, LbfgsLineSearch LineSearch = LbfgsLineSearch.StrongWolfe, bool Maximize = false,
    LbfgsBox? Bounds = null)
{
    /// <summary>The evaluation budget of one step.</summary>
    public int MaxEvaluations => MaxEval ?? MaxIter * 5 / 4;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Need(bool ok, string what)
        {
            if (!ok) throw new RawConvException($"lbfgs: {what}");
        }
        Need(LearningRate > 0 && double.IsFinite(LearningRate), $"learning rate {LearningRate} must be positive and finite — torch's default is 1");
        Need(MaxIter >= 1, $"max iterations {MaxIter} must be 1 or more — the default is 20");
        Need(MaxEvaluations >= 1, $"max evaluations {MaxEvaluations} must be 1 or more — leave it unset for MaxIter·5/4");
        Need(HistorySize >= 1, $"history size {HistorySize} must be 1 or more — the default is 100");
        Need(ToleranceGrad >= 0 && ToleranceChange >= 0, $"tolerances ({ToleranceGrad}, {ToleranceChange}) must not be negative");
    }
}

/// <summary>
/// Box constraints lo ≤ x ≤ hi per variable for projected L-BFGS, a simpler stand-in for L-BFGS-B (as
/// Szegedy et al.'s box-constrained adversarial search needs): the start is projected into the box; each
/// iteration holds the variables at a bound whose gradient pushes outward, takes the two-loop direction on
/// the others (restarting the history when that set changes), and backtracks (halving, Armijo c1 = 1e-4,
/// at most 25 tries) along the projected path P(x + t·d); the (s, y) pairs are the actual moves; a step ends when the projected gradient
/// max|P(x − g) − x| ≤ ToleranceGrad or by the other tests of torch's loop. No torch counterpart exists.
/// </summary>
public sealed record LbfgsBox(double[] Lower, double[] Upper)
{
    /// <summary>The same bounds [lo, hi] for <paramref name="n"/> variables.</summary>
    public static LbfgsBox Uniform(int n, double lo, double hi) => new(Enumerable.Repeat(lo, n).ToArray(), Enumerable.Repeat(hi, n).ToArray());

    /// <summary>The box [max(lo, xᵢ − eps), min(hi, xᵢ + eps)]: an eps-ball in max-norm around <paramref name="x"/> inside [lo, hi].</summary>
    public static LbfgsBox Around(double[] x, double eps, double lo, double hi) =>
        new(x.Select(v => Math.Max(lo, v - eps)).ToArray(), x.Select(v => Math.Min(hi, v + eps)).ToArray());

    /// <summary>Throws unless the box fits <paramref name="n"/> variables and every lo ≤ hi.</summary>
    public void Validate(int n)
    {
        if (Lower.Length != n || Upper.Length != n)
            throw new RawConvException($"lbfgs: bounds hold {Lower.Length} lower and {Upper.Length} upper values for {n} variables — give one of each per variable");
        for (int i = 0; i < n; i++)
            if (!(Lower[i] <= Upper[i]))
                throw new RawConvException($"lbfgs: bound {i} has lower {Lower[i]} above upper {Upper[i]} — give lo ≤ hi");
    }

    /// <summary>x clamped into the box, in place.</summary>
    public void Project(double[] x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Math.Min(Math.Max(x[i], Lower[i]), Upper[i]);
    }
}

/// <summary>Why an L-BFGS step ended.</summary>
public enum LbfgsStop
{
    /// <summary>max|g| ≤ ToleranceGrad.</summary>
    Gradient,
    /// <summary>The direction is no longer one of descent: g·d > −ToleranceChange.</summary>
    NoDescent,
    /// <summary>The move max|t·d| ≤ ToleranceChange.</summary>
    Move,
    /// <summary>|f − f_prev| &lt; ToleranceChange.</summary>
    Value,
    /// <summary>Projected L-BFGS only: no step along the path decreased f enough.</summary>
    LineSearch,
    /// <summary>MaxIter iterations were taken.</summary>
    MaxIter,
    /// <summary>MaxEval evaluations were spent.</summary>
    MaxEval,
}

/// <summary>
/// What one L-BFGS step did: the value at its starting point, every iterate x_k it moved to with
/// f(x_k) (NaN for the last iterate of a fixed-step run, which torch does not evaluate), the evaluations
/// made, and why it stopped.
/// </summary>
public sealed record LbfgsResult(double InitialValue, IReadOnlyList<double[]> Iterates, IReadOnlyList<double> Values,
    int Evaluations, LbfgsStop Stop);

/// <summary>
/// The curvature history and counters L-BFGS carries from one step to the next (torch keeps the same
/// in its optimizer state): the last direction and step, the (s, y) pairs, the previous gradient.
/// </summary>
public sealed class LbfgsState
{
    internal double[] D = [];
    internal double T;
    internal readonly List<double[]> OldDirs = [], OldSteps = [];
    internal readonly List<double> Ro = [];
    internal double HDiag = 1;
    internal double[]? PrevGrad;
    internal double PrevLoss;
    internal double[]? PrevX;
    internal bool[]? Free;

    /// <summary>Iterations taken over all steps.</summary>
    public int Iterations { get; internal set; }
    /// <summary>Evaluations made over all steps.</summary>
    public int Evaluations { get; internal set; }
    /// <summary>The (s, y) pairs held now.</summary>
    public int HistoryLength => OldDirs.Count;
}
