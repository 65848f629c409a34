using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RawConv.Cli;

/// <summary>
/// Parse-time checks of option values, so a bad value fails before any device opens or file is read, with a
/// message that names the option and the accepted range.
/// </summary>
internal static class Checks
{
    /// <summary>Options whose value is a file or folder path.</summary>
    private static readonly HashSet<string> PathOptions = ["--model", "--prototxt", "--image", "--input", "--out", "--checkpoints", "--arch"];

    /// <summary>Refuses an empty value for any option given on the command line (an empty path reads as the current folder or fails deep inside .NET).</summary>
    public static void NoEmptyValues(ParseResult p)
    {
        foreach (var o in p.CommandResult.Children.OfType<OptionResult>())
        {
            if (o.Implicit || !o.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value))) continue;
            string name = o.Option.Name;
            throw new RawConvException(PathOptions.Contains(name)
                ? $"{name}: empty path — give a {(name == "--out" ? "file or folder" : "file")} name"
                : $"{name}: empty value — give a value (see `rawconv {p.CommandResult.Command.Name} --help`)");
        }
    }

    /// <summary><paramref name="value"/> of <paramref name="option"/> when it lies in [min, max], else an error naming the option and the range.</summary>
    public static int Int(int value, string option, int min, int max, string? why = null) =>
        value >= min && value <= max ? value : throw new RawConvException($"{option}: {value} is out of range — give {Range($"{min}", $"{max}", max == int.MaxValue)}{Why(why)}");

    /// <summary>An optional integer: null passes, else as <see cref="Int(int, string, int, int, string?)"/>.</summary>
    public static int? Int(int? value, string option, int min, int max, string? why = null) => value is { } v ? Int(v, option, min, max, why) : null;

    /// <summary><paramref name="value"/> of <paramref name="option"/> when finite and in [min, max], else an error naming the option and the range.</summary>
    public static float Float(float value, string option, float min, float max, string? why = null)
    {
        string range = Range(min.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture), max == float.MaxValue);
        if (!float.IsFinite(value)) throw new RawConvException($"{option}: {value.ToString(CultureInfo.InvariantCulture)} is not a finite number — give {range}");
        return value >= min && value <= max ? value : throw new RawConvException($"{option}: {value.ToString(CultureInfo.InvariantCulture)} is out of range — give {range}{Why(why)}");
    }

    /// <summary>"a value from 1 to 1024", or "0 or more" when there is no upper bound.</summary>
    private static string Range(string min, string max, bool unbounded) => unbounded ? $"{min} or more" : $"a value from {min} to {max}";

    private static string Why(string? why) => why is null ? "" : $" ({why})";

    /// <summary>
    /// --out of a verb that writes one file: the path as given when it ends in one of <paramref name="extensions"/> and
    /// is not an existing folder (missing parent folders are created when the file is written).
    /// </summary>
    public static string OutFile(string path, params string[] extensions)
    {
        if (Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new RawConvException($"--out: {path} is a folder — give a file name ending in {string.Join(" or ", extensions)}");
        if (!extensions.Contains(Path.GetExtension(path).ToLowerInvariant()))
            throw new RawConvException($"--out: {path} — give a file name ending in {string.Join(" or ", extensions)}");
        return path;
    }

    /// <summary>
    /// --out of a verb that writes several files into a folder: refused when it exists as a file, or when its name
    /// ends in a file extension (t.txt reads as a file, so a folder by that name would surprise).
    /// </summary>
    public static string OutFolder(string path)
    {
        if (File.Exists(path)) throw new RawConvException($"--out: {path} is a file — give a folder (it is created if missing)");
        if (!Directory.Exists(path) && Path.GetExtension(Path.TrimEndingDirectorySeparator(path)) is { Length: > 1 } ext && !path.EndsWith('/'))
            throw new RawConvException($"--out: {path} looks like a file name ({ext}) — give a folder, or end the name in / to make a folder of that name");
        return path;
    }
}
