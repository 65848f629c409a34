namespace RawConv.Algorithms.Optimize;

/// <summary>
/// The line search of torch.optim.LBFGS (torch/optim/lbfgs.py, after minFunc), transcribed step for step
/// in double precision: a bracketing phase that extrapolates by cubic interpolation, then a zoom phase
/// that shrinks the bracket until the strong Wolfe conditions hold (sufficient decrease c1, curvature c2),
/// max_ls evaluations are spent, or the bracket is shorter than tolerance_change along the direction.
/// </summary>
public static class StrongWolfe
{
    /// <summary>
    /// The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
    /// <paramref name="bounds"/> (default: the interval between x1 and x2); the bounds' midpoint when the
    /// cubic has no real minimizer.
    /// </summary>
    public static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, (double Lo, double Hi)? bounds = null)
    {
        var (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1));
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return PyMin(PyMax(minPos, lo), hi);
        }
        return (lo + hi) / 2.0;
    }

    /// <summary>
    /// Searches along <paramref name="d"/> from the current point (value <paramref name="f"/>, gradient
    /// <paramref name="g"/>, slope <paramref name="gtd"/> = g·d &lt; 0) starting at step <paramref name="t"/>;
    /// <paramref name="evaluate"/> returns value and gradient at step t. Returns the value and gradient at
    /// the step chosen, the step, and how many evaluations were made.
    /// </summary>
    public static (double F, double[] G, double T, int Evaluations) Search(Func<double, (double F, double[] G)> evaluate,
        double t, double[] d, double f, double[] g, double gtd, double c1 = 1e-4, double c2 = 0.9, double toleranceChange = 1e-9, int maxLs = 25)
    {
        double dNorm = Vec.MaxAbs(d);
        var (fNew, gNew) = evaluate(t);
        int evals = 1;
        double gtdNew = Vec.Dot(gNew, d);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        double[] gPrev = g;
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        double[][] bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]);
                break;
            }
            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                (bracket, bracketF, bracketG) = ([t], [fNew], [gNew]);
                done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]);
                break;
            }
            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10;
            double tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, (minStep, maxStep));
            (tPrev, fPrev, gPrev, gtdPrev) = (tmp, fNew, gNew, gtdNew);
            (fNew, gNew) = evaluate(t);
            evals++;
            gtdNew = Vec.Dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs)
            (bracket, bracketF, bracketG) = ([0, t], [f, fNew], [g, gNew]);

        bool insufficientProgress = false;
        var (low, high) = bracketF[0] <= bracketF[^1] ? (0, 1) : (1, 0);
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
            double bMax = PyMax(bracket[0], bracket[1]), bMin = PyMin(bracket[0], bracket[1]);
            double eps = 0.1 * (bMax - bMin);
            if (PyMin(bMax - t, t - bMin) < eps)
            {
                if (insufficientProgress || t >= bMax || t <= bMin)
                {
                    t = Math.Abs(t - bMax) < Math.Abs(t - bMin) ? bMax - eps : bMin + eps;
                    insufficientProgress = false;
                }
                else insufficientProgress = true;
            }
            else insufficientProgress = false;

            (fNew, gNew) = evaluate(t);
            evals++;
            gtdNew = Vec.Dot(gNew, d);
            lsIter++;

            if (fNew > f + c1 * t * gtd || fNew >= bracketF[low])
            {
                (bracket[high], bracketF[high], bracketG[high], bracketGtd[high]) = (t, fNew, gNew, gtdNew);
                (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd) done = true;
                else if (gtdNew * (bracket[high] - bracket[low]) >= 0)
                    (bracket[high], bracketF[high], bracketG[high], bracketGtd[high]) = (bracket[low], bracketF[low], bracketG[low], bracketGtd[low]);
                (bracket[low], bracketF[low], bracketG[low], bracketGtd[low]) = (t, fNew, gNew, gtdNew);
            }
        }
        return (bracketF[low], bracketG[low], bracket[low], evals);
    }

    /// <summary>Python's max(a, b): the first argument unless the second is strictly larger (as lbfgs.py's NaN handling).</summary>
    internal static double PyMax(double a, double b) => b > a ? b : a;

    /// <summary>Python's min(a, b): the first argument unless the second is strictly smaller.</summary>
    internal static double PyMin(double a, double b) => b < a ? b : a;
}
