using System.Diagnostics;
using System.Text.Json;
using RawConv;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

// Trains or times the mini-AlexNet on Fashion-MNIST and prints one JSON line per epoch.
// --bench N: time N training steps (after 3 warm-up steps) and print images/s, no epochs.
// --alexnet-bench N: time N steps of Caffe bvlc_alexnet at --batch (default 16) on random input.
// Options: --epochs --batch --lr --wd --seed --shift --flip 0/1 --normalize 0/1 --widths c1,c2,c3,c4,c5,fc --stride1 --canvas --device --out DIR (.npy per layer per epoch).
var a = args.Select((s, i) => (s, i)).Where(p => p.s.StartsWith("--")).GroupBy(p => p.s[2..]).ToDictionary(g => g.Key, g => g.Last().i + 1 < args.Length ? args[g.Last().i + 1] : "");
string Get(string k, string d) => a.TryGetValue(k, out var v) ? v : d;
int widths0(int i, int d) => a.TryGetValue("widths", out var w) ? int.Parse(w.Split(',')[i]) : d;
if (a.ContainsKey("alexnet-bench"))
{
    // Caffe bvlc_alexnet, random 3×227×227 inputs and labels: forward + backward + SGD update images/s.
    int steps = int.Parse(Get("alexnet-bench", "3")), n = int.Parse(Get("batch", "16"));
    using var dev = Devices.Open(Get("device", "opencl"), Console.Error.WriteLine);
    using var alex = new Net(Zoo.CaffeAlexNet(), dev);
    alex.InitializeRandom(1);
    var rnd = new RandomDataset(new Shape(1, 3, 227, 227), 1000, n * (steps + 1));
    new Trainer(alex, new TrainOptions(1, n, 1, 0, false, MaxSteps: 1)).Run(rnd);
    var t = Stopwatch.StartNew();
    new Trainer(alex, new TrainOptions(1, n, 1, 0, false, MaxSteps: steps)).Run(rnd);
    Console.WriteLine(JsonSerializer.Serialize(new { model = "bvlc_alexnet", batch = n, steps, seconds = t.Elapsed.TotalSeconds,
        images_per_s = steps * n / t.Elapsed.TotalSeconds }));
    return;
}
var cfg = new MiniAlexNetConfig(int.Parse(Get("canvas", "40")), widths0(0, 32), widths0(1, 64), widths0(2, 96), widths0(3, 96),
    widths0(4, 64), widths0(5, 256), int.Parse(Get("stride1", "2")));
var spec = MiniAlexNet.Spec(cfg);
Console.Error.WriteLine(spec.Info());
using var backend = Devices.Open(Get("device", "opencl"), Console.Error.WriteLine);
using var net = new Net(spec, backend);
int seed = int.Parse(Get("seed", "1")), batch = int.Parse(Get("batch", "64")), epochs = int.Parse(Get("epochs", "8"));
net.InitializeRandom(seed);
bool normalize = Get("normalize", "0") == "1";
var train = FashionMnist.Load("train", cfg.Canvas, normalize);
var test = FashionMnist.Load("test", cfg.Canvas, normalize);
int benchSteps = int.Parse(Get("bench", "0"));
if (benchSteps > 0)
{
    var warm = new Trainer(net, new TrainOptions(1, batch, seed, MaxSteps: 3)).Run(train);
    var sw = Stopwatch.StartNew();
    new Trainer(net, new TrainOptions(1, batch, seed, MaxSteps: benchSteps)).Run(train);
    backend.Synchronize();
    double ips = benchSteps * batch / sw.Elapsed.TotalSeconds;
    Console.WriteLine(JsonSerializer.Serialize(new { widths = Get("widths", "default"), batch, images_per_s = ips,
        parameters = spec.ParameterCount(), macs = spec.MultiplyAdds() }));
    return;
}
int stepsPerEpoch = train.Count / batch;
var sgd = new SgdOptions(float.Parse(Get("lr", "0.02")), 0.9f, float.Parse(Get("wd", "5e-4")), LrPolicy.Cosine,
    TotalSteps: epochs * stepsPerEpoch, MinFactor: 0.01f);
string outDir = Get("out", "");
var trainer = new Trainer(net, new TrainOptions(epochs, batch, seed, int.Parse(Get("shift", "4")), Get("flip", "1") == "1", Sgd: sgd,
    ProgressEvery: 100))
{
    Progress = p => Console.Error.WriteLine($"epoch {p.Epoch} step {p.Step}/{p.StepsPerEpoch} loss {p.MeanLoss:F4} acc {p.Accuracy:P2} lr {p.LearningRate:G3} {p.ImagesPerSecond:F1} img/s {p.Elapsed:hh\\:mm\\:ss}"),
    EpochEnd = e => Console.WriteLine(JsonSerializer.Serialize(e)),
    Checkpoint = (epoch, n) =>
    {
        if (outDir == "") return;
        var d = Path.Combine(outDir, $"epoch{epoch}");
        Directory.CreateDirectory(d);
        foreach (var (name, p) in n.Parameters)
        {
            Npy.WriteTensor(Path.Combine(d, $"{name}.weight.npy"), p.Weight);
            if (p.Bias is not null) Npy.WriteTensor(Path.Combine(d, $"{name}.bias.npy"), p.Bias);
        }
    },
};
var result = trainer.Run(train, test);
var ev = Evaluator.Evaluate(net, test, 100);
Console.WriteLine(JsonSerializer.Serialize(new { top1 = ev.Top1, top5 = ev.Top5, n = ev.N, seconds = result.Elapsed.TotalSeconds }));

/// <summary>Uniform random items with labels i mod classes, for timing only.</summary>
internal sealed class RandomDataset(Shape item, int classes, int count) : IDataset
{
    public int Count => count;
    public IReadOnlyList<string> Classes { get; } = Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray();
    public Shape ItemShape => item;
    public int Label(int index) => index % classes;
    public void CopyItem(int index, Span<float> dst)
    {
        var r = new Random(index);
        for (int i = 0; i < dst.Length; i++) dst[i] = r.NextSingle();
    }
}
