using RawConv.Algorithms.Optimize;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// Projected L-BFGS (<see cref="LbfgsBox"/>) against scipy's L-BFGS-B solutions of the same objectives
/// (tools/make_optimizer_refs.py): the 10-D quadratic in [−0.3, 0.3]¹⁰ and Rosenbrock in [−2, 0.5]×[−1, 2],
/// whose optimum (0.5, 0.25) lies on a bound. Every iterate stays in the box and decreases f; the end
/// point meets the box's optimality conditions to 1e-10 and lies within 1e-6 of scipy's (itself accurate to
/// about 3e-8 there).
/// </summary>
public class LbfgsBoxTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("quadratic_box")]
    [InlineData("rosenbrock_box")]
    public void ReachesScipysBoundedSolution(string name)
    {
        var c = OptimizerRefs.Case(OptimizerRefs.LbfgsB(), name);
        var f = LbfgsTests.Problem(c.GetProperty("problem"));
        var box = new LbfgsBox(OptimizerRefs.Doubles(c.GetProperty("lower")), OptimizerRefs.Doubles(c.GetProperty("upper")));
        // Tolerance 0 on changes: the step runs until the projected gradient is under 1e-10.
        var options = new LbfgsOptions(MaxIter: 1000, ToleranceGrad: 1e-10, ToleranceChange: 0, Bounds: box);
        var (x, r) = Lbfgs.Minimize(f, OptimizerRefs.Doubles(c.GetProperty("x0")), options);
        Assert.True(r.Stop == LbfgsStop.Gradient, $"{name}: stopped by {r.Stop} after {r.Iterates.Count} iterates");
        double previous = r.InitialValue;
        for (int k = 0; k < r.Iterates.Count; k++)
        {
            var it = r.Iterates[k];
            Assert.True(it.Select((v, i) => box.Lower[i] <= v && v <= box.Upper[i]).All(b => b), $"{name}: iterate {k} leaves the box");
            Assert.True(r.Values[k] <= previous, $"{name}: f rose at iterate {k}: {r.Values[k]} after {previous}");
            previous = r.Values[k];
        }
        var g = f(x).Gradient;
        for (int i = 0; i < x.Length; i++)
        {
            // Optimality under bounds: zero gradient inside, pointing out of the box at an active bound.
            if (x[i] == box.Lower[i]) Assert.True(g[i] >= -1e-10, $"{name}: x{i} at its lower bound with g {g[i]}");
            else if (x[i] == box.Upper[i]) Assert.True(g[i] <= 1e-10, $"{name}: x{i} at its upper bound with g {g[i]}");
            else Assert.True(Math.Abs(g[i]) <= 1e-10, $"{name}: x{i} = {x[i]} inside the box with g {g[i]} ({r.Stop} after {r.Iterates.Count} iterates)");
        }
        Check.Close(x, OptimizerRefs.Doubles(c.GetProperty("solution")), 1e-6, 0, $"{name}: scipy's L-BFGS-B solution");
        Assert.Equal(c.GetProperty("f").GetDouble(), r.Values[^1], 1e-9);
        var sol = OptimizerRefs.Doubles(c.GetProperty("solution"));
        output.WriteLine($"{name}: {r.Stop} after {r.Iterates.Count} iterates, {r.Evaluations} evaluations, max|x − scipy| {x.Select((v, i) => Math.Abs(v - sol[i])).Max():e2}");
    }

    [Fact]
    public void SeparableQuadraticEndsAtTheClampedMinimizer()
    {
        // ½·Σ aᵢ(xᵢ − cᵢ)² in a box: the minimizer is c clamped into the box, per variable.
        double[] a = [1, 5, 0.5, 20], c = [2, -3, 0.25, 0.9];
        var box = new LbfgsBox([-1, -1, 0, 0], [1, 1, 0.5, 0.5]);
        var (x, r) = Lbfgs.Minimize(v => (v.Select((vi, i) => 0.5 * a[i] * (vi - c[i]) * (vi - c[i])).Sum(), v.Select((vi, i) => a[i] * (vi - c[i])).ToArray()),
            [0, 0, 0, 0], new LbfgsOptions(MaxIter: 100, ToleranceGrad: 1e-12, ToleranceChange: 1e-15, Bounds: box));
        Assert.Equal(LbfgsStop.Gradient, r.Stop);
        Check.Close(x, [1, -1, 0.25, 0.5], 1e-10, 0, "clamped minimizer");
        // Maximizing the negated objective reaches the same point.
        var (y, _) = Lbfgs.Minimize(v => (-v.Select((vi, i) => 0.5 * a[i] * (vi - c[i]) * (vi - c[i])).Sum(), v.Select((vi, i) => -a[i] * (vi - c[i])).ToArray()),
            [0, 0, 0, 0], new LbfgsOptions(MaxIter: 100, ToleranceGrad: 1e-12, ToleranceChange: 1e-15, Bounds: box, Maximize: true));
        Check.Close(y, [1, -1, 0.25, 0.5], 1e-10, 0, "clamped maximizer of the negation");
    }

    [Fact]
    public void BadBoxesAreRefused()
    {
        var e = Assert.Throws<RawConvException>(() => Lbfgs.Minimize(LbfgsTests.Rosenbrock, [0, 0], new LbfgsOptions(Bounds: LbfgsBox.Uniform(3, 0, 1))));
        Assert.Contains("3 lower and 3 upper values for 2 variables", e.Message);
        e = Assert.Throws<RawConvException>(() => Lbfgs.Minimize(LbfgsTests.Rosenbrock, [0, 0], new LbfgsOptions(Bounds: new LbfgsBox([0, 1], [1, 0]))));
        Assert.Contains("bound 1 has lower 1 above upper 0", e.Message);
        var around = LbfgsBox.Around([0.1, 0.5, 0.95], 0.1, 0, 1);
        Check.Close(around.Lower, [0, 0.4, 0.85], 1e-15, 0, "eps-ball lower");
        Check.Close(around.Upper, [0.2, 0.6, 1], 1e-15, 0, "eps-ball upper");
    }
}
