using System.CommandLine;
using System.Security.Cryptography;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Dgn;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Imaging;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    internal static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f)).ToLowerInvariant();
    }

    /// <summary>The rectified output of the first fully connected layer (Caffe's in-place fc6 blob): the default code a generator inverts.</summary>
    internal static string DefaultCodeLayer(NetSpec spec) =>
        spec.Layers.FirstOrDefault(l => l is FcLayer) is { } fc ? spec.Roles.Rectified(fc.Name)
            : throw new RawConvException($"--layer: {spec.Name} has no fully connected layer — name the code layer");

    /// <summary>`rawconv dgn` (DGN-AM) with its `train` and `reconstruct` subcommands.</summary>
    public static Command Dgn()
    {
        var cmd = new DgnVerb().Command;
        cmd.Subcommands.Add(DgnTrain());
        cmd.Subcommands.Add(new DgnReconstructVerb().Command);
        return cmd;
    }

    /// <summary>`rawconv dgn train`: Dosovitskiy and Brox's inversion network for the model under study (the DGN-AM prior).</summary>
    public static Command DgnTrain()
    {
        var common = new CommonOptions();
        var layer = new Option<string?>("--layer") { Description = "the code the generator inverts (default: the rectified first fully connected layer, Caffe's fc6 blob)" };
        var featureLayer = new Option<string?>("--feature-layer") { Description = "the encoder layer of the feature loss (default: the rectified last convolution)" };
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (its train split; default) or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist:train" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 64 };
        var lr = new Option<float>("--lr") { Description = "Adam's learning rate", DefaultValueFactory = _ => 1e-3f };
        var lrDecay = new Option<float>("--lr-decay") { Description = "factor on the learning rate after each epoch", DefaultValueFactory = _ => 0.5f };
        var pixelWeight = new Option<float>("--pixel-weight") { Description = "weight of mean((x̂ − x)²)", DefaultValueFactory = _ => 1f };
        var featureWeight = new Option<float>("--feature-weight") { Description = "weight of mean((φ(x̂) − φ(x))²) at --feature-layer", DefaultValueFactory = _ => 1f };
        var adversarialWeight = new Option<float>("--adversarial-weight") { Description = "weight of the adversarial term with a small discriminator (0: off)" };
        var limit = new Option<int>("--limit") { Description = "train on the first N images only (0: all)" };
        var maxSteps = new Option<int>("--max-steps") { Description = "stop after this many steps (0: every epoch)" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "the generator's weights file (.h5; saved after every epoch) and its .json", Required = true };
        var cmd = common.Add(new Command("train", "Train a generator that inverts the model's code (Dosovitskiy and Brox 2016's pixel and feature losses, Adam)."),
            common.Model, common.Device, layer, featureLayer, dataset, epochs, batch, lr, lrDecay, pixelWeight, featureWeight, adversarialWeight, limit, maxSteps, seed,
            output, common.Json);
        cmd.SetAction(p =>
        {
            var a = common.Read(p);
            string outPath = Checks.OutFile(p.GetValue(output)!, ".h5", ".hdf5");
            int n = Checks.Int(p.GetValue(limit), "--limit", 0, int.MaxValue, "0 trains on all");
            using var session = Session.Open(a);
            var m = session.Model;
            var spec = m.Net.Spec;
            string code = p.GetValue(layer) ?? DefaultCodeLayer(spec), feat = p.GetValue(featureLayer) ?? spec.Roles.ConvFeatures;
            spec.IndexOf(code);
            spec.IndexOf(feat);
            var o = new GeneratorTrainOptions(code, feat, p.GetValue(pixelWeight), p.GetValue(featureWeight), p.GetValue(epochs), p.GetValue(batch),
                p.GetValue(lr), p.GetValue(lrDecay), p.GetValue(seed), p.GetValue(maxSteps), 50, p.GetValue(adversarialWeight)).Validate();
            string name = p.GetValue(dataset)!;
            IDataset train = new ModelInputDataset(Dataset(name, "train", spec), m.Preprocessing);
            if (n > 0) train = train.Take(n);
            IDataset test = name.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase)
                ? new ModelInputDataset(Dataset("fashion-mnist:test", "test", spec), m.Preprocessing) : train;
            if (o.BatchSize > train.Count) throw new RawConvException($"--batch: {o.BatchSize} is more than the {train.Count} training images of {name}");
            var codeShape = spec.Shapes(spec.InputShape(1), code)[^1];
            if (codeShape.Rank != 2) throw new RawConvException($"--layer: {code} gives {codeShape}; the generator takes a code vector — name a fully connected layer's output");
            var input = spec.InputShape(1);
            using var g = new Net(Zoo.Generator(codeShape[1], input.C, input.H, input.W), session.Backend);
            g.InitializeRandom(o.Seed);
            RawConv.Algorithms.BatchMemory.Check(g, o.BatchSize, "--batch");
            var (low, high) = PixelMap.Range(m.Preprocessing, input.C);
            using var map = new PixelMap(session.Backend, low, high);
            var stats = GeneratorTraining.CodeStatistics(m.Net, code, train, 5000);
            GeneratorInfo Describe(GeneratorTrainResult? r, double error, int errorImages) => new(Path.GetFileName(m.Source), Sha256(m.Source), code,
                codeShape[1], feat, low, high, stats.Mean, stats.Std, stats.P95, stats.P99, stats.Max, o, r?.Seconds ?? 0, r?.ImagesPerSecond ?? 0, error, errorImages);
            void Save(GeneratorInfo info)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } dir) Directory.CreateDirectory(dir);
                WeightsFile.Save(g, outPath, attributes: new Dictionary<string, string> { ["generator"] = info.ToJson() });
            }
            bool json = a.Json;
            var result = GeneratorTraining.Run(m.Net, g, map, train, o,
                s => Console.Error.WriteLine($"epoch {s.Epoch} step {s.Step}/{s.StepsPerEpoch} loss {s.Loss:G4} (pixel {s.PixelLoss:G4}, feature {s.FeatureLoss:G4}) {s.ImagesPerSecond:F0} img/s"),
                epoch =>
                {
                    Save(Describe(null, 0, 0));
                    if (!json) Console.WriteLine($"epoch {epoch}: saved {outPath}");
                });
            int errorImages = Math.Min(1000, test.Count);
            double error = GeneratorTraining.ReconstructionError(m.Net, g, map, code, test, errorImages);
            var final = Describe(result, error, errorImages);
            Save(final);
            using (var writer = new OutputWriter(OutputWriter.ProcessCommandLine))
            {
                writer.Sidecar(outPath, new
                {
                    model = m.Source, generator = outPath, sha256 = Sha256(outPath), parameters = g.Spec.ParameterCount(), info = final,
                    losses = result.Losses, pixelLosses = result.PixelLosses, featureLosses = result.FeatureLosses,
                });
                writer.Commit();
            }
            Print(json, new { output = outPath, seconds = result.Seconds, imagesPerSecond = result.ImagesPerSecond, reconstructionError = error, errorImages },
                () => Console.WriteLine($"wrote {outPath} after {result.Seconds / 60:F1} min ({result.ImagesPerSecond:F0} img/s); " +
                    $"mean relative reconstruction error {error:F4} on {errorImages} {(ReferenceEquals(test, train) ? "training" : "test")} images"));
            return 0;
        });
        return cmd;
    }
}

/// <summary>`dgn reconstruct`'s settings.</summary>
internal sealed record DgnReconstructSettings(string? Generator, string Out);

/// <summary>The inputs, their reconstructions and names, and the generator (disposed with it).</summary>
internal sealed record DgnReconstructRun(Tensor X, Tensor Reconstruction, string[] Names, double[] Errors, LoadedGenerator Generator) : IDisposable
{
    public void Dispose()
    {
        X.Dispose();
        Reconstruction.Dispose();
        Generator.Dispose();
    }
}

/// <summary>`rawconv dgn reconstruct`: each picture beside G(E(x)), what the model's code keeps of it, as the generator draws it.</summary>
internal sealed class DgnReconstructVerb : Verb<DgnReconstructSettings, DgnReconstructRun>
{
    private readonly Option<string?> generator = new("--generator") { Description = "the generator (rawconv dgn train); default: weights/default-generator.h5 for the default model" };
    private readonly Option<string> output = new("--out") { Description = "x.png: rows of picture | reconstruction with a JSON sidecar; x.npy: the reconstructions", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("reconstruct", "Each picture beside G(E(x)): the generator's drawing of the model's code of it (Dosovitskiy and Brox 2016).");
        Common.Add(cmd, Common.ModelAndInputs);
        Common.Add(cmd, generator, output, Common.Json);
        return cmd;
    }

    public override DgnReconstructSettings Read(ParseResult p) => new(p.GetValue(generator), InputOptimizing.Out(p.GetValue(output)));

    public override DgnReconstructRun Compute(Session session, DgnReconstructSettings s)
    {
        var m = session.Model;
        var g = LoadedGenerator.Load(LoadedGenerator.PathFor(s.Generator, m), m, session.Backend);
        try
        {
            var (x, names) = session.Inputs();
            try
            {
                using var map = PixelMap.For(session.Backend, g.Info);
                var r = GeneratorTraining.Reconstruct(m.Net, g.Net, map, g.Info.CodeLayer, x);
                var errors = GeneratorTraining.RelativeErrors(x.ToArray(), r.ToArray(), x.Shape.N);
                return new DgnReconstructRun(x, r, names, errors, g);
            }
            catch
            {
                x.Dispose();
                throw;
            }
        }
        catch
        {
            g.Dispose();
            throw;
        }
    }

    public override Rendered Render(Session session, DgnReconstructSettings s, DgnReconstructRun run)
    {
        var m = session.Model;
        var payload = new
        {
            model = m.Source, generator = run.Generator.Path, codeLayer = run.Generator.Info.CodeLayer,
            images = run.Names.Select((n, i) => new { image = n, relativeError = run.Errors[i] }).ToArray(),
        };
        var files = new List<OutputFile>();
        if (OutputWriter.IsNpy(s.Out)) files.Add(new NpyFile(s.Out, run.Reconstruction.Shape.Dims, run.Reconstruction.ToArray(), payload));
        else
        {
            var sh = run.X.Shape;
            int k = Verbs.UpscaleFor(sh.H, sh.W);
            var tiles = new List<Image>();
            for (int i = 0; i < sh.N; i++)
            {
                tiles.Add(Verbs.Upscale(Display.Input(run.X, i, m.Preprocessing), k));
                tiles.Add(Verbs.Upscale(Display.Input(run.Reconstruction, i, m.Preprocessing), k));
            }
            files.Add(new PngFile(s.Out, Grid.Images(tiles, new GridOptions { Cols = 2, Rows = sh.N }), payload));
        }
        return new Rendered(files, payload, w =>
        {
            for (int i = 0; i < run.Names.Length; i++) w.WriteLine($"{run.Names[i]}: relative error {run.Errors[i]:F4}");
            w.WriteLine($"wrote {s.Out}");
        });
    }
}
