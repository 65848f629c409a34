using System.Text.Json;
using RawConv.Algorithms.Optimize;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// The double-precision L-BFGS core against torch.optim.LBFGS in float64 (tools/make_optimizer_refs.py):
/// a 10-D convex quadratic with a seeded SPD matrix of condition 100 and the 2-D Rosenbrock function from
/// (−1.2, 1), strong Wolfe with history 100, 3, 2 and 1, a fixed step, several steps carrying the history,
/// and an evaluation budget. Both sides compute the objective in the same order with plain doubles, so the
/// only differences are torch's own vector sums; every point the objective is called at, every iterate
/// and its value, and the counters must agree to 1e-9 relative.
/// </summary>
public class LbfgsTests(ITestOutputHelper output)
{
    private const double Rtol = 1e-9;

    [SkippableTheory]
    [InlineData("quadratic")]
    [InlineData("quadratic_history3")]
    [InlineData("quadratic_history1_steps")]
    [InlineData("quadratic_fixed_step")]
    [InlineData("rosenbrock")]
    [InlineData("rosenbrock_history2")]
    [InlineData("rosenbrock_max_eval")]
    public void IteratesMatchTorch(string name)
    {
        var c = OptimizerRefs.Case(OptimizerRefs.Lbfgs(), name);
        var f = Problem(c.GetProperty("problem"));
        var calls = new List<(double[] X, double F)>();
        (double, double[]) Recorded(double[] x)
        {
            var r = f(x);
            calls.Add(((double[])x.Clone(), r.Value));
            return r;
        }
        var o = c.GetProperty("options");
        var options = new LbfgsOptions(o.GetProperty("lr").GetDouble(), o.GetProperty("max_iter").GetInt32(),
            o.GetProperty("max_eval").ValueKind == JsonValueKind.Null ? null : o.GetProperty("max_eval").GetInt32(),
            o.GetProperty("tolerance_grad").GetDouble(), o.GetProperty("tolerance_change").GetDouble(), o.GetProperty("history_size").GetInt32(),
            o.GetProperty("line_search_fn").ValueKind == JsonValueKind.Null ? LbfgsLineSearch.None : LbfgsLineSearch.StrongWolfe);
        var state = new LbfgsState();
        var x = OptimizerRefs.Doubles(c.GetProperty("x0"));
        var iterates = new List<double[]>();
        var values = new List<double>();
        var stepLosses = OptimizerRefs.Doubles(c.GetProperty("step_losses"));
        double worst = 0;
        for (int s = 0; s < c.GetProperty("steps").GetInt32(); s++)
        {
            var r = Lbfgs.Run(state, Recorded, x, options);
            worst = Math.Max(worst, Near(r.InitialValue, stepLosses[s], $"{name}: value at the start of step {s}"));
            iterates.AddRange(r.Iterates);
            values.AddRange(r.Values);
        }

        var evals = c.GetProperty("evaluations").EnumerateArray().ToArray();
        Assert.True(evals.Length == calls.Count, $"{name}: {calls.Count} evaluations, torch made {evals.Length}");
        for (int i = 0; i < evals.Length; i++)
        {
            worst = Math.Max(worst, Near(calls[i].X, OptimizerRefs.Doubles(evals[i].GetProperty("x")), $"{name}: point of evaluation {i}"));
            worst = Math.Max(worst, Near(calls[i].F, evals[i].GetProperty("f").GetDouble(), $"{name}: value of evaluation {i}"));
        }
        var its = c.GetProperty("iterates").EnumerateArray().ToArray();
        Assert.True(its.Length == iterates.Count, $"{name}: {iterates.Count} iterates, torch took {its.Length}");
        for (int i = 0; i < its.Length; i++)
        {
            worst = Math.Max(worst, Near(iterates[i], OptimizerRefs.Doubles(its[i].GetProperty("x")), $"{name}: iterate {i}"));
            // A fixed-step run's last iterate is not evaluated (NaN here); the script evaluated it afterwards.
            if (!double.IsNaN(values[i])) worst = Math.Max(worst, Near(values[i], its[i].GetProperty("f").GetDouble(), $"{name}: f at iterate {i}"));
        }
        Assert.True(options.LineSearch == LbfgsLineSearch.StrongWolfe || double.IsNaN(values[^1]), $"{name}: the last fixed-step iterate was evaluated");
        worst = Math.Max(worst, Near(x, OptimizerRefs.Doubles(c.GetProperty("final")), $"{name}: final point"));
        Assert.Equal(c.GetProperty("n_iter").GetInt32(), state.Iterations);
        Assert.Equal(c.GetProperty("func_evals").GetInt32(), state.Evaluations);
        output.WriteLine($"{name}: {calls.Count} evaluations, {iterates.Count} iterates, worst relative deviation {worst:e2}");
    }

    [Fact]
    public void QuadraticMinimumIsTheLinearSystemsSolution()
    {
        // f = ½xᵀAx − bᵀx with A = [[4, 1], [1, 3]], b = (1, 2): the minimizer solves Ax = b, x = (1/11, 7/11).
        double[][] a = [[4, 1], [1, 3]];
        var (x, r) = Lbfgs.Minimize(Quadratic(a, [1, 2]), [0, 0], new LbfgsOptions(MaxIter: 50, ToleranceGrad: 1e-8, ToleranceChange: 1e-20));
        Assert.True(r.Stop == LbfgsStop.Gradient, $"stopped by {r.Stop} after {r.Iterates.Count} iterates, x = ({x[0]}, {x[1]})");
        // max|Ax − b| ≤ 1e-8 and A's smallest eigenvalue exceeds 2, so x is within 1e-8 of the solution.
        Assert.InRange(x[0], 1.0 / 11 - 1e-8, 1.0 / 11 + 1e-8);
        Assert.InRange(x[1], 7.0 / 11 - 1e-8, 7.0 / 11 + 1e-8);
        // Past that, g·d shrinks under ToleranceChange before max|g| reaches 1e-12, and torch's no-descent test ends the step.
        var (z, rz) = Lbfgs.Minimize(Quadratic(a, [1, 2]), [0, 0], new LbfgsOptions(MaxIter: 50, ToleranceGrad: 1e-12, ToleranceChange: 1e-15));
        Assert.Equal(LbfgsStop.NoDescent, rz.Stop);
        Assert.InRange(z[0], 1.0 / 11 - 1e-8, 1.0 / 11 + 1e-8);
        // Maximizing −f lands on the same point and reports −f's values.
        var (y, m) = Lbfgs.Minimize(v => { var (fv, g) = Quadratic(a, [1, 2])(v); return (-fv, g.Select(e => -e).ToArray()); }, [0, 0],
            new LbfgsOptions(MaxIter: 50, ToleranceGrad: 1e-8, ToleranceChange: 1e-20, Maximize: true));
        Assert.Equal(x, y);
        Assert.True(m.Values[^1] > 0, "maximizing −f reports −f's value, positive at the optimum");
    }

    [Fact]
    public void CubicInterpolationMatchesHandValues()
    {
        // f(x) = x³ − 3x has its local minimum at 1: points 0 and 2 with slopes −3 and 9.
        Assert.Equal(1.0, StrongWolfe.CubicInterpolate(0, 0, -3, 2, 2, 9), 12);
        Assert.Equal(1.0, StrongWolfe.CubicInterpolate(2, 2, 9, 0, 0, -3), 12);
        // Clamped to the bounds given, and the bounds' midpoint when the cubic has no real minimizer.
        Assert.Equal(0.5, StrongWolfe.CubicInterpolate(0, 0, -3, 2, 2, 9, (0.1, 0.5)));
        // f(0) = 0, f(1) = 3 with slopes 4 at both ends: d1 = 8 − 9 = −1, d1² − g1·g2 = −15 < 0.
        Assert.Equal(0.5, StrongWolfe.CubicInterpolate(0, 0, 4, 1, 3, 4));
        Assert.Equal(2.5, StrongWolfe.CubicInterpolate(0, 0, 4, 1, 3, 4, (2, 3)));
    }

    [Fact]
    public void BadSettingsAndGradientsAreRefused()
    {
        var e = Assert.Throws<RawConvException>(() => Lbfgs.Minimize(Rosenbrock, [0, 0], new LbfgsOptions(HistorySize: 0)));
        Assert.Contains("lbfgs: history size 0", e.Message);
        e = Assert.Throws<RawConvException>(() => Lbfgs.Minimize(_ => (0, [1]), [0, 0], new LbfgsOptions()));
        Assert.Contains("1 gradient entries for 2 variables", e.Message);
        var state = new LbfgsState();
        Lbfgs.Run(state, Rosenbrock, [-1.2, 1], new LbfgsOptions(MaxIter: 2));
        e = Assert.Throws<RawConvException>(() => Lbfgs.Run(state, _ => (0, [1, 1, 1]), [0, 0, 0], new LbfgsOptions()));
        Assert.Contains("history over 2 variables", e.Message);
    }

    /// <summary>The script's objectives, in its order of operations.</summary>
    internal static Func<double[], (double Value, double[] Gradient)> Problem(JsonElement p) => p.GetProperty("kind").GetString() switch
    {
        "quadratic" => Quadratic(p.GetProperty("A").EnumerateArray().Select(OptimizerRefs.Doubles).ToArray(), OptimizerRefs.Doubles(p.GetProperty("b"))),
        "rosenbrock" => Rosenbrock,
        var k => throw new InvalidOperationException($"unknown problem {k}"),
    };

    internal static Func<double[], (double Value, double[] Gradient)> Quadratic(double[][] a, double[] b) => x =>
    {
        int n = b.Length;
        var g = new double[n];
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double ax = 0;
            for (int j = 0; j < n; j++) ax += a[i][j] * x[j];
            g[i] = ax - b[i];
            s += x[i] * (0.5 * ax - b[i]);
        }
        return (s, g);
    };

    internal static (double Value, double[] Gradient) Rosenbrock(double[] x)
    {
        double u = x[0], v = x[1], w = v - u * u;
        return ((1.0 - u) * (1.0 - u) + 100.0 * w * w, [-2.0 * (1.0 - u) - 400.0 * u * w, 200.0 * w]);
    }

    private static double Near(double actual, double expected, string what) => Near([actual], [expected], what);

    /// <summary>Asserts |a − e| ≤ 1e-9·max(|e|, max|e| of the vector); returns the largest such ratio.</summary>
    private static double Near(double[] actual, double[] expected, string what)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} entries, expected {expected.Length}");
        double scale = Math.Max(expected.Max(Math.Abs), 1e-300), worst = 0;
        for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / scale);
        Assert.True(worst <= Rtol, $"{what}: relative deviation {worst:e2} over {Rtol:e0} ({string.Join(", ", actual)} against {string.Join(", ", expected)})");
        return worst;
    }
}
