using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Import;
using RawConv.Graph.Import.Caffe;
using RawConv.Graph.Weights;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>A network ready to run, with what is known about its classes and input.</summary>
internal sealed record LoadedModel(Net Net, IReadOnlyList<string>? Classes, Preprocessing Preprocessing, string Source) : IDisposable
{
    public void Dispose() => Net.Dispose();
}

/// <summary>Resolves --model: our .h5, an .onnx, a .caffemodel (with --prototxt), a .json architecture or a zoo name.</summary>
internal static class Models
{
    /// <summary>Where the shipped weights live, next to the executable (copied from weights/).</summary>
    public static string WeightsDir => Path.Combine(AppContext.BaseDirectory, "weights");

    /// <summary>The architecture alone, for `info`.</summary>
    public static NetSpec Spec(string model, string? prototxt)
    {
        string ext = Path.GetExtension(model).ToLowerInvariant();
        if (!File.Exists(model) && Zoo.Has(model)) return Zoo.Get(model);
        RequireFile(model);
        return ext switch
        {
            ".h5" or ".hdf5" => WeightsFile.ReadInfo(model).Spec,
            ".onnx" => OnnxImporter.Load(model).Spec,
            ".caffemodel" => CaffeImporter.LoadSpec(RequirePrototxt(model, prototxt)),
            ".prototxt" => CaffeImporter.LoadSpec(model),
            ".json" => NetSpec.FromJson(File.ReadAllText(model), model),
            _ => throw new RawConvException($"{model}: unknown model format '{ext}'; expected .h5, .onnx, .caffemodel (with --prototxt), .prototxt, .json or one of {string.Join(", ", Zoo.Names)}"),
        };
    }

    /// <summary>A network with weights on <paramref name="backend"/>; weights holding NaN or Inf are refused, naming the file and layer.</summary>
    public static LoadedModel Load(string model, string? prototxt, string? preprocess, IBackend backend)
    {
        if (!File.Exists(model) && Zoo.HasOwnWeights(model))
        {
            // A random network carries its weights in its name (the seed): nothing to read or verify.
            var own = Zoo.WithOwnWeights(model, backend);
            own.CheckFinite = true;
            return new LoadedModel(own, null, Choose(preprocess, null, own.Spec), model);
        }
        if (!File.Exists(model) && Zoo.Has(model))
            throw new RawConvException($"{model} is a zoo architecture without weights; pass a weights file (.h5, .onnx, .caffemodel) — `rawconv import` converts one");
        RequireFile(model);
        var loaded = LoadWeights(model, prototxt, preprocess, backend);
        try
        {
            loaded.Net.RequireFiniteWeights();
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
        loaded.Net.CheckFinite = true;
        return loaded;
    }

    private static LoadedModel LoadWeights(string model, string? prototxt, string? preprocess, IBackend backend)
    {
        string ext = Path.GetExtension(model).ToLowerInvariant();
        switch (ext)
        {
            case ".h5" or ".hdf5":
                VerifyApart(model);
                var w = WeightsFile.Load(model, backend);
                return new LoadedModel(w.Net, w.Classes ?? DefaultClasses(w.Net.Spec), Choose(preprocess, w.Preprocessing, w.Net.Spec), model);
            case ".onnx":
                var onnx = OnnxImporter.Load(model).ToNet(backend);
                onnx.Source = model;
                return new LoadedModel(onnx, DefaultClasses(onnx.Spec), Choose(preprocess, null, onnx.Spec), model);
            case ".caffemodel":
                var caffe = CaffeImporter.Load(RequirePrototxt(model, prototxt), model).ToNet(backend);
                caffe.Source = model;
                return new LoadedModel(caffe, DefaultClasses(caffe.Spec), Choose(preprocess, null, caffe.Spec), model);
            default:
                throw new RawConvException($"{model}: cannot load weights from '{ext}'; expected .h5, .onnx or .caffemodel (with --prototxt)");
        }
    }

    /// <summary>The ImageNet class names for 1000-way classifiers (weights/imagenet_classes.txt), else none.</summary>
    public static IReadOnlyList<string>? DefaultClasses(NetSpec spec)
    {
        var outShape = spec.Shapes()[^1];
        if (outShape.Rank != 2 || outShape[1] != 1000) return null;
        var path = Path.Combine(WeightsDir, "imagenet_classes.txt");
        return File.Exists(path) ? File.ReadAllLines(path) : null;
    }

    /// <summary>--preprocess caffe|torchvision, else the file's own, else guessed from the input size (227: Caffe, else torchvision).</summary>
    public static Preprocessing Choose(string? flag, Preprocessing? stored, NetSpec spec) => flag?.ToLowerInvariant() switch
    {
        "caffe" => Fit(Preprocessing.Caffe, spec),
        "torchvision" => Fit(Preprocessing.Torchvision, spec),
        null or "" or "auto" => stored ?? Fit(spec.TakesImages && spec.InputHeight == 227 ? Preprocessing.Caffe : Preprocessing.Torchvision, spec),
        _ => throw new RawConvException($"unknown --preprocess '{flag}'; expected caffe, torchvision or auto"),
    };

    /// <summary>
    /// A colour preset sized to the network's input; a one-channel network keeps the first channel's mean and std
    /// (what grey images are normalized with), so the preprocessing saved beside it describes its input.
    /// </summary>
    private static Preprocessing Fit(Preprocessing preset, NetSpec spec)
    {
        // A network fed codes, not images (a generator), has no image preprocessing to size; verbs that need images say so.
        if (!spec.TakesImages) return preset;
        var p = preset with { Height = spec.InputHeight, Width = spec.InputWidth };
        return spec.InputChannels == 1 ? p with { Mean = [p.Mean[0]], Std = [p.Std[0]] } : p;
    }

    /// <summary>
    /// Reads the weights file once in a child process (`rawconv check-weights`) before this process opens it:
    /// libhdf5 is C code, and a file crafted to crash it then takes down the child, not us.
    /// RAWCONV_TRUSTED_WEIGHTS=1 skips the check.
    /// </summary>
    private static void VerifyApart(string path)
    {
        if (Environment.GetEnvironmentVariable("RAWCONV_TRUSTED_WEIGHTS") == "1") return;
        string exe = Environment.ProcessPath ?? "dotnet";
        var args = Path.GetFileNameWithoutExtension(exe) == "dotnet"
            ? new[] { Path.Combine(AppContext.BaseDirectory, typeof(Models).Assembly.GetName().Name + ".dll"), "check-weights" }
            : new[] { "check-weights" };
        WeightsFile.VerifyInChildProcess(path, exe, args, TimeSpan.FromSeconds(120));
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path) && !Zoo.Has(path)) throw new RawConvException($"{path}: no such file");
    }

    private static string RequirePrototxt(string model, string? prototxt) =>
        prototxt ?? throw new RawConvException($"{model}: a .caffemodel needs its architecture: pass --prototxt deploy.prototxt");
}
