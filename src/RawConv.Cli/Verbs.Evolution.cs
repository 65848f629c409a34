using System.CommandLine;
using System.Text.RegularExpressions;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Evolution() => new EvolutionVerb().Command;

    /// <summary>The epoch in a checkpoint's file name (…epoch12.h5 → 12), else null.</summary>
    internal static int? EvolutionEpoch(string file) =>
        Regex.Match(Path.GetFileNameWithoutExtension(file), @"epoch[-_]?(\d+)", RegexOptions.IgnoreCase) is { Success: true } mt ? int.Parse(mt.Groups[1].Value) : null;
}
