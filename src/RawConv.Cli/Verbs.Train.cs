using System.CommandLine;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Graph.Weights;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>fashion-mnist[:train|:test] (Debian's dataset-fashion-mnist) or a folder with one sub-folder per class.</summary>
    internal static IDataset Dataset(string name, string split, NetSpec spec)
    {
        if (name.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase))
        {
            if (spec.InputChannels != 1 || spec.InputHeight != spec.InputWidth)
                throw new RawConvException($"--dataset: fashion-mnist gives 1×N×N canvases but {spec.Name} takes {spec.InputShape()} — give a folder of pictures with one sub-folder per class");
            var parts = name.Split(':');
            return FashionMnist.Load(parts.Length > 1 ? parts[1] : split, spec.InputHeight);
        }
        if (Directory.Exists(name)) return new ImageFolder(name, spec.InputChannels, spec.InputHeight, spec.InputWidth);
        throw new RawConvException($"--dataset: {name}: no such dataset — use fashion-mnist, fashion-mnist:train|test or a folder with one sub-folder per class");
    }

    public static Command Train()
    {
        var common = new CommonOptions();
        var (device, jsonOption) = (common.Device, common.Json);
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (default) or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
        var arch = new Option<string?>("--arch") { Description = "a JSON architecture file, or mini-alexnet[:c1=..,c2=..,c3=..,c4=..,c5=..,fc=..,stride=..,canvas=..] (default: the shipped default model's mini-AlexNet, mini-alexnet:stride=1,dropout=0.2)" };
        var momentum = new Option<float>("--momentum") { DefaultValueFactory = _ => 0.9f };
        var decay = new Option<float>("--weight-decay") { Description = "L2 weight decay on weights (not biases)", DefaultValueFactory = _ => 5e-4f };
        var shift = new Option<int>("--shift") { Description = "random translation augmentation, ± pixels", DefaultValueFactory = _ => 1 };
        var noFlip = new Option<bool>("--no-flip") { Description = "no random horizontal flips" };
        var profile = new Option<bool>("--profile") { Description = "time every layer's forward and backward (synchronizes after each) and print the table" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 64 };
        var lr = new Option<float>("--lr") { Description = "base learning rate (cosine schedule to 1%)", DefaultValueFactory = _ => 0.02f };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "weights file to write (.h5)", Required = true };
        var steps = new Option<int>("--max-steps") { Description = "stop after this many SGD steps (0: run every epoch)" };
        var checkpoints = new Option<int[]>("--checkpoint-epochs") { Description = "also save OUT-epochN.h5 after these epochs", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("train", "Train a classifier with RawConv's own kernels (SGD, momentum, weight decay, dropout, shift/flip augmentation).")
            { device, dataset, arch, epochs, batch, lr, momentum, decay, shift, noFlip, profile, seed, steps, output, checkpoints, jsonOption };
        cmd.SetAction(p =>
        {
            // Every option is checked, and the dataset matched to the architecture, before the device opens and training starts.
            int n = Checks.Int(p.GetValue(epochs), "--epochs", 1, 10_000, "passes over the training set");
            int bs = Checks.Int(p.GetValue(batch), "--batch", 1, 65_536, "images per SGD step");
            float rate = Checks.Float(p.GetValue(lr), "--lr", 0, 10, "base learning rate");
            if (rate == 0) throw new RawConvException("--lr: 0 never moves the weights — give a value above 0, e.g. 0.02");
            float mom = Checks.Float(p.GetValue(momentum), "--momentum", 0, 0.999f, "SGD momentum");
            float wd = Checks.Float(p.GetValue(decay), "--weight-decay", 0, 1, "L2 weight decay");
            int px = Checks.Int(p.GetValue(shift), "--shift", 0, 64, "± pixels of random translation");
            int maxSteps = Checks.Int(p.GetValue(steps), "--max-steps", 0, int.MaxValue, "0 runs every epoch");
            var keep = (p.GetValue(checkpoints) ?? []).Select(e => Checks.Int(e, "--checkpoint-epochs", 1, n, "epochs of this run")).ToHashSet();
            string outPath = Checks.OutFile(p.GetValue(output)!, ".h5", ".hdf5");
            string name = p.GetValue(dataset)!;
            var (spec, train, test) = TrainingData(p.GetValue(arch), name);
            // The trainer drops a last partial batch, so a batch larger than the dataset would train nothing.
            if (bs > train.Count) throw new RawConvException($"--batch: {bs} is more than the {train.Count} training images of {name} — give 1 to {train.Count}");

            using var b = Open(p.GetValue(device));
            using var net = new Net(spec, b);
            RawConv.Algorithms.BatchMemory.Check(net, Math.Min(bs, train.Count), "--batch");
            net.InitializeRandom(p.GetValue(seed));
            if (p.GetValue(profile)) net.Profile = new LayerProfile();
            bool json = p.GetValue(jsonOption);
            if (test is null && !json) Console.WriteLine($"{name} has no test split: test accuracy is not measured (fashion-mnist has one; a folder dataset does not)");
            var pre = new Preprocessing(ChannelOrder.RGB, Enumerable.Repeat(0f, spec.InputChannels).ToArray(),
                Enumerable.Repeat(1f, spec.InputChannels).ToArray(), 1f / 255f, spec.InputHeight, spec.InputWidth)
            {
                // Fashion-MNIST items are 28×28 on the canvas: user images get the same framing.
                Letterbox = train is FashionMnist ? Math.Min(FashionMnist.ItemSide, Math.Min(spec.InputHeight, spec.InputWidth)) : 0,
            };
            var sgd = new SgdOptions(rate, mom, wd, LrPolicy.Cosine, TotalSteps: n * Math.Max(1, train.Count / bs), MinFactor: 0.01f);
            var summaries = new List<EpochSummary>();
            var trainer = new Trainer(net, new TrainOptions(n, bs, p.GetValue(seed), px, !p.GetValue(noFlip), MaxSteps: maxSteps, Sgd: sgd, CheckpointEpochs: [.. keep], ProgressEvery: 50))
            {
                Progress = s => Console.Error.WriteLine($"epoch {s.Epoch} step {s.Step}/{s.StepsPerEpoch} loss {s.MeanLoss:F4} acc {s.Accuracy:P1} lr {s.LearningRate:G3} {s.ImagesPerSecond:F0} img/s"),
                EpochEnd = e =>
                {
                    summaries.Add(e);
                    string testText = double.IsNaN(e.TestTop1) ? "" : $", test {e.TestTop1:P2}";
                    if (!json) Console.WriteLine($"epoch {e.Epoch}: loss {e.MeanLoss:F4}, train {e.TrainAccuracy:P2}{testText}, {e.Seconds:F0} s, {e.ImagesPerSecond:F0} img/s");
                },
                Checkpoint = (epoch, model) => SaveWeights(model, Path.ChangeExtension(outPath, null) + $"-epoch{epoch}.h5", train.Classes, pre),
            };
            var result = trainer.Run(train, test);
            if (net.Profile is { } prof) Console.Error.WriteLine(prof.Table());
            SaveWeights(net, outPath, train.Classes, pre);
            var epochRows = summaries.Select(e => new
            {
                e.Epoch, e.MeanLoss, e.TrainAccuracy, e.Seconds, e.ImagesPerSecond,
                TestTop1 = double.IsNaN(e.TestTop1) ? (double?)null : e.TestTop1,
                TestNote = test is null ? "no test split" : null,
            });
            Print(json, new { output = outPath, epochs = epochRows, seconds = result.Elapsed.TotalSeconds },
                () => Console.WriteLine($"wrote {outPath} after {result.Elapsed.TotalMinutes:F1} min"));
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// The architecture of --arch and the datasets of --dataset, matched: the mini-AlexNet's classifier is sized to
    /// the dataset's classes unless `classes=` was given; any other architecture must output one score per class.
    /// </summary>
    private static (NetSpec Spec, IDataset Train, IDataset? Test) TrainingData(string? arch, string dataset)
    {
        bool mini = arch is null || arch.StartsWith("mini-alexnet", StringComparison.OrdinalIgnoreCase);
        var config = arch is null ? MiniAlexNetConfig.Shipped : mini ? MiniAlexNetConfig.Parse(arch) : null;
        if (arch is not null && !mini && !File.Exists(arch)) throw new RawConvException($"--arch: {arch}: no such file — give a JSON architecture or mini-alexnet[:key=value,...]");
        var spec = config is not null ? MiniAlexNet.Spec(config) : NetSpec.FromJson(File.ReadAllText(arch!), arch!);
        var train = Dataset(dataset, "train", spec);
        IDataset? test = dataset.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase) ? Dataset("fashion-mnist:test", "test", spec) : null;
        int classes = train.Classes.Count;
        if (train.Count == 0) throw new RawConvException($"--dataset: {dataset} holds no training images — give a dataset with at least one");
        if (mini && config!.Classes != classes && !(arch ?? "").Contains("classes=", StringComparison.OrdinalIgnoreCase))
            spec = MiniAlexNet.Spec(config with { Classes = classes });
        var logits = spec.Shapes()[spec.IndexOf(spec.Roles.Logits) + 1];
        int outputs = (int)(logits.Count / Math.Max(1, logits[0]));
        if (outputs != classes)
            throw new RawConvException($"--arch: {arch ?? "mini-alexnet"} outputs {outputs} class scores at {spec.Roles.Logits} but --dataset {dataset} has {classes} classes — make them agree");
        return (spec, train, test);
    }

    /// <summary>Saves weights to <paramref name="path"/>, creating its folder first.</summary>
    internal static void SaveWeights(Net net, string path, IReadOnlyList<string>? classes, Preprocessing pre)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        WeightsFile.Save(net, path, classes, pre);
    }

    public static Command Evaluate()
    {
        var common = new CommonOptions();
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (its test split; default) or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
        var limit = new Option<int>("--limit") { Description = "evaluate only the first N items (0: all)" };
        var cmd = common.Add(new Command("evaluate", "Top-1 and top-5 accuracy and the confusion matrix on a dataset."),
            common.Model, common.Prototxt, common.Device, dataset, limit, common.Json);
        cmd.SetAction(p =>
        {
            var a = common.Read(p);
            int n = Checks.Int(p.GetValue(limit), "--limit", 0, int.MaxValue, "0 evaluates all");
            using var session = Session.Open(a);
            var m = session.Model;
            var data = Dataset(p.GetValue(dataset)!, "test", m.Net.Spec);
            if (n > 0) data = data.Take(n);
            if (data.Count == 0) throw new RawConvException($"--dataset: {p.GetValue(dataset)} holds no images — give a dataset with at least one");
            var r = Evaluator.Evaluate(m.Net, data);
            int k = data.Classes.Count;
            var confusion = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => r.Confusion[i, j]).ToArray()).ToArray();
            Print(a.Json, new { top1 = r.Top1, top5 = r.Top5, n = r.N, classes = data.Classes, confusion }, () =>
            {
                Console.WriteLine($"top-1 {r.Top1:P2}, top-5 {r.Top5:P2} on {r.N} images");
                for (int i = 0; i < k; i++) Console.WriteLine($"  {data.Classes[i],-14} {string.Join(" ", confusion[i].Select(c => c.ToString().PadLeft(5)))}");
            });
            return 0;
        });
        return cmd;
    }
}
