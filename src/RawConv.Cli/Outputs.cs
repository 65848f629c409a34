using System.Text.Json;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>
/// Writing results: every PNG gets a JSON sidecar (same path, .json) carrying the command line, the
/// settings and the numbers behind the picture; .npy outputs are raw NCHW float32.
/// </summary>
internal static class Outputs
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>True when <paramref name="path"/> asks for raw .npy output.</summary>
    public static bool IsNpy(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>The command that is running, as typed (for sidecars); a verb run inside `rawconv report` names itself.</summary>
    public static string CommandLine => CommandOverride ?? Join(Environment.GetCommandLineArgs().Skip(1));

    /// <summary>Set while `rawconv report` runs another verb in-process: that verb's own command line.</summary>
    internal static string? CommandOverride { get; set; }

    /// <summary>"rawconv a b c", quoting arguments with spaces.</summary>
    public static string Join(IEnumerable<string> args) => "rawconv " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    /// <summary>Creates the folder of <paramref name="path"/> if needed.</summary>
    public static void EnsureFolder(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }

    /// <summary>Writes <paramref name="img"/> to <paramref name="path"/> (.png) and <paramref name="payload"/> with the command line to the .json beside it.</summary>
    public static void Png(string path, Image img, object payload)
    {
        if (!Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new RawConvException($"{path}: expected a .png output path");
        EnsureFolder(path);
        RawConv.Imaging.Png.Save(path, img);
        Sidecar(path, payload);
    }

    /// <summary>Writes the JSON sidecar of <paramref name="path"/>: {"command": ..., "created": ..., ...payload}.</summary>
    public static void Sidecar(string path, object payload)
    {
        var node = JsonSerializer.SerializeToNode(payload, Json)?.AsObject() ?? new System.Text.Json.Nodes.JsonObject();
        node.Insert(0, "command", CommandLine);
        node.Insert(1, "created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        File.WriteAllText(Path.ChangeExtension(path, ".json"), node.ToJsonString(Json));
    }

    /// <summary>Writes a tensor as NCHW float32 .npy.</summary>
    public static void Npy(string path, Tensor t)
    {
        EnsureFolder(path);
        RawConv.Imaging.Npy.WriteTensor(path, t);
    }
}
