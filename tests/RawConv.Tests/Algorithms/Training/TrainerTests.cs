using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Training;

/// <summary>
/// Short training runs on a Fashion-MNIST subset: the loss must fall (mean of the last 20 steps below
/// 0.6 × the mean of the first 5) and two runs with one seed must give bit-identical loss sequences.
/// </summary>
public abstract class TrainerTests : BackendTest
{
    /// <summary>A narrow mini-AlexNet on 32×32 canvases, to keep the runs short.</summary>
    private static readonly MiniAlexNetConfig Small = new(Canvas: 32, C1: 8, C2: 16, C3: 16, C4: 16, C5: 16, Fc: 64);

    protected virtual int Steps => 150;
    protected virtual int Batch => 32;
    protected virtual int Subset => 2000;
    protected virtual MiniAlexNetConfig Config => Small;

    private float[] Train(int seed, int steps)
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");
        var data = FashionMnist.Load("train", Config.Canvas, normalize: true).Take(Subset);
        using var net = new Net(MiniAlexNet.Spec(Config), B);
        net.InitializeRandom(seed);
        int epochs = (steps * Batch + Subset - 1) / Subset + 1;
        var opts = new TrainOptions(epochs, Batch, seed, MaxShift: 2, MaxSteps: steps, Sgd: new SgdOptions(LearningRate: 0.05f));
        var result = new Trainer(net, opts).Run(data);
        Assert.Equal(steps, result.StepLosses.Length);
        return result.StepLosses;
    }

    [SkippableFact]
    public void LossFallsAndRunsAreDeterministic()
    {
        var a = Train(3, Steps);
        double first = a.Take(5).Average(), last = a.TakeLast(20).Average();
        Assert.True(last < 0.6 * first, $"mean loss of the last 20 steps {last:F4} is not below 0.6 × the first 5 {first:F4}");
        var b = Train(3, Math.Min(Steps, 40));
        Assert.Equal(a.Take(b.Length).Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        var c = Train(4, 5);
        Assert.NotEqual(a.Take(5), c);
    }

    [SkippableFact]
    public void EvaluatorCountsEveryItemOnce()
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");
        var data = FashionMnist.Load("test", Config.Canvas).Take(37);
        using var net = new Net(MiniAlexNet.Spec(Config), B);
        net.InitializeRandom(1);
        var r = Evaluator.Evaluate(net, data, batchSize: 16);
        Assert.Equal(37, r.N);
        int total = 0;
        foreach (var v in r.Confusion) total += v;
        Assert.Equal(37, total);
        Assert.InRange(r.Top5, r.Top1, 1.0);
    }
}

public class TrainerOpenClTests : TrainerTests
{
    protected override string BackendName => "opencl";
}

public class TrainerCudaTests : TrainerTests
{
    protected override string BackendName => "cuda";
}

/// <summary>The reference backend trains a tiny net on a tiny subset (it is slow by design).</summary>
public class TrainerReferenceTests : TrainerTests
{
    protected override string BackendName => "reference";
    protected override int Steps => 60;
    protected override int Batch => 16;
    protected override int Subset => 400;
    protected override MiniAlexNetConfig Config => new(Canvas: 28, C1: 4, C2: 8, C3: 8, C4: 8, C5: 8, Fc: 16);
}
