using System.Globalization;
using System.Text;
using RawConv.Algorithms.Dgn;
using RawConv.Algorithms.Optimize;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>
/// `dgn`: the deep generator prior's two loops against PyTorch doing the same in the same run (tools/peer_dgn.py), with
/// random weights on the default model's architecture (mini_alexnet, 1×40×40) as the frozen encoder and
/// <c>Zoo.Generator(256, 1, 40, 40)</c>: generator training steps at batch 64 (<see cref="GeneratorTraining.Evaluate"/>
/// and Adam), and DGN-AM iterations at 5 starts (<see cref="DgnMaximization.Run"/>).
/// </summary>
public static class DgnCompare
{
    private const int Batch = 64, Code = 256, Starts = 5, Class = 3;
    private const float CodeMax = 3f;

    public static int Run(string[] args)
    {
        string device = Peer.Arg(args, "--device") ?? "opencl";
        int reps = int.Parse(Peer.Arg(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        int steps = int.Parse(Peer.Arg(args, "--steps") ?? "5", CultureInfo.InvariantCulture);
        int iters = int.Parse(Peer.Arg(args, "--iters") ?? "20", CultureInfo.InvariantCulture);
        string? write = Peer.Arg(args, "--write");
        string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

        var peer = Peer.Run("peer_dgn.py", ["--reps", Str(reps), "--steps", Str(steps), "--iters", Str(iters)]);
        using var b = Devices.Open(device);
        using var encoder = new Net(Zoo.Get("mini_alexnet"), b);
        encoder.InitializeRandom(0);
        using var generator = new Net(Zoo.Generator(Code, 1, 40, 40), b);
        generator.InitializeRandom(1);
        using var map = new PixelMap(b, [0f], [1f]);
        var rng = new Random(1);
        var xs = new float[Batch * 40 * 40];
        for (int i = 0; i < xs.Length; i++) xs[i] = rng.NextSingle();
        using var x = Tensor.FromArray(b, encoder.Spec.InputShape(Batch), xs);
        var train = new GeneratorTrainOptions("relu6", "relu5", BatchSize: Batch);
        using var adam = new Adam(NetGroups.Of(generator), new AdamOptions(1e-3f));
        var rows = new List<(string What, string Unit, double Ours, double Peer)>();

        double trainIters = OptimizeCompare.Rate(b, reps, steps, () =>
        {
            for (int s = 0; s < steps; s++)
            {
                var (_, _, _, gradients) = GeneratorTraining.Evaluate(encoder, generator, map, x, train);
                using (gradients) adam.Step(NetGroups.Gradients(gradients.ParameterGradients));
            }
        });
        rows.Add(("generator training step at batch 64: encoder to relu5 and relu6, generator, map, encoder to relu5 on x̂, " +
            "feature + pixel MSE, backward through the encoder to x̂ and the generator to its parameters, Adam",
            "images/s", trainIters * Batch, peer.GetProperty("train").GetProperty("images_per_s").GetDouble()));

        var info = new GeneratorInfo("bench", "", "relu6", Code, "relu5", [0f], [1f], new float[Code], Enumerable.Repeat(1f, Code).ToArray(),
            CodeMax, CodeMax, CodeMax, train, 0, 0, 0, 0);
        var dgn = new DgnOptions(Iterations: iters, LearningRate: 1f, Momentum: 0f, Decay: 0.01f, Seeds: Starts, StripEvery: iters);
        rows.Add(("DGN-AM iteration at 5 starts: generator, map, encoder to fc8, class score backward to the code, g / mean(abs g) per start, " +
            "SGD with decay, clip (ours adds a second forward to fc8 for the per-start scores, and the final image)",
            "iterations/s", OptimizeCompare.Rate(b, reps, iters, () => DgnMaximization.Run(encoder, generator, info, new ClassScore(Class), dgn).Dispose()),
            peer.GetProperty("dgn").GetProperty("iters_per_s").GetDouble()));

        var sb = new StringBuilder();
        sb.AppendLine($"Command: `dotnet run -c Release --project bench/RawConv.Bench -- dgn --device {device} --reps {reps} --steps {steps} --iters {iters}`  ");
        sb.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; RawConv on {b.Info.Name} ({b.Name}); peer: {Peer.Describe(peer)}, " +
            $"same run (tools/peer_dgn.py); mini_alexnet encoder and generator:256:1:40:40 with random weights; medians of {reps} runs " +
            $"(after a warm-up) of {steps} training steps and of {iters} DGN-AM iterations.");
        sb.AppendLine();
        sb.AppendLine("| loop | unit | RawConv | PyTorch | RawConv / PyTorch throughput |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (what, unit, ours, p) in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {unit} | {ours:F2} | {p:F2} | {ours / p:F2}× |"));
        Console.WriteLine(sb);
        if (write != null) File.WriteAllText(write, sb.ToString());
        return 0;
    }
}
