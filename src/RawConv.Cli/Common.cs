using System.CommandLine;
using RawConv.Graph;

namespace RawConv.Cli;

/// <summary>The options every model-running verb shares, read once into <see cref="CommonArgs"/>.</summary>
internal sealed record CommonArgs(string? Model, string? Prototxt, string? Preprocess, string? Device, string[] Images, string? Input, bool Json)
{
    /// <summary>No model, default device, no input: for verbs that load their own networks.</summary>
    public static CommonArgs DeviceOnly(string? device, bool json) => new(null, null, null, device, [], null, json);
}

/// <summary>
/// The shared options (--model, --prototxt, --preprocess, --device, --image, --input, --json): each verb adds the
/// ones it takes, in the order it lists them, and reads them back with <see cref="Read"/>.
/// </summary>
internal sealed class CommonOptions
{
    public readonly Option<string?> Model = new("--model") { Description = "our .h5, an .onnx, a .caffemodel (with --prototxt), or a zoo name (info only)" };
    public readonly Option<string?> Prototxt = new("--prototxt") { Description = "Caffe deploy.prototxt for a .caffemodel" };
    public readonly Option<string?> Preprocess = new("--preprocess") { Description = "caffe | torchvision | auto (default: the model file's, else by input size)" };
    public readonly Option<string?> Device = new("--device") { Description = "cuda | opencl | reference (default: cuda, else opencl, else reference)" };
    public readonly Option<string[]> Image = new("--image") { Description = "image file(s): PNG, JPEG, PPM/PGM", AllowMultipleArgumentsPerToken = true };
    public readonly Option<string?> Input = new("--input") { Description = "an NCHW float32 .npy, already preprocessed" };
    public readonly Option<bool> Json = new("--json") { Description = "machine-readable output on stdout" };

    private readonly HashSet<Option> added = [];

    /// <summary>The model options with inputs: --model --prototxt --preprocess --device --image --input.</summary>
    public Option[] ModelAndInputs => [Model, Prototxt, Preprocess, Device, Image, Input];

    /// <summary>Adds <paramref name="options"/> to <paramref name="cmd"/>, remembering which were given to the verb.</summary>
    public Command Add(Command cmd, params Option[] options)
    {
        foreach (var o in options)
        {
            cmd.Options.Add(o);
            added.Add(o);
        }
        return cmd;
    }

    /// <summary>The shared options' values; options the verb does not take read as null/empty.</summary>
    public CommonArgs Read(ParseResult p) => new(
        Get(p, Model), Get(p, Prototxt), Get(p, Preprocess), Get(p, Device),
        added.Contains(Image) ? p.GetValue(Image) ?? [] : [], Get(p, Input), added.Contains(Json) && p.GetValue(Json));

    private string? Get(ParseResult p, Option<string?> o) => added.Contains(o) ? p.GetValue(o) : null;
}

/// <summary>
/// The loading preamble in one place: the device, the model (--model, else the shipped default) and the input
/// tensor (--image files or an --input .npy). A session borrowed from `report` reuses its open device and model.
/// </summary>
internal sealed class Session : IDisposable
{
    private readonly bool owns;
    private LoadedModel? model;

    private Session(IBackend backend, LoadedModel? model, CommonArgs args, bool owns)
    {
        Backend = backend;
        this.model = model;
        Args = args;
        this.owns = owns;
    }

    /// <summary>The open device.</summary>
    public IBackend Backend { get; }

    /// <summary>The shared options this session was opened with.</summary>
    public CommonArgs Args { get; }

    /// <summary>The network with its classes and preprocessing (loaded on first use).</summary>
    public LoadedModel Model => model ??= Models.Load(Verbs.RequireModel(Args.Model), Args.Prototxt, Args.Preprocess, Backend);

    /// <summary>The network.</summary>
    public Net Net => Model.Net;

    /// <summary>The model if it has been loaded, else null (nothing is loaded by asking).</summary>
    public LoadedModel? Loaded => model;

    /// <summary>Opens the device named by --device (warnings to stderr); the model loads on first use.</summary>
    public static Session Open(CommonArgs args) => new(Verbs.Open(args.Device), null, args, owns: true);

    /// <summary>A session over an already open device and model, which it does not dispose.</summary>
    public static Session Borrow(IBackend backend, LoadedModel model, CommonArgs args) => new(backend, model, args, owns: false);

    /// <summary>The input tensor (N, C, H, W) and one display name per image, from --image or --input.</summary>
    public (Tensor X, string[] Names) Inputs() => Inputs(Args.Images);

    /// <summary>The input tensor for <paramref name="images"/> (a chunk of --image), else --input.</summary>
    public (Tensor X, string[] Names) Inputs(string[] images) => Cli.Inputs.Load(images.Length > 0 ? images : null, Args.Input, Model, Backend);

    /// <summary>A class index's label: the model's class name, else "class K".</summary>
    public string Label(int k) => Model.Classes is { } c && k < c.Count ? c[k] : $"class {k}";

    public void Dispose()
    {
        if (!owns) return;
        model?.Dispose();
        Backend.Dispose();
    }
}
