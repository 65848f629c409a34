using System.Diagnostics;
using System.Globalization;
using System.Text;
using RawConv.Algorithms.Dream;
using RawConv.Algorithms.Invert;
using RawConv.Algorithms.Maximize;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// `optimize`: input-optimization loops against PyTorch doing the same loops in the same run (tools/peer_optimize.py) on
/// bvlc_alexnet with random weights, a 227×227 input at batch 1: class-model ascent (SGD, L2 and TV penalties), one
/// DeepDream octave (roll, ½‖relu4‖², normalized step, clip) and conv3 inversion (Adam, α-norm and TV priors).
/// </summary>
public static class OptimizeCompare
{
    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        int iters = int.Parse(Peer.Arg(args, "--iters") ?? "10", CultureInfo.InvariantCulture);
        string? write = Peer.Arg(args, "--write");

        var peer = Peer.Run("peer_optimize.py", ["--reps", reps.ToString(CultureInfo.InvariantCulture), "--iters", iters.ToString(CultureInfo.InvariantCulture)]);
        using var b = Devices.Open(device);
        using var net = new Net(Zoo.CaffeAlexNet(), b);
        net.InitializeRandom(0);
        var pre = Preprocessing.Caffe.For(3);
        var rng = new Random(1);
        var xs = new float[3 * 227 * 227];
        for (int i = 0; i < xs.Length; i++) xs[i] = 50 * (2 * rng.NextSingle() - 1);
        using var x0 = Tensor.FromArray(b, new Shape(1, 3, 227, 227), xs);
        var rows = new List<(string What, double Ours, double Peer)>();

        var max = new MaximizeOptions
        {
            Iterations = iters, Optimizer = new OptimizerSettings(OptimizerKind.Sgd, 1f, 0.9f), L2 = 1e-4f, Tv = 1e-4f, BlurEvery = 0, Jitter = 0, Clip = PixelClip.None,
        };
        rows.Add(("class model: ascend fc8[7] − 1e-4‖x‖² − 1e-4·TV₂ with SGD (momentum 0.9)",
            Rate(b, reps, iters, () => ActivationMaximization.Run(net, pre, new ClassScore(7), x0, max).Dispose()), IterRate(peer, "class_model")));

        var goal = new InputObjective([new FeatureEnergy("relu4")], [], maximize: true);
        rows.Add(("one DeepDream octave: roll, ½‖relu4‖², step 1.5·g / mean(abs g), roll back, clip",
            Rate(b, reps, iters, () =>
            {
                using var x = x0.Clone();
                for (int i = 0; i < iters; i++)
                {
                    DeepDream.Step(net, goal, x, -3, 5, 1.5f);
                    InputSteps.ClipToPixels(x, pre);
                }
            }), IterRate(peer, "dream")));

        var inv = new InvertOptions { Iterations = iters, Optimizer = new OptimizerSettings(OptimizerKind.Adam, 7.65f), Clip = PixelClip.None };
        rows.Add(("conv3 inversion with Adam: normalized reconstruction + α-norm (α = 6) + TV₂ (ours includes the target and final forwards)",
            Rate(b, reps, iters, () => Inversion.Run(net, pre, "conv3", x0, inv).Dispose()), IterRate(peer, "invert")));

        var sb = new StringBuilder();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/RawConv.Bench -- optimize --device {device} --reps {reps} --iters {iters}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; RawConv on {b.Info.Name} ({b.Name}); peer: {Peer.Describe(peer)}, " +
            "same run (tools/peer_optimize.py); bvlc_alexnet with random weights, 227×227, batch 1; medians of runs of " + iters + " iterations.");
        sb.AppendLine();
        sb.AppendLine("| loop | RawConv iterations/s | PyTorch iterations/s | RawConv / PyTorch throughput |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var (what, ours, p) in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {ours:F2} | {p:F2} | {ours / p:F2}× |"));
        Console.WriteLine(sb);
        if (write != null) File.WriteAllText(write, sb.ToString());
        return 0;
    }

    private static double IterRate(System.Text.Json.JsonElement peer, string key) => peer.GetProperty(key).GetProperty("iters_per_s").GetDouble();

    /// <summary>Iterations per second: median over <paramref name="reps"/> runs (after one warm-up) of <paramref name="iters"/> iterations.</summary>
    internal static double Rate(IBackend b, int reps, int iters, Action run)
    {
        run();
        var t = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            run();
            b.Synchronize();
            t[r] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(t);
        return iters / t[reps / 2] * 1e3;
    }
}
