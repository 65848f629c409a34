using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Ops;
using RawConv.Ops.Reference;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Training;

/// <summary>
/// The whole mini-AlexNet's backward (Net.Backward in float32, on each backend) against central finite
/// differences of a float64 forward — an independent interpreter of the same NetSpec built from the
/// generic reference ops — of the softmax cross-entropy training loss, for sampled weights, biases and
/// inputs of every parameterised layer.
/// </summary>
public abstract class WholeNetGradientTests : BackendTest
{
    /// <summary>Every layer kind of the default model, narrow so float64 finite differences stay cheap.</summary>
    internal static NetSpec Small() => MiniAlexNet.Spec(new MiniAlexNetConfig(Canvas: 24, C1: 4, C2: 8, C3: 8, C4: 8, C5: 8, Fc: 12, Conv1Stride: 2, Classes: 5));

    [SkippableFact]
    public void LossGradientsMatchFloat64FiniteDifferences()
    {
        var spec = Small();
        const int n = 3;
        int[] labels = [1, 4, 0];
        using var net = new Net(spec, B);
        net.InitializeRandom(11);
        // Small random biases so that no unit sits exactly at a ReLU kink and bias gradients are exercised.
        int s = 20;
        foreach (var (name, p) in net.Parameters.ToList())
            net.SetParams(name, p.Weight.ToArray(), p.Bias is { } bias ? Rand.Uniform(s++, bias.Count, 0.01f, 0.1f) : null);
        var x = Rand.Uniform(7, spec.InputShape(n).Count, 0f, 1f);

        // float32 analytic: forward, cross-entropy at the logits, backward with parameter gradients.
        string logits = spec.Layers[^2].Name;
        using var xt = Tensor.FromArray(B, spec.InputShape(n), x);
        using var f = net.Forward(xt, logits);
        using var lab = Tensor.FromInts(B, new Shape(n), labels);
        using var dl = CrossEntropy.Backward(f.Output, lab);
        using var g = net.Backward(f, logits, dl, parameterGradients: true);

        var w64 = net.Parameters.ToDictionary(kv => kv.Key, kv => (W: ToDouble(kv.Value.Weight.ToArray()), B: kv.Value.Bias is { } b ? ToDouble(b.ToArray()) : []));
        var x64 = ToDouble(x);
        double Loss() => Float64Loss(spec, w64, x64, labels, n);

        var rng = new Random(3);
        int checkedCount = 0;
        void Probe(double[] values, float[] analytic, string what, int samples)
        {
            for (int t = 0; t < samples; t++)
            {
                int i = rng.Next(values.Length);
                double keep = values[i], h = 1e-4 * Math.Max(1, Math.Abs(keep));
                values[i] = keep + h; double up = Loss();
                values[i] = keep - h; double down = Loss();
                values[i] = keep; double mid = Loss();
                double fd = (up - down) / (2 * h);
                // a ReLU or max-pool switch flipping inside ±h shows as disagreeing one-sided slopes: skip those
                if (Math.Abs((up - mid) / h - (mid - down) / h) > 1e-3 * (1 + Math.Abs(fd))) continue;
                double a = analytic[i];
                Assert.True(Math.Abs(a - fd) <= 2e-4 + 2e-3 * Math.Abs(fd), $"{what}[{i}]: Net.Backward {a}, float64 central difference {fd}");
                checkedCount++;
            }
        }
        foreach (var (name, p) in g.ParameterGradients)
        {
            Probe(w64[name].W, p.Weight.ToArray(), $"d{name}.weight", 12);
            if (p.Bias is { } db) Probe(w64[name].B, db.ToArray(), $"d{name}.bias", 4);
        }
        Probe(x64, g.InputGradient.ToArray(), "dinput", 12);
        Assert.True(checkedCount >= 100, $"only {checkedCount} probes were away from kinks");
    }

    private static double[] ToDouble(float[] a) => a.Select(v => (double)v).ToArray();

    /// <summary>Mean softmax cross-entropy of the net's logits, computed in float64 by the reference ops (dropout off, as in the analytic pass).</summary>
    internal static double Float64Loss(NetSpec spec, Dictionary<string, (double[] W, double[] B)> p, double[] input, int[] labels, int n)
    {
        var shapes = spec.Shapes(n);
        double[] cur = input;
        for (int i = 0; i < spec.Layers.Count - 1; i++)
        {
            var layer = spec.Layers[i];
            Shape xs = shapes[i], ys = shapes[i + 1];
            var y = new double[ys.Count];
            switch (layer)
            {
                case ConvLayer c:
                    Conv2dRef.Forward<double>(cur, p[c.Name].W, p[c.Name].B, y, xs, c.WeightShape(xs), c.Params);
                    break;
                case ReluLayer:
                    ReluRef.Forward<double>(cur, y);
                    break;
                case LrnLayer l:
                    LrnRef.Forward<double>(cur, y, xs, l.Params);
                    break;
                case MaxPoolLayer m:
                    Pool2dRef.MaxForward<double>(cur, y, new int[ys.Count], xs, ys, m.Params);
                    break;
                case FcLayer fc:
                    GemmRef.LinearForward<double>(cur, p[fc.Name].W, p[fc.Name].B, y, n, (int)(xs.Count / n), fc.Out);
                    break;
                case DropoutLayer or FlattenLayer:
                    y = cur;
                    break;
                default:
                    throw new InvalidOperationException($"no float64 forward for {layer.GetType().Name}");
            }
            cur = y;
        }
        return CrossEntropyRef.Forward<double>(cur, labels, n, cur.Length / n);
    }
}

public sealed class WholeNetGradientReferenceTests : WholeNetGradientTests { protected override string BackendName => "reference"; }
public sealed class WholeNetGradientOpenClTests : WholeNetGradientTests { protected override string BackendName => "opencl"; }
public sealed class WholeNetGradientCudaTests : WholeNetGradientTests { protected override string BackendName => "cuda"; }
