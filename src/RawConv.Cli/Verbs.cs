using System.CommandLine;
using System.Text.Json;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Graph.Weights;
using RawConv.Ops;

namespace RawConv.Cli;

/// <summary>The verbs of the command line; each returns its System.CommandLine command.</summary>
internal static partial class Verbs
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static Option<string?> DeviceOption() => new("--device") { Description = "cuda | opencl | reference (default: cuda, else opencl, else reference)" };
    private static Option<bool> JsonOption() => new("--json") { Description = "machine-readable output on stdout" };
    private static Option<string?> ModelOption() => new("--model") { Description = "our .h5, an .onnx, a .caffemodel (with --prototxt), or a zoo name (info only)" };
    private static Option<string?> PrototxtOption() => new("--prototxt") { Description = "Caffe deploy.prototxt for a .caffemodel" };
    private static Option<string?> PreprocessOption() => new("--preprocess") { Description = "caffe | torchvision | auto (default: the model file's, else by input size)" };
    private static Option<string[]> ImageOption() => new("--image") { Description = "image file(s): PNG, JPEG, PPM/PGM", AllowMultipleArgumentsPerToken = true };
    private static Option<string?> InputOption() => new("--input") { Description = "an NCHW float32 .npy, already preprocessed" };

    /// <summary>Opens the device, printing warnings about devices that did not answer to stderr.</summary>
    internal static IBackend Open(string? device) => RawConv.Ops.Devices.Open(device, w => Console.Error.WriteLine(w));

    internal static void Print(bool json, object payload, Action text)
    {
        if (json) Console.WriteLine(JsonSerializer.Serialize(payload, Json));
        else text();
    }

    /// <summary>--model, else the shipped default model (weights/default.h5 beside the executable).</summary>
    internal static string RequireModel(string? model)
    {
        if (model != null) return model;
        var shipped = Path.Combine(Models.WeightsDir, "default.h5");
        return File.Exists(shipped) ? shipped : throw new RawConvException($"no --model given and no default model shipped ({shipped} is missing)");
    }

    public static Command Devices()
    {
        var json = JsonOption();
        var cmd = new Command("devices", "List the backends that answer here: device name, compute units, memory.") { json };
        cmd.SetAction(p =>
        {
            var rows = new List<object>();
            foreach (var name in RawConv.Ops.Devices.Names)
            {
                try
                {
                    using var b = RawConv.Ops.Devices.Open(name);
                    rows.Add(new { backend = name, available = true, info = b.Info });
                    if (!p.GetValue(json)) Console.WriteLine(b.Info);
                }
                catch (RawConvException e)
                {
                    rows.Add(new { backend = name, available = false, reason = e.Message });
                    if (!p.GetValue(json)) Console.WriteLine($"{name}: unavailable — {e.Message}");
                }
            }
            if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { devices = rows }, Json));
            return 0;
        });
        return cmd;
    }

    /// <summary>Hidden: opens a weights file fully and exits 0, or prints the reason and exits 1 (the child of Models.VerifyApart).</summary>
    public static Command CheckWeights()
    {
        var file = new Argument<string>("file");
        var cmd = new Command("check-weights", "Read a weights file completely (used in a child process before loading).") { file };
        cmd.Hidden = true;
        cmd.SetAction(p =>
        {
            try
            {
                WeightsFile.Verify(p.GetValue(file)!);
                return 0;
            }
            catch (RawConvException e)
            {
                Console.Error.WriteLine(e.Message);   // the parent quotes this line as its own error
                return 1;
            }
        });
        return cmd;
    }

    public static Command Info()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var json = JsonOption();
        var device = DeviceOption();
        device.Description = "accepted like on every verb; info reads the architecture only and opens no device";
        var cmd = new Command("info", "Layers, output shapes, parameter counts and multiply-adds of a network.") { model, proto, device, json };
        cmd.SetAction(p =>
        {
            var spec = Models.Spec(RequireModel(p.GetValue(model)), p.GetValue(proto));
            var shapes = spec.Shapes();
            var layers = spec.Layers.Select((l, i) => new
            {
                name = l.Name, type = l.GetType().Name.Replace("Layer", "").ToLowerInvariant(), op = l.Describe(),
                output = shapes[i + 1].Dims,
                parameters = (l.WeightShape(shapes[i])?.Count ?? 0) + l.BiasLength,
                multiplyAdds = l.MultiplyAdds(shapes[i]),
            });
            Print(p.GetValue(json), new
            {
                name = spec.Name, input = spec.InputShape().Dims, layers, parameters = spec.ParameterCount(), multiplyAdds = spec.MultiplyAdds(),
            }, () => Console.Write(spec.Info()));
            return 0;
        });
        return cmd;
    }

    public static Command Import()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var json = JsonOption();
        var device = DeviceOption();
        var output = new Option<string>("--out") { Description = "the .h5 file to write", Required = true };
        var cmd = new Command("import", "Convert an .onnx or .caffemodel (+ --prototxt) into RawConv's HDF5 weights file.") { model, proto, pre, device, output, json };
        cmd.SetAction(p =>
        {
            using var b = p.GetValue(device) is { } d ? Open(d) : new ReferenceBackend();
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            string outPath = p.GetValue(output)!;
            WeightsFile.Save(m.Net, outPath, m.Classes, m.Preprocessing);
            Print(p.GetValue(json), new { model = m.Source, output = outPath, name = m.Net.Spec.Name, parameters = m.Net.Spec.ParameterCount() },
                () => Console.WriteLine($"wrote {outPath}: {m.Net.Spec.Name}, {m.Net.Spec.ParameterCount():N0} parameters"));
            return 0;
        });
        return cmd;
    }
}
