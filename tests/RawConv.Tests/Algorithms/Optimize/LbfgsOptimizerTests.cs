using RawConv.Algorithms.Optimize;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// The L-BFGS optimizer over device tensors: two groups (2×3 and 4 values) minimizing the separable
/// quadratic ½·Σ a·(x − c)², computed by a closure with device ops. Checked against the host core run on
/// the same evaluations (bit for bit, across steps that carry the history), against the core on the exact
/// float64 objective (float32 apart), and against the minimizer in closed form, with decay and maximizing.
/// </summary>
public abstract class LbfgsOptimizerTests : BackendTest
{
    private static readonly Shape[] Shapes = [new(2, 3), new(4)];
    private static readonly float[][] A = [Rand.Uniform(31, 6, 0.5f, 20f), Rand.Uniform(32, 4, 0.5f, 20f)];
    private static readonly float[][] C = [Rand.Uniform(33, 6), Rand.Uniform(34, 4)];
    private static readonly float[][] X0 = [Rand.Uniform(35, 6, -2f, 2f), Rand.Uniform(36, 4, -2f, 2f)];

    private Tensor[] Values() => Shapes.Select((s, i) => Tensor.FromArray(B, s, X0[i])).ToArray();

    /// <summary>½·Σ a·(x − c)² and its gradient a·(x − c), on the device; negated when <paramref name="sign"/> is −1.</summary>
    private Evaluation Evaluate(IReadOnlyList<Tensor> xs, float sign = 1f)
    {
        double loss = 0;
        var grads = new Tensor[xs.Count];
        for (int i = 0; i < xs.Count; i++)
        {
            using var a = Tensor.FromArray(B, Shapes[i], A[i]);
            using var d = xs[i].Clone();
            using var c = Tensor.FromArray(B, Shapes[i], C[i]);
            Elementwise.Axpy(-1f, c, d);
            using var g = Elementwise.Mul(a, d);
            using var dg = Elementwise.Mul(d, g);
            loss += 0.5 * Reduce.Sum(dg);
            grads[i] = Elementwise.Scale(g, sign);
        }
        return new Evaluation(sign * (float)loss, grads);
    }

    [SkippableFact]
    public void StepsMatchTheHostCoreOnTheSameEvaluations()
    {
        var options = new LbfgsOptions(MaxIter: 3, HistorySize: 4);
        var xs = Values();
        var probes = Values();
        try
        {
            using var lbfgs = new Lbfgs(xs.Select((x, i) => new ParameterGroup($"x{i}", x)), options);
            var state = new LbfgsState();
            var host = X0.SelectMany(v => v.Select(e => (double)e)).ToArray();
            // The host core evaluates at the same float32 points through the same device closure.
            (double, double[]) F(double[] at)
            {
                int o = 0;
                foreach (var p in probes)
                {
                    p.Backend.Upload(p.Buffer, (ReadOnlySpan<float>)at.Skip(o).Take((int)p.Count).Select(v => (float)v).ToArray());
                    o += (int)p.Count;
                }
                using var e = Evaluate(probes);
                return (e.Loss, e.Gradients.SelectMany(g => g.ToArray().Select(v => (double)v)).ToArray());
            }
            for (int step = 0; step < 3; step++)
            {
                float loss = lbfgs.Step(() => Evaluate(xs));
                var r = Lbfgs.Run(state, F, host, options);
                Assert.Equal((float)r.InitialValue, loss);
                Assert.Equal(r.Iterates.Count, lbfgs.LastResult!.Iterates.Count);
                for (int k = 0; k < r.Iterates.Count; k++) Assert.Equal(r.Iterates[k], lbfgs.LastResult.Iterates[k]);
                Assert.Equal(host.Select(v => (float)v), xs.SelectMany(x => x.ToArray()));
                // Between steps the point lives in the float32 groups, where the next step reads it from.
                for (int i = 0; i < host.Length; i++) host[i] = (float)host[i];
            }
            Assert.Equal(3, lbfgs.Iteration);
            Assert.Equal(state.Evaluations, lbfgs.History.Evaluations);
            Assert.Equal(4, lbfgs.History.HistoryLength);
        }
        finally
        {
            foreach (var t in xs.Concat(probes)) t.Dispose();
        }
    }

    [SkippableFact]
    public void FollowsTheFloat64CoreAndReachesTheMinimizer()
    {
        var options = new LbfgsOptions(MaxIter: 40, ToleranceGrad: 1e-5, ToleranceChange: 1e-12);
        var a = A.SelectMany(v => v).ToArray();
        var c = C.SelectMany(v => v).ToArray();
        var exact = Lbfgs.Minimize(x =>
        {
            double f = 0;
            var g = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                g[i] = a[i] * (x[i] - c[i]);
                f += 0.5 * g[i] * (x[i] - c[i]);
            }
            return (f, g);
        }, X0.SelectMany(v => v.Select(e => (double)e)).ToArray(), options);
        var xs = Values();
        try
        {
            using var lbfgs = new Lbfgs(xs.Select((x, i) => new ParameterGroup($"x{i}", x)), options);
            lbfgs.Step(() => Evaluate(xs));
            var got = lbfgs.LastResult!;
            Assert.True(got.Iterates.Count == exact.Result.Iterates.Count,
                $"{got.Iterates.Count} iterates on the device, {exact.Result.Iterates.Count} in float64");
            for (int k = 0; k < got.Iterates.Count; k++)
                Check.Close(got.Iterates[k], exact.Result.Iterates[k], 1e-5, 1e-5, $"iterate {k}");
            // Stopped by max|a·(x − c)| ≤ 1e-5 with a ≥ 0.5: each x within 2e-5 of c.
            Assert.Equal(LbfgsStop.Gradient, got.Stop);
            Check.Close(xs.SelectMany(x => x.ToArray()).ToArray(), c, 2e-5, 0, "minimizer c");
        }
        finally
        {
            foreach (var t in xs) t.Dispose();
        }
    }

    [SkippableFact]
    public void DecayAndAscentFollowTheirObjectives()
    {
        // Maximizing −½·Σ a·(x − c)² with decay λ on the first group minimizes ½·a·(x − c)² + ½·λ·x²: x = a·c / (a + λ) there, c elsewhere.
        const float lambda = 3f;
        var xs = Values();
        try
        {
            using var lbfgs = new Lbfgs([new ParameterGroup("x0", xs[0], 1f, lambda), new ParameterGroup("x1", xs[1])],
                new LbfgsOptions(MaxIter: 50, ToleranceGrad: 1e-5, ToleranceChange: 1e-12, Maximize: true));
            lbfgs.Step(() => Evaluate(xs, -1f));
            // The decay term's float32 rounding ends the step by a tiny move or value change before max|g| ≤ 1e-5 on
            // some devices; within 1e-4 of the closed form all the same.
            Assert.True(lbfgs.LastResult!.Stop is not (LbfgsStop.MaxIter or LbfgsStop.MaxEval), $"stopped by {lbfgs.LastResult.Stop}");
            Check.Close(xs[0].ToArray(), A[0].Select((ai, i) => ai * C[0][i] / (ai + lambda)).ToArray(), 1e-4, 0, "decayed group");
            Check.Close(xs[1].ToArray(), C[1], 1e-4, 0, "free group");
            // The values are those of the minimized objective −loss + ½·λ·‖x0‖², not the closure's loss; its minimum
            // is Σ ½·a·λ·c² / (a + λ) over the decayed group.
            double least = A[0].Select((ai, i) => 0.5 * ai * lambda * C[0][i] * C[0][i] / (ai + lambda)).Sum();
            Assert.InRange(lbfgs.LastResult.Values[^1], least - 1e-5, least + 1e-5);
        }
        finally
        {
            foreach (var t in xs) t.Dispose();
        }
    }

    [SkippableFact]
    public void BoundsInGroupOrderHoldTheDeviceValuesInTheirBox()
    {
        // The separable quadratic in [−0.5, 0.5] on the first group and [0, 1] on the second: c clamped per variable.
        var lower = Enumerable.Repeat(-0.5, 6).Concat(Enumerable.Repeat(0.0, 4)).ToArray();
        var upper = Enumerable.Repeat(0.5, 6).Concat(Enumerable.Repeat(1.0, 4)).ToArray();
        var xs = Values();
        try
        {
            using var lbfgs = new Lbfgs(xs.Select((x, i) => new ParameterGroup($"x{i}", x)),
                new LbfgsOptions(MaxIter: 50, ToleranceGrad: 1e-5, ToleranceChange: 1e-12, Bounds: new LbfgsBox(lower, upper)));
            lbfgs.Step(() => Evaluate(xs));
            var got = xs.SelectMany(x => x.ToArray()).ToArray();
            var c = C.SelectMany(v => v).ToArray();
            Assert.Contains(c, v => v < -0.5 || v > 0.5);
            // Variables whose c lies outside the box sit exactly on their bound.
            for (int i = 0; i < c.Length; i++)
                if (c[i] < lower[i] || c[i] > upper[i]) Assert.Equal(Math.Clamp(c[i], (float)lower[i], (float)upper[i]), got[i]);
            // The others as far as a float32 loss lets the Armijo test see: the objective keeps its bound terms, O(1),
            // so decreases under ~1e-7 are invisible and a free variable with curvature a ≥ 0.5 stops within ~5e-4.
            Check.Close(got, c.Select((v, i) => Math.Clamp(v, (float)lower[i], (float)upper[i])).ToArray(), 5e-4, 0, "clamped minimizer");
            Assert.All(got.Select((v, i) => (v, i)), p => Assert.InRange(p.v, (float)lower[p.i], (float)upper[p.i]));
        }
        finally
        {
            foreach (var t in xs) t.Dispose();
        }
    }

    [SkippableFact]
    public void StepWithoutAClosureAndScaledGroupsAreRefused()
    {
        var xs = Values();
        try
        {
            using var lbfgs = new Lbfgs(xs.Select((x, i) => new ParameterGroup($"x{i}", x)), new LbfgsOptions());
            using var e0 = Evaluate(xs);
            var e = Assert.Throws<RawConvException>(() => lbfgs.Step(e0.Gradients));
            Assert.Contains("lbfgs: a step needs a closure", e.Message);
            Assert.Equal(X0[0], xs[0].ToArray());
            e = Assert.Throws<RawConvException>(() => new Lbfgs([new ParameterGroup("w", xs[0], 2f)], new LbfgsOptions()));
            Assert.Contains("group 'w' has learning-rate multiplier 2", e.Message);
            e = Assert.Throws<RawConvException>(() => lbfgs.Step(() => new Evaluation(0f, [])));
            Assert.Contains("0 gradients for 2 groups", e.Message);
        }
        finally
        {
            foreach (var t in xs) t.Dispose();
        }
    }
}

public sealed class LbfgsOptimizerReferenceTests : LbfgsOptimizerTests { protected override string BackendName => "reference"; }
public sealed class LbfgsOptimizerOpenClTests : LbfgsOptimizerTests { protected override string BackendName => "opencl"; }
public sealed class LbfgsOptimizerCudaTests : LbfgsOptimizerTests { protected override string BackendName => "cuda"; }
