using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// Side by side with PyTorch in the same run: the bvlc_alexnet conv layers on RawConv and on
/// PyTorch (tools/peer_conv.py, 2 threads), median of --reps runs each, GFLOP/s and the time ratio.
/// </summary>
public static class Compare
{
    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        int[] batches = (Peer.Arg(args, "--batch") ?? "1,16").Split(',').Select(int.Parse).ToArray();
        bool backward = args.Contains("--backward");
        string? write = Peer.Arg(args, "--write");

        // The peer runs first, before our device exists: PoCL's worker threads stay busy for a while
        // after our kernels finish and would slow a peer that ran after them in the same run.
        var peer = Peer.Run("peer_conv.py", ["--batch", .. batches.Select(n => n.ToString(CultureInfo.InvariantCulture)), "--reps", reps.ToString(CultureInfo.InvariantCulture), .. backward ? new[] { "--backward" } : []]);
        using var b = Devices.Open(device);
        Console.Error.WriteLine($"device: {b.Info}");
        var ours = new Dictionary<(string, int, string), double>();
        foreach (var n in batches)
            foreach (var layer in AlexNetShapes.Conv)
            {
                var rng = new Random(1);
                using var x = Tensor.FromArray(b, layer.X(n), Randoms(rng, layer.X(n).Count));
                using var w = Tensor.FromArray(b, layer.Weight, Randoms(rng, layer.Weight.Count, 0.01f));
                using var bias = Tensor.FromArray(b, new Shape(layer.K), Randoms(rng, layer.K));
                ours[(layer.Name, n, "forward")] = MedianMs(b, reps, () => Conv2d.Forward(x, w, bias, layer.Params));
                if (!backward) continue;
                using var dy = Conv2d.Forward(x, w, bias, layer.Params);
                ours[(layer.Name, n, "backward_data")] = MedianMs(b, reps, () => Conv2d.BackwardData(dy, w, x.Shape, layer.Params));
                ours[(layer.Name, n, "backward_filter")] = MedianMs(b, reps, () => Conv2d.BackwardFilter(x, dy, w.Shape, layer.Params));
                Console.Error.WriteLine($"  {layer.Name} batch {n} done");
            }

        var table = Table(b, peer, ours, batches, backward, reps, device);
        Console.WriteLine(table);
        if (write != null) File.WriteAllText(write, table);
        return 0;
    }

    private static string Table(IBackend b, JsonElement peer, Dictionary<(string, int, string), double> ours,
        int[] batches, bool backward, int reps, string device)
    {
        var sb = new StringBuilder();
        string cmd = "dotnet run -c Release --project bench/RawConv.Bench -- compare " +
            $"--device {device} --batch {string.Join(',', batches)} --reps {reps}{(backward ? " --backward" : "")}";
        sb.AppendLine($"Command: `{cmd}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {Environment.ProcessorCount} cores; RawConv on {b.Info.Name} ({b.Name}); " +
            $"peer: {Peer.Describe(peer)}, same run. Median of {reps}.");
        sb.AppendLine();
        sb.AppendLine("| layer | batch | pass | GFLOP | RawConv ms | RawConv GFLOP/s | PyTorch ms | PyTorch GFLOP/s | RawConv / PyTorch time |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        string[] passes = backward ? ["forward", "backward_data", "backward_filter"] : ["forward"];
        foreach (var n in batches)
            foreach (var pass in passes)
            {
                double sumOurs = 0, sumPeer = 0, sumFlops = 0;
                foreach (var layer in AlexNetShapes.Conv)
                {
                    double ms = ours[(layer.Name, n, pass)];
                    double pms = PeerMs(peer, layer.Name, n, pass);
                    double gf = layer.Flops(n) / 1e9;
                    sumOurs += ms; sumPeer += pms; sumFlops += gf;
                    sb.AppendLine(Row(layer.Name, n, pass, gf, ms, pms));
                }
                sb.AppendLine(Row("**conv1–5**", n, pass, sumFlops, sumOurs, sumPeer));
            }
        return sb.ToString();
    }

    private static string Row(string name, int n, string pass, double gf, double ms, double pms) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {n} | {pass} | {gf:F2} | {ms:F1} | {gf / ms * 1e3:F1} | {pms:F1} | {gf / pms * 1e3:F1} | {ms / pms:F2}× |");

    private static double PeerMs(JsonElement peer, string layer, int n, string pass)
    {
        foreach (var row in peer.GetProperty("layers").EnumerateArray())
            if (row.GetProperty("name").GetString() == layer && row.GetProperty("batch").GetInt32() == n)
                return row.GetProperty(pass + "_ms").GetDouble();
        throw new InvalidOperationException($"peer gave no {pass} time for {layer} batch {n}");
    }

    /// <summary>Median wall time of <paramref name="reps"/> runs after one warm-up, synchronizing inside the measured region.</summary>
    public static double MedianMs(IBackend b, int reps, Func<Tensor> op)
    {
        op().Dispose();
        b.Synchronize();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var y = op()) b.Synchronize();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    private static float[] Randoms(Random r, long n, float scale = 1f)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = scale * (2 * r.NextSingle() - 1);
        return a;
    }

    /// <summary>The repository root (the folder holding RawConv.sln).</summary>
    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "RawConv.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? Directory.GetCurrentDirectory();
    }
}
