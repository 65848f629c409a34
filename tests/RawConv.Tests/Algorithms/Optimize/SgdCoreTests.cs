using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;
using RawConv.Tests.Algorithms.Training;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// Sgd on the optimizer core, training a small mini-AlexNet on a seeded batch, against a plain host
/// float32 reimplementation of Caffe's update in the same op order per tensor (v ← μ·v; v ← v − lr·g;
/// v ← v − lr·λ·w; w ← w + v; biases at lr·2 without decay) fed the same gradients: bitwise equal on
/// the reference backend, within 1e-6 relative on the kernel backends.
/// </summary>
public abstract class SgdCoreTests : BackendTest
{
    /// <summary>True where the device must reproduce the host's float32 arithmetic bit for bit.</summary>
    protected virtual bool Bitwise => false;

    [SkippableFact]
    public void TrainingStepsMatchAHostCaffeUpdate()
    {
        var spec = WholeNetGradientTests.Small();
        const int n = 4;
        int[] labels = [0, 3, 1, 4];
        using var net = new Net(spec, B);
        net.InitializeRandom(21);
        using var x = Tensor.FromArray(B, spec.InputShape(n), Rand.Uniform(5, spec.InputShape(n).Count, 0f, 1f));
        using var target = Tensor.FromInts(B, new Shape(n), labels);
        const float momentum = 0.9f, decay = 5e-4f;
        var options = new SgdOptions(LearningRate: 0.05f, Momentum: momentum, WeightDecay: decay, Policy: LrPolicy.Step,
            StepSize: 2, Gamma: 0.5f, BiasLrMultiplier: 2f);
        // The step policy's rates written out: 0.05 for steps 0–1, halved every two steps.
        float[] lrs = [0.05f, 0.05f, 0.025f, 0.025f, 0.0125f];
        using var sgd = new Sgd(NetGroups.Of(net, options), options);

        var host = net.Parameters.ToDictionary(kv => kv.Key, kv => (W: kv.Value.Weight.ToArray(), B: kv.Value.Bias!.ToArray()));
        var vel = host.ToDictionary(kv => kv.Key, kv => (W: new float[kv.Value.W.Length], B: new float[kv.Value.B.Length]));
        string logits = spec.Layers[^2].Name;
        for (int step = 0; step < lrs.Length; step++)
        {
            using var pass = net.Forward(x, logits, training: true, seed: (ulong)step);
            using var dl = CrossEntropy.Backward(pass.Output, target);
            using var back = net.Backward(pass, logits, dl, parameterGradients: true, inputGradient: false);
            float lr = lrs[step];
            foreach (var (name, g) in back.ParameterGradients)
            {
                HostCaffeUpdate(host[name].W, g.Weight.ToArray(), vel[name].W, momentum, lr, decay);
                HostCaffeUpdate(host[name].B, g.Bias!.ToArray(), vel[name].B, momentum, lr * 2f, 0f);
            }
            Assert.Equal(lr, sgd.Step(NetGroups.Gradients(back.ParameterGradients)));
            foreach (var (name, p) in net.Parameters)
            {
                Same(p.Weight.ToArray(), host[name].W, $"step {step} {name}.weight");
                Same(p.Bias!.ToArray(), host[name].B, $"step {step} {name}.bias");
                Same(sgd.Velocity(NetGroups.WeightName(name)).ToArray(), vel[name].W, $"step {step} {name}.weight velocity");
            }
        }
        Assert.Equal(lrs.Length, sgd.Iteration);
        Assert.Equal(2 * net.Parameters.Count, sgd.Groups.Count);
    }

    /// <summary>Caffe's SGD update of one tensor on the host, one float32 rounding per operation.</summary>
    private static void HostCaffeUpdate(float[] w, float[] g, float[] v, float momentum, float lr, float decay)
    {
        for (int i = 0; i < w.Length; i++) v[i] = momentum * v[i];
        for (int i = 0; i < w.Length; i++) v[i] += -lr * g[i];
        if (decay != 0)
        {
            float a = -lr * decay;
            for (int i = 0; i < w.Length; i++) v[i] += a * w[i];
        }
        for (int i = 0; i < w.Length; i++) w[i] += v[i];
    }

    private void Same(float[] actual, float[] expected, string what)
    {
        if (Bitwise)
            Assert.True(actual.Select(BitConverter.SingleToInt32Bits).SequenceEqual(expected.Select(BitConverter.SingleToInt32Bits)),
                $"{what}: not bitwise equal to the host update");
        else
            // The kernels' axpy is one fused multiply-add where the host rounds twice. Those few-ulp differences
            // are of the operands' size, and an element that w + v or μ·v − lr·g cancels toward zero carries them
            // at a larger relative size, so the bound is 1e-6 relative to the tensor's largest magnitude as well
            // as to each element. A missing or misweighted term (decay alone is 2.5e-5·w) is far above it.
            Check.Close(actual, expected, 1e-6 * expected.Max(MathF.Abs), 1e-6, what);
    }
}

public sealed class SgdCoreReferenceTests : SgdCoreTests
{
    protected override string BackendName => "reference";
    protected override bool Bitwise => true;
}

public sealed class SgdCoreOpenClTests : SgdCoreTests { protected override string BackendName => "opencl"; }
public sealed class SgdCoreCudaTests : SgdCoreTests { protected override string BackendName => "cuda"; }
