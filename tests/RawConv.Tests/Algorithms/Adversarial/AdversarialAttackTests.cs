using RawConv.Algorithms.Adversarial;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Graph.Weights;
using RawConv.Tests.Algorithms.Optimize;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Adversarial;

/// <summary>FGSM against PyTorch's gradient sign, and targeted PGD on 20 Fashion-MNIST test images of the default model.</summary>
public class AdversarialAttackTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void FgsmPerturbationIsEpsilonTimesTheSignOfPyTorchsGradient()
    {
        var b = Backends.Get("opencl");
        int k = OptimizeRefs.Meta.GetProperty("class").GetInt32();
        using var net = WeightsFile.Load(AlexRefs.File("bvlc_alexnet.h5"), b).Net;
        using var x = OptimizeRefs.Load(b, "input");
        var o = new AttackOptions { Method = AttackMethod.Fgsm, Epsilon = 2f, Clip = PixelClip.None };
        using var r = AdversarialAttack.Run(net, Preprocessing.Caffe.For(3), x, k, o);
        var x0 = x.ToArray();
        var a = r.Input.ToArray();
        var g = OptimizeRefs.Array("grad_class_logprob");
        double big = g.Max(v => Math.Abs(v)) * 1e-4;
        int sure = 0, tiny = 0, tinyDiffer = 0;
        for (int i = 0; i < g.Length; i++)
        {
            float step = a[i] - x0[i];
            if (Math.Abs(g[i]) > big)
            {
                Assert.True(Math.Abs(step - 2f * MathF.Sign(g[i])) < 1e-4, $"element {i}: step {step}, PyTorch's gradient {g[i]}");
                sure++;
            }
            else if (++tiny > 0 && Math.Abs(step - 2f * MathF.Sign(g[i])) > 1e-4) tinyDiffer++;
        }
        output.WriteLine($"{sure} elements checked exactly; {tinyDiffer} of {tiny} elements with |g| ≤ 1e-4·max|g| differ in sign");
        Assert.True(tinyDiffer <= g.Length / 1000, $"{tinyDiffer} near-zero gradient elements changed sign");
        Assert.Equal(2.0, r.LInf, 4);
    }

    [SkippableTheory]
    [InlineData(AttackMethod.Pgd)]
    [InlineData(AttackMethod.Lbfgs)]
    public void TargetedAttacksSucceedOnTwentyTestImagesOfTheDefaultModel(AttackMethod method)
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");
        var b = Backends.Get("opencl");
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);
        var pre = w.Preprocessing!.For(1);
        var test = FashionMnist.Load("test");
        var o = new AttackOptions { Method = method, Epsilon = 24 / 255f, Steps = 40, CSearch = 4 };
        double l2 = 0;
        for (int i = 0; i < 20; i++)
        {
            var item = new float[test.ItemShape.Count];
            test.CopyItem(i, item);
            using var x = Tensor.FromArray(b, test.ItemShape, item);
            int target = (test.Label(i) + 1 + i % 9) % 10;
            using var r = AdversarialAttack.Run(w.Net, pre, x, target, o);
            Assert.True(r.Label == target, $"image {i}: label {test.Label(i)}, target {target}, got {r.Label} (P = {r.Probability:F3})");
            if (method == AttackMethod.Pgd) Assert.True(r.LInf <= o.Epsilon + 1e-6, $"image {i}: ‖r‖∞ = {r.LInf} exceeds ε");
            Assert.All(r.Input.ToArray(), v => Assert.InRange(v, 0f, 1f));
            l2 += r.L2;
        }
        output.WriteLine($"targeted {method}: 20 of 20 succeeded, mean ‖r‖₂ = {l2 / 20:F3} (input units, pixels/255)");
    }
}
