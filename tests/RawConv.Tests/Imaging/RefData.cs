using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Imaging;

/// <summary>
/// Pillow/numpy reference dumps made by tools/dump_images.py under the temp directory (not committed), one
/// folder per version of the script; generated on first use into a scratch folder that is then renamed, so
/// concurrent test runs never see half-written files. Skipped with the reason when /usr/bin/python3 with
/// Pillow and numpy is missing.
/// </summary>
public static class RefData
{
    private static readonly ScriptRefs Refs = new("dump_images.py", "rawconv-imaging-ref", "manifest.tsv", "PIL, numpy",
        scratch => [scratch]);

    /// <summary>Python with Pillow 9.4 and numpy (the Debian one).</summary>
    public const string Python = ScriptRefs.Python;

    /// <summary>The reference directory; skips the calling test when it cannot be made.</summary>
    public static string Dir => Refs.Dir;

    /// <summary>Manifest entries (name, kind, absolute input path).</summary>
    public static IEnumerable<(string Name, string Kind, string Path)> Entries(string kind) =>
        File.ReadAllLines(System.IO.Path.Combine(Dir, "manifest.tsv")).Where(l => l.Length > 0)
            .Select(l => l.Split('\t')).Where(p => p[1] == kind).Select(p => (p[0], p[1], System.IO.Path.Combine(Dir, p[2])));

    /// <summary>Runs python3 with arguments (2 minutes at most); returns stdout, or null and the reason.</summary>
    public static (string? Stdout, string Error) RunPython(params string[] args) => ScriptRefs.RunPython(120_000, args);

    /// <summary>tools/dump_images.py in the repository.</summary>
    public static string Script => Refs.Script;
}
