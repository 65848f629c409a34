using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>The fused Adam update on a kernel backend against the reference backend over several steps.</summary>
public abstract class OptimizerStepsTests : BackendTest
{
    [SkippableTheory]
    [InlineData(1000, 0f, false)]
    [InlineData(1_000_003, 1e-3f, false)]
    [InlineData(777, 0.01f, false)]
    [InlineData(5, 0.1f, true)]
    public void AdamMatchesReference(int n, float decay, bool maximize)
    {
        var shape = new Shape(n);
        var p0 = Rand.Uniform(11, n, -2, 2);
        using var p = Tensor.FromArray(B, shape, p0);
        using var m = Tensor.Zeros(B, shape);
        using var v = Tensor.Zeros(B, shape);
        using var pr = Tensor.FromArray(Ref, shape, p0);
        using var mr = Tensor.Zeros(Ref, shape);
        using var vr = Tensor.Zeros(Ref, shape);
        for (int t = 1; t <= 4; t++)
        {
            var g0 = Rand.Normal(20 + t, n, 0.5f);
            using var g = Tensor.FromArray(B, shape, g0);
            using var gr = Tensor.FromArray(Ref, shape, g0);
            var a = new AdamStepParams(0.05f, t, 0.8f, 0.99f, 1e-6f, decay, maximize);
            OptimizerSteps.Adam(p, g, m, v, a);
            OptimizerSteps.Adam(pr, gr, mr, vr, a);
            // Kernels may contract a·b + c into one fused multiply-add; a few float32 ulps apart.
            Check.Close(m.ToArray(), mr.ToArray(), 1e-7, 1e-6, $"adam m, step {t}");
            Check.Close(v.ToArray(), vr.ToArray(), 1e-9, 1e-6, $"adam v, step {t}");
            Check.Close(p.ToArray(), pr.ToArray(), 1e-7, 1e-6, $"adam p, step {t}");
        }
    }

    [SkippableFact]
    public void BadInputNamesOp()
    {
        using var p = Tensor.Zeros(B, new Shape(3, 4));
        using var g = Tensor.Zeros(B, new Shape(4, 3));
        var e = Assert.Throws<RawConvException>(() => OptimizerSteps.Adam(p, g, p, p, new AdamStepParams(0.1f, 1)));
        Assert.Contains("optimizer.adam", e.Message);
        Assert.Contains("(4, 3)", e.Message);
        e = Assert.Throws<RawConvException>(() => OptimizerSteps.Adam(p, p, p, p, new AdamStepParams(0.1f, 0)));
        Assert.Contains("step 0", e.Message);
    }
}

public sealed class OptimizerStepsOpenClTests : OptimizerStepsTests { protected override string BackendName => "opencl"; }
public sealed class OptimizerStepsCudaTests : OptimizerStepsTests { protected override string BackendName => "cuda"; }

public class OptimizerStepsReferenceTests
{
    [Fact]
    public void FirstAdamStepMovesByTheLearningRateAgainstTheGradientsSign()
    {
        // After one step the bias-corrected moments are g and g², so the update is −lr·g / (|g| + eps).
        using var p = Tensor.FromArray(Backends.Reference, new Shape(3), [1f, 2f, -3f]);
        using var g = Tensor.FromArray(Backends.Reference, new Shape(3), [0.5f, -4f, 1e-2f]);
        using var m = Tensor.Zeros(Backends.Reference, new Shape(3));
        using var v = Tensor.Zeros(Backends.Reference, new Shape(3));
        OptimizerSteps.Adam(p, g, m, v, new AdamStepParams(0.1f, 1, Eps: 1e-8f));
        Check.Close(p.ToArray(), [0.9f, 2.1f, -3.1f], 1e-6, 0, "first adam step");
        Check.Close(m.ToArray(), [0.05f, -0.4f, 1e-3f], 1e-9, 1e-6, "m after one step");
        Check.Close(v.ToArray(), [2.5e-4f, 0.016f, 1e-7f], 1e-12, 1e-5, "v after one step");
        // Maximizing with decay 0.5: g' = −g + 0.5·p = (0, 5, −1.51), so p moves by −0.1·sign(g') (0 stays).
        using var p2 = Tensor.FromArray(Backends.Reference, new Shape(3), [1f, 2f, -3f]);
        using var g2 = Tensor.FromArray(Backends.Reference, new Shape(3), [0.5f, -4f, 1e-2f]);
        using var m2 = Tensor.Zeros(Backends.Reference, new Shape(3));
        using var v2 = Tensor.Zeros(Backends.Reference, new Shape(3));
        OptimizerSteps.Adam(p2, g2, m2, v2, new AdamStepParams(0.1f, 1, WeightDecay: 0.5f, Maximize: true));
        Check.Close(p2.ToArray(), [1f, 1.9f, -2.9f], 1e-6, 0, "first maximizing adam step with decay");
    }
}
