using System.Globalization;
using System.Text;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// `style`: seconds per L-BFGS iteration of Gatys et al.'s style transfer against PyTorch doing the same in the same run
/// (tools/peer_style.py), built on the optimizer core's pieces (not the style verb): the zoo's vgg19 truncated after
/// relu5_1 with seeded random weights, a seeded random content and style image, content loss at relu4_2 (weight 5), style
/// loss at relu1_1…relu5_1 (weight 100), TV (weight 1e-3), L-BFGS with one iteration per step (history 100, strong Wolfe)
/// — torch.optim.LBFGS with max_iter=1 on the peer's side, so an iteration means the same. Each run starts from the
/// content image with a fresh optimizer; evaluations per iteration are reported for both, as the line searches may differ.
/// </summary>
public static class StyleCompare
{
    private static readonly string[] StyleLayers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"];
    private const string ContentLayer = "relu4_2";

    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        int iters = int.Parse(Peer.Arg(args, "--iters") ?? "5", CultureInfo.InvariantCulture);
        string sizesText = Peer.Arg(args, "--sizes") ?? "256,512";
        var sizes = sizesText.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string? write = Peer.Arg(args, "--write");
        string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

        var peer = Peer.Run("peer_style.py", ["--sizes", sizesText, "--reps", Str(reps), "--iters", Str(iters)]);
        var peerRuns = peer.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("size").GetInt32());
        using var b = Devices.Open(device);
        var rows = new List<(int Size, double Ours, double OurEvals, double Peer, double PeerEvals)>();
        foreach (int size in sizes)
        {
            var (seconds, evals) = Measure(b, size, reps, iters);
            var p = peerRuns[size];
            rows.Add((size, seconds, evals, p.GetProperty("s_per_iter").GetDouble(), p.GetProperty("evals_per_iter").GetDouble()));
        }

        var sb = new StringBuilder();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/RawConv.Bench -- style --device {device} --sizes {sizesText} --reps {reps} --iters {iters}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; RawConv on {b.Info.Name} ({b.Name}); peer: {Peer.Describe(peer)}, " +
            $"same run (tools/peer_style.py); vgg19 to relu5_1 with random weights, random content and style images; content relu4_2 (×5), " +
            $"style relu1_1…relu5_1 (×100), TV (×1e-3); L-BFGS, one iteration per step, history 100, strong Wolfe; medians of {reps} runs " +
            $"(after a warm-up) of {iters} iterations from the content image.");
        sb.AppendLine();
        sb.AppendLine("| size | RawConv s/iteration | PyTorch s/iteration | RawConv / PyTorch throughput | evaluations per iteration (RawConv / PyTorch) |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Size}×{r.Size} | {r.Ours:F3} | {r.Peer:F3} | {r.Peer / r.Ours:F2}× | {r.OurEvals:F2} / {r.PeerEvals:F2} |"));
        Console.WriteLine(sb);
        if (write != null) File.WriteAllText(write, sb.ToString());
        return 0;
    }

    /// <summary>Median seconds per iteration over <paramref name="reps"/> runs (after a warm-up) and the mean evaluations per iteration.</summary>
    private static (double Seconds, double Evaluations) Measure(IBackend b, int size, int reps, int iters)
    {
        using var net = new Net(Zoo.Truncate(Zoo.Get("vgg19"), "relu5_1", size, size), b);
        net.InitializeRandom(0);
        var rng = new Random(1);
        float[] Noise() => Enumerable.Range(0, 3 * size * size).Select(_ => rng.NextSingle()).ToArray();
        using var content = Tensor.FromArray(b, Shape.Nchw(1, 3, size, size), Noise());
        using var style = Tensor.FromArray(b, Shape.Nchw(1, 3, size, size), Noise());
        Tensor target;
        using (var pass = net.Forward(content, ContentLayer)) target = pass[ContentLayer].Clone();
        var grams = StyleTargets.Gram(net, style, StyleLayers);
        var terms = new List<ObjectiveTerm> { new ContentLoss(ContentLayer, target) { Weight = 5f } };
        terms.AddRange(StyleLayers.Select((l, i) => new StyleLoss(l, grams[i], StyleLayers.Length) { Weight = 100f }));
        var objective = new InputObjective(terms, [new TotalVariationPenalty(1e-3f)], maximize: false);
        var evals = new List<double>();
        try
        {
            double rate = OptimizeCompare.Rate(b, reps, iters, () =>
            {
                using var x = content.Clone();
                using var lbfgs = new Lbfgs([ParameterGroup.For(x)], new LbfgsOptions(1, MaxIter: 1, HistorySize: 100));
                for (int i = 0; i < iters; i++)
                    lbfgs.Step(() =>
                    {
                        var (v, g) = objective.Evaluate(net, x);
                        return new Evaluation((float)v.Total, [g]);
                    });
                evals.Add((double)lbfgs.History.Evaluations / iters);
            });
            return (1 / rate, evals.Average());
        }
        finally
        {
            foreach (var t in terms) ((IDisposable)t).Dispose();
        }
    }
}
