using System.Text.Json;
using RawConv.Algorithms.Optimize;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// Adam on the optimizer core against torch.optim.Adam's float32 trajectory (tools/make_optimizer_refs.py):
/// two groups (a 3×4 weight with decay, a 5-vector at another learning-rate multiplier), separable
/// quadratics whose gradient (x − c)·a both sides compute bit for bit alike, 25 steps, descending and
/// ascending. Every parameter after every step within 2e-6 relative (plus 2e-6·max|x| absolute).
/// </summary>
public abstract class AdamTests : BackendTest
{
    [SkippableTheory]
    [InlineData("descent")]
    [InlineData("ascent")]
    public void TrajectoryMatchesTorch(string name)
    {
        var c = OptimizerRefs.Case(OptimizerRefs.Adam(), name);
        var g = c.GetProperty("groups");
        string[] names = ["w", "b"];
        var data = names.ToDictionary(k => k, k => g.GetProperty(k));
        var values = names.ToDictionary(k => k, k => Tensor.FromArray(B, new Shape(data[k].GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray()),
            OptimizerRefs.Floats(data[k].GetProperty("x0"))));
        try
        {
            var options = new AdamOptions(F(c, "lr"), c.GetProperty("beta1").GetDouble(), c.GetProperty("beta2").GetDouble(), F(c, "eps"), Maximize: c.GetProperty("maximize").GetBoolean());
            using var adam = new Adam([new ParameterGroup("w", values["w"], 1f, F(c, "decay_w")), new ParameterGroup("b", values["b"], F(c, "mult_b"), 0f)],
                options);
            float sign = options.Maximize ? -1f : 1f;
            int step = 0;
            foreach (var expected in c.GetProperty("trajectory").EnumerateArray())
            {
                var grads = names.Select(k =>
                {
                    var x = values[k].ToArray();
                    var a = OptimizerRefs.Floats(data[k].GetProperty("a"));
                    var cc = OptimizerRefs.Floats(data[k].GetProperty("c"));
                    // The script's gradient, (x − c)·a, negated for the concave objective of the ascent case.
                    var gr = x.Select((xi, i) => sign * ((xi - cc[i]) * a[i])).ToArray();
                    return Tensor.FromArray(B, values[k].Shape, gr);
                }).ToArray();
                adam.Step(grads);
                foreach (var t in grads) t.Dispose();
                step++;
                foreach (var k in names)
                {
                    var e = OptimizerRefs.Floats(expected.GetProperty(k));
                    Check.Close(values[k].ToArray(), e, 2e-6 * e.Max(MathF.Abs), 2e-6, $"{name} step {step} group {k}");
                }
            }
            Assert.Equal(25, adam.Iteration);
        }
        finally
        {
            foreach (var t in values.Values) t.Dispose();
        }
    }

    [SkippableFact]
    public void BadSettingsAreRefusedByName()
    {
        using var x = Tensor.Zeros(B, new Shape(3));
        var e = Assert.Throws<RawConvException>(() => new Adam([ParameterGroup.For(x)], new AdamOptions(Beta2: 1f)));
        Assert.Contains("adam: β1 = 0.9 and β2 = 1", e.Message);
        e = Assert.Throws<RawConvException>(() => new Adam([ParameterGroup.For(x)], new AdamOptions(Eps: 0f)));
        Assert.Contains("adam: eps = 0", e.Message);
    }

    private static float F(JsonElement c, string key) => (float)c.GetProperty(key).GetDouble();
}

public sealed class AdamReferenceTests : AdamTests { protected override string BackendName => "reference"; }
public sealed class AdamOpenClTests : AdamTests { protected override string BackendName => "opencl"; }
public sealed class AdamCudaTests : AdamTests { protected override string BackendName => "cuda"; }
