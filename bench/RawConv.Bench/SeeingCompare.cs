using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// `seeing`: the seeing visualizations (projections, occlusion, top-9) against PyTorch doing the same work in the same run
/// (tools/peer_seeing.py): deconvnet projection latency (one conv5 unit, bvlc_alexnet, batch 1),
/// occlusion throughput (196 occluded 227×227 copies, batches of 32), and the top-9 scan over the
/// Fashion-MNIST test set at conv5 of the default mini-AlexNet. Random weights: speed only.
/// </summary>
public static class SeeingCompare
{
    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        string? write = Peer.Arg(args, "--write");

        var peer = Peer.Run("peer_seeing.py", ["--reps", reps.ToString(CultureInfo.InvariantCulture)]);   // first: PoCL's threads linger after our kernels
        using var b = Devices.Open(device);
        var rows = new List<(string What, string Unit, double Ours, double Peer, bool HigherIsBetter)>();

        using (var alex = new Net(Zoo.CaffeAlexNet(), b))
        {
            alex.InitializeRandom(0);
            var rng = new Random(1);
            var xs = new float[3 * 227 * 227];
            for (int i = 0; i < xs.Length; i++) xs[i] = 50 * (2 * rng.NextSingle() - 1);
            using var x = Tensor.FromArray(b, new Shape(1, 3, 227, 227), xs);
            foreach (var (rule, key) in new[] { (ReluRule.Deconvnet, "deconv_ms"), (ReluRule.Standard, "gradient_ms") })
            {
                double ms = Compare.MedianMs(b, reps, () =>
                {
                    using var p = Deconvnet.Project(alex, x, UnitChoice.Strongest("conv5"), rule);
                    return p.Input.Clone();
                });
                rows.Add(($"projection of the strongest conv5 unit, {rule} rule, bvlc_alexnet batch 1", "ms", ms, peer.GetProperty(key).GetDouble(), false));
            }

            var opts = new OcclusionOptions(Size: 32, Stride: 16, Fill: OcclusionFill.Parse("zero"), BatchSize: 32);
            Occlusion.Run(alex, x, Preprocessing.Caffe, opts);   // warm-up
            var times = new double[reps];
            int images = 0;
            for (int r = 0; r < reps; r++)
            {
                var sw = Stopwatch.StartNew();
                var res = Occlusion.Run(alex, x, Preprocessing.Caffe, opts);
                times[r] = sw.Elapsed.TotalMilliseconds;
                images = res.Rows * res.Cols;
            }
            Array.Sort(times);
            var po = peer.GetProperty("occlusion");
            if (po.GetProperty("images").GetInt32() != images)
                throw new InvalidOperationException($"occlusion: we scan {images} positions, the peer {po.GetProperty("images").GetInt32()}");
            rows.Add(($"occlusion, {images} occluded 227×227 copies (32 px square, stride 16), batches of 32", "images/s",
                images / times[reps / 2] * 1e3, po.GetProperty("images_per_s").GetDouble(), true));
        }

        if (File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")))
        {
            var spec = MiniAlexNet.Spec(new MiniAlexNetConfig(Conv1Stride: 1));
            using var net = new Net(spec, b);
            net.InitializeRandom(0);
            var test = FashionMnist.Load("test", 40);
            TopKScan.Run(net, test.Take(200), "conv5", new TopKOptions(K: 9, BatchSize: 100));   // warm-up
            int n = Math.Max(1, reps / 2);
            var times = new double[n];
            for (int r = 0; r < n; r++)
            {
                var sw = Stopwatch.StartNew();
                TopKScan.Run(net, test, "conv5", new TopKOptions(K: 9, BatchSize: 100));
                times[r] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            rows.Add(($"top-9 scan of conv5 over the Fashion-MNIST test set ({test.Count} images, batches of 100), mini-AlexNet", "images/s",
                test.Count / times[n / 2] * 1e3, peer.GetProperty("topk").GetProperty("images_per_s").GetDouble(), true));
        }

        var sb = new StringBuilder();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/RawConv.Bench -- seeing --device {device} --reps {reps}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; RawConv on {b.Info.Name} ({b.Name}); peer: {Peer.Describe(peer)}, " +
            "same run (tools/peer_seeing.py); medians; random weights.");
        sb.AppendLine();
        sb.AppendLine("| work | unit | RawConv | PyTorch | RawConv / PyTorch time |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (what, unit, ours, p, higher) in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {unit} | {ours:F1} | {p:F1} | {(higher ? p / ours : ours / p):F2}× |"));
        Console.WriteLine(sb);
        if (write != null) File.WriteAllText(write, sb.ToString());
        return 0;
    }
}
