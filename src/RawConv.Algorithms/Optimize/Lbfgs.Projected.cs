namespace RawConv.Algorithms.Optimize;

public sealed partial class Lbfgs
{
    private const double ArmijoC1 = 1e-4;
    private const int MaxBacktracks = 25;

    /// <summary>
    /// Projected L-BFGS (see <see cref="LbfgsBox"/>); <paramref name="eval"/> already carries the sign. The
    /// history restarts whenever the set of variables held at bounds changes, and a step from an empty
    /// history is scaled by min(1, 1/‖g‖₁) as torch scales its first.
    /// </summary>
    private static LbfgsResult RunProjected(LbfgsState state, Func<double[], (double, double[])> eval, double[] x, LbfgsOptions o, LbfgsBox box)
    {
        box.Validate(x.Length);
        box.Project(x);
        var iterates = new List<double[]>();
        var values = new List<double>();
        var (loss, grad) = eval(x);
        double initial = o.Maximize ? -loss : loss;
        int evals = 1;
        state.Evaluations++;
        LbfgsResult Done(LbfgsStop stop) => new(initial, iterates, values, evals, stop);
        if (ProjectedGradient(x, grad, box) <= o.ToleranceGrad) return Done(LbfgsStop.Gradient);

        int nIter = 0;
        var stop = LbfgsStop.MaxIter;
        while (nIter < o.MaxIter)
        {
            nIter++;
            state.Iterations++;
            var free = grad.Select((g, i) => !(x[i] <= box.Lower[i] && g > 0 || x[i] >= box.Upper[i] && g < 0)).ToArray();
            var reduced = grad.Select((g, i) => free[i] ? g : 0).ToArray();
            // Pairs gathered on another face of the box mislead the direction on this one: start the history afresh.
            if (state.PrevX is { } px && state.PrevGrad is { } pg && state.Free is { } was && was.SequenceEqual(free))
                Remember(state, Vec.Sub(x, px), Vec.Sub(grad, pg), o.HistorySize);
            else FirstDirection(state, grad);
            state.Free = free;
            var d = Mask(TwoLoop(state, reduced), free);
            double gtd = Vec.Dot(grad, d);
            if (gtd > -o.ToleranceChange)
            {
                // The curvature estimate disagrees with the face the bounds leave: fall back to steepest descent on it.
                d = Vec.Scale(-1, reduced);
                gtd = Vec.Dot(grad, d);
            }
            if (gtd > -o.ToleranceChange) { stop = LbfgsStop.NoDescent; break; }

            state.PrevX = (double[])x.Clone();
            state.PrevGrad = (double[])grad.Clone();
            state.PrevLoss = loss;
            double t = state.HistoryLength == 0 ? StrongWolfe.PyMin(1.0, 1.0 / Vec.SumAbs(reduced)) * o.LearningRate : o.LearningRate;
            bool accepted = false;
            for (int k = 0; k < MaxBacktracks && !accepted; k++, t *= 0.5)
            {
                var trial = Vec.Along(x, t, d);
                box.Project(trial);
                var (f, g) = eval(trial);
                evals++;
                state.Evaluations++;
                if (f <= loss + ArmijoC1 * Vec.Dot(grad, Vec.Sub(trial, x)))
                {
                    (loss, grad, accepted) = (f, g, true);
                    Array.Copy(trial, x, x.Length);
                }
                if (evals >= o.MaxEvaluations) break;
            }
            if (!accepted) { stop = evals >= o.MaxEvaluations ? LbfgsStop.MaxEval : LbfgsStop.LineSearch; break; }
            iterates.Add((double[])x.Clone());
            values.Add(o.Maximize ? -loss : loss);

            if (nIter == o.MaxIter) { stop = LbfgsStop.MaxIter; break; }
            if (evals >= o.MaxEvaluations) { stop = LbfgsStop.MaxEval; break; }
            if (ProjectedGradient(x, grad, box) <= o.ToleranceGrad) { stop = LbfgsStop.Gradient; break; }
            if (Vec.MaxAbs(Vec.Sub(x, state.PrevX)) <= o.ToleranceChange) { stop = LbfgsStop.Move; break; }
            if (Math.Abs(loss - state.PrevLoss) < o.ToleranceChange) { stop = LbfgsStop.Value; break; }
        }
        return Done(stop);
    }

    /// <summary>max|P(x − g) − x|: zero exactly at the box-constrained stationary points.</summary>
    private static double ProjectedGradient(double[] x, double[] g, LbfgsBox box)
    {
        double m = 0;
        for (int i = 0; i < x.Length; i++)
            m = Math.Max(m, Math.Abs(Math.Min(Math.Max(x[i] - g[i], box.Lower[i]), box.Upper[i]) - x[i]));
        return m;
    }

    private static double[] Mask(double[] v, bool[] keep)
    {
        for (int i = 0; i < v.Length; i++)
            if (!keep[i]) v[i] = 0;
        return v;
    }
}
