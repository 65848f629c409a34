namespace RawConv.Algorithms.Optimize;

public sealed partial class Lbfgs
{
    /// <summary>
    /// Minimizes <paramref name="f"/> (value and gradient at a point) from <paramref name="x0"/> with one
    /// L-BFGS step of up to <see cref="LbfgsOptions.MaxIter"/> iterations; <paramref name="x0"/> is left alone.
    /// </summary>
    public static (double[] X, LbfgsResult Result) Minimize(Func<double[], (double Value, double[] Gradient)> f, double[] x0, LbfgsOptions options)
    {
        var x = (double[])x0.Clone();
        return (x, Run(new LbfgsState(), f, x, options));
    }

    /// <summary>
    /// One step of torch.optim.LBFGS, transcribed in double precision: evaluates <paramref name="f"/> at
    /// <paramref name="x"/>, then iterates (two-loop recursion over the history in <paramref name="state"/>,
    /// a line search or fixed step) and moves <paramref name="x"/> in place. Calling it again with the same
    /// state continues as torch's next step() would.
    /// </summary>
    public static LbfgsResult Run(LbfgsState state, Func<double[], (double Value, double[] Gradient)> f, double[] x, LbfgsOptions options)
    {
        options.Validate();
        if (state.PrevGrad is { } pg && pg.Length != x.Length)
            throw new RawConvException($"lbfgs: the state holds a history over {pg.Length} variables, the point has {x.Length} — use a fresh LbfgsState");
        (double, double[]) Eval(double[] at)
        {
            var (v, g) = f(at);
            if (g.Length != at.Length)
                throw new RawConvException($"lbfgs: the objective returned {g.Length} gradient entries for {at.Length} variables — return one per variable");
            return options.Maximize ? (-v, Vec.Scale(-1, g)) : (v, (double[])g.Clone());
        }

        if (options.Bounds is { } box) return RunProjected(state, Eval, x, options, box);
        var iterates = new List<double[]>();
        var values = new List<double>();
        var (loss, grad) = Eval(x);
        double initial = options.Maximize ? -loss : loss;
        int evals = 1;
        state.Evaluations++;
        LbfgsResult Done(LbfgsStop stop) => new(initial, iterates, values, evals, stop);
        if (Vec.MaxAbs(grad) <= options.ToleranceGrad) return Done(LbfgsStop.Gradient);

        double[] d = state.D;
        double t = state.T;
        int nIter = 0;
        var stop = LbfgsStop.MaxIter;
        while (nIter < options.MaxIter)
        {
            nIter++;
            state.Iterations++;
            d = state.Iterations == 1 ? FirstDirection(state, grad) : Direction(state, grad, d, t, options.HistorySize);
            state.PrevGrad = (double[])grad.Clone();
            state.PrevLoss = loss;
            t = state.Iterations == 1 ? StrongWolfe.PyMin(1.0, 1.0 / Vec.SumAbs(grad)) * options.LearningRate : options.LearningRate;
            double gtd = Vec.Dot(grad, d);
            if (gtd > -options.ToleranceChange)
            {
                stop = LbfgsStop.NoDescent;
                break;
            }

            int lsEvals = 0;
            bool optimal = false;
            if (options.LineSearch == LbfgsLineSearch.StrongWolfe)
            {
                var xs = x;
                (loss, grad, t, lsEvals) = StrongWolfe.Search(s => Eval(Vec.Along(xs, s, d)), t, d, loss, grad, gtd,
                    toleranceChange: options.ToleranceChange);
                Vec.Axpy(t, d, x);
                optimal = Vec.MaxAbs(grad) <= options.ToleranceGrad;
                values.Add(Signed(loss, options));
            }
            else
            {
                Vec.Axpy(t, d, x);
                if (nIter != options.MaxIter)
                {
                    (loss, grad) = Eval(x);
                    optimal = Vec.MaxAbs(grad) <= options.ToleranceGrad;
                    lsEvals = 1;
                    values.Add(Signed(loss, options));
                }
                else values.Add(double.NaN);
            }
            iterates.Add((double[])x.Clone());
            evals += lsEvals;
            state.Evaluations += lsEvals;

            if (nIter == options.MaxIter) { stop = LbfgsStop.MaxIter; break; }
            if (evals >= options.MaxEvaluations) { stop = LbfgsStop.MaxEval; break; }
            if (optimal) { stop = LbfgsStop.Gradient; break; }
            if (MaxAbsScaled(d, t) <= options.ToleranceChange) { stop = LbfgsStop.Move; break; }
            if (Math.Abs(loss - state.PrevLoss) < options.ToleranceChange) { stop = LbfgsStop.Value; break; }
        }
        state.D = d;
        state.T = t;
        return Done(stop);
    }

    private static double Signed(double loss, LbfgsOptions o) => o.Maximize ? -loss : loss;

    private static double[] FirstDirection(LbfgsState s, double[] grad)
    {
        s.OldDirs.Clear();
        s.OldSteps.Clear();
        s.Ro.Clear();
        s.HDiag = 1;
        return Vec.Scale(-1, grad);
    }

    /// <summary>Updates the history with the last move t·d and returns −H·g by the two-loop recursion.</summary>
    private static double[] Direction(LbfgsState s, double[] grad, double[] d, double t, int historySize)
    {
        Remember(s, Vec.Scale(t, d), Vec.Sub(grad, s.PrevGrad!), historySize);
        return TwoLoop(s, grad);
    }

    /// <summary>Adds the pair (s, y) when its curvature y·s exceeds 1e-10, dropping the oldest past the history size.</summary>
    private static void Remember(LbfgsState s, double[] step, double[] y, int historySize)
    {
        double ys = Vec.Dot(y, step);
        if (ys <= 1e-10) return;
        if (s.OldDirs.Count == historySize)
        {
            s.OldDirs.RemoveAt(0);
            s.OldSteps.RemoveAt(0);
            s.Ro.RemoveAt(0);
        }
        s.OldDirs.Add(y);
        s.OldSteps.Add(step);
        s.Ro.Add(1.0 / ys);
        s.HDiag = ys / Vec.Dot(y, y);
    }

    /// <summary>−H·g for the inverse-Hessian estimate H the history and H_diag define.</summary>
    private static double[] TwoLoop(LbfgsState s, double[] grad)
    {
        int k = s.OldDirs.Count;
        var al = new double[k];
        var q = Vec.Scale(-1, grad);
        for (int i = k - 1; i >= 0; i--)
        {
            al[i] = Vec.Dot(s.OldSteps[i], q) * s.Ro[i];
            Vec.Axpy(-al[i], s.OldDirs[i], q);
        }
        var r = Vec.Scale(s.HDiag, q);
        for (int i = 0; i < k; i++)
        {
            double be = Vec.Dot(s.OldDirs[i], r) * s.Ro[i];
            Vec.Axpy(al[i] - be, s.OldSteps[i], r);
        }
        return r;
    }

    private static double MaxAbsScaled(double[] d, double t)
    {
        double m = 0;
        foreach (var v in d) m = Math.Max(m, Math.Abs(v * t));
        return m;
    }
}
