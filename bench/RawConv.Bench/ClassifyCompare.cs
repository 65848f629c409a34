using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// `classify` end to end on the Caffe-style bvlc_alexnet, RawConv vs PyTorch (tools/peer_alexnet.py) in
/// the same run: the network forward alone, and JPEG decode + Caffe preprocessing + forward + top-5.
/// </summary>
public static class ClassifyCompare
{
    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        int[] batches = (Peer.Arg(args, "--batch") ?? "1,16").Split(',').Select(int.Parse).ToArray();
        string image = Peer.Arg(args, "--image") ?? "/usr/share/darknet/data/dog.jpg";
        string? write = Peer.Arg(args, "--write");

        var peer = Peer.Run("peer_alexnet.py", ["--image", image, "--reps", reps.ToString(CultureInfo.InvariantCulture), "--batch", .. batches.Select(n => n.ToString(CultureInfo.InvariantCulture))]);   // first: PoCL's threads linger after our kernels
        using var b = Devices.Open(device);
        using var net = new Net(Zoo.CaffeAlexNet(), b);
        net.InitializeRandom(0);
        var sb = new StringBuilder();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/RawConv.Bench -- classify --device {device} --batch {string.Join(',', batches)} --reps {reps}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; RawConv on {b.Info.Name} ({b.Name}); peer: {Peer.Describe(peer)}, " +
            $"same run; image {image}; median of {reps}.");
        sb.AppendLine();
        sb.AppendLine("| batch | pass | RawConv ms | PyTorch ms | RawConv images/s | PyTorch images/s | RawConv / PyTorch time |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var n in batches)
        {
            var rng = new Random(1);
            var xs = new float[n * 3 * 227 * 227];
            for (int i = 0; i < xs.Length; i++) xs[i] = 50 * (2 * rng.NextSingle() - 1);
            using var x = Tensor.FromArray(b, new Shape(n, 3, 227, 227), xs);
            double fwd = Compare.MedianMs(b, reps, () => { using var f = net.Forward(x); return f.Output.Clone(); });
            double e2e = Compare.MedianMs(b, reps, () =>
            {
                var images = Enumerable.Range(0, n).Select(_ => ImageIO.Load(image)).ToList();
                using var batch = Preprocess.Batch(images, Preprocessing.Caffe, b);
                using var f = net.Forward(batch);
                var (v, ix) = TopK.Forward(f.Output, 5);
                ix.Dispose();
                return v;
            });
            var row = peer.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("batch").GetInt32() == n);
            sb.AppendLine(Row(n, "forward", fwd, row.GetProperty("forward_ms").GetDouble()));
            sb.AppendLine(Row(n, "decode + preprocess + forward + top-5", e2e, row.GetProperty("end_to_end_ms").GetDouble()));
        }
        Console.WriteLine(sb);
        if (write != null) File.WriteAllText(write, sb.ToString());
        return 0;
    }

    private static string Row(int n, string pass, double ms, double pms) => string.Create(CultureInfo.InvariantCulture,
        $"| {n} | {pass} | {ms:F1} | {pms:F1} | {n / ms * 1e3:F1} | {n / pms * 1e3:F1} | {ms / pms:F2}× |");
}
