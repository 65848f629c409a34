using System.CommandLine;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Graph.Weights;
using RawConv.Ops;

namespace RawConv.Cli;

/// <summary>The verbs of the command line; each returns its System.CommandLine command.</summary>
internal static partial class Verbs
{
    /// <summary>Opens the device, printing warnings about devices that did not answer to stderr.</summary>
    internal static IBackend Open(string? device) => RawConv.Ops.Devices.Open(device, w => Console.Error.WriteLine(w));

    internal static void Print(bool json, object payload, Action text) => Print(Console.Out, json, payload, text);

    /// <summary>The --json payload on <paramref name="output"/>, else the plain-text summary.</summary>
    internal static void Print(TextWriter output, bool json, object payload, Action text)
    {
        if (json) output.WriteLine(SafeJson.Serialize(payload));
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
        var common = new CommonOptions();
        var json = common.Json;
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
            if (p.GetValue(json)) Console.WriteLine(SafeJson.Serialize(new { devices = rows }));
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
        var common = new CommonOptions();
        common.Device.Description = "accepted like on every verb; info reads the architecture only and opens no device";
        var cmd = common.Add(new Command("info", "Layers, output shapes, parameter counts and multiply-adds of a network."), common.Model, common.Prototxt, common.Device, common.Json);
        cmd.SetAction(p =>
        {
            var a = common.Read(p);
            var spec = Models.Spec(RequireModel(a.Model), a.Prototxt);
            var shapes = spec.Shapes();
            var layers = spec.Layers.Select((l, i) => new
            {
                name = l.Name, type = l.Kind, op = l.Describe(),
                output = shapes[i + 1].Dims,
                parameters = (l.WeightShape(shapes[i])?.Count ?? 0) + l.BiasLength,
                multiplyAdds = l.MultiplyAdds(shapes[i]),
            });
            Print(a.Json, new
            {
                name = spec.Name, input = spec.InputShape().Dims, layers, parameters = spec.ParameterCount(), multiplyAdds = spec.MultiplyAdds(),
            }, () => Console.Write(spec.Info()));
            return 0;
        });
        return cmd;
    }

    public static Command Import()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out") { Description = "the .h5 file to write", Required = true };
        var cmd = common.Add(new Command("import", "Convert an .onnx or .caffemodel (+ --prototxt) into RawConv's HDF5 weights file."),
            common.Model, common.Prototxt, common.Preprocess, common.Device, output, common.Json);
        cmd.SetAction(p =>
        {
            var a = common.Read(p);
            string outPath = Checks.OutFile(p.GetValue(output)!, ".h5", ".hdf5");
            using var b = a.Device is { } d ? Open(d) : new ReferenceBackend();
            using var m = Models.Load(RequireModel(a.Model), a.Prototxt, a.Preprocess, b);
            SaveWeights(m.Net, outPath, m.Classes, m.Preprocessing);
            Print(a.Json, new { model = m.Source, output = outPath, name = m.Net.Spec.Name, parameters = m.Net.Spec.ParameterCount() },
                () => Console.WriteLine($"wrote {outPath}: {m.Net.Spec.Name}, {m.Net.Spec.ParameterCount():N0} parameters"));
            return 0;
        });
        return cmd;
    }
}
