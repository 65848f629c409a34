using System.Text.Json.Nodes;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>One file a verb's render step produced, not yet on disk.</summary>
internal abstract record OutputFile(string Path);

/// <summary>A picture; the writer puts <paramref name="Sidecar"/> (with the command line) in the .json beside it.</summary>
internal sealed record PngFile(string Path, Image Image, object Sidecar) : OutputFile(Path);

/// <summary>Raw NCHW float32; <paramref name="Sidecar"/> goes to the .json beside it (null: another entry's sidecar describes it).</summary>
internal sealed record NpyFile(string Path, int[] Shape, float[] Data, object? Sidecar) : OutputFile(Path);

/// <summary>A text file (CSV, SVG) described by a sidecar written for a sibling picture.</summary>
internal sealed record TextFile(string Path, string Text) : OutputFile(Path);

/// <summary>Bytes written as they are (an animation) and described by a sidecar written for a sibling picture.</summary>
internal sealed record BytesFile(string Path, byte[] Bytes) : OutputFile(Path);

/// <summary>A JSON sidecar with no file of its own beside it (e.g. the index of several .npy files).</summary>
internal sealed record SidecarFile(string Path, object Payload) : OutputFile(Path);

/// <summary>What a verb's render step made: the files to write, the --json payload and the plain-text summary.</summary>
internal sealed record Rendered(IReadOnlyList<OutputFile> Files, object Json, Action<TextWriter> Text);

/// <summary>
/// Writes results: every PNG and every .npy gets a JSON sidecar (same path, .json) carrying the command line,
/// the settings and the numbers behind it. Files are staged under temporary names in their target folder
/// (created if missing) and renamed into place by <see cref="Commit"/>; disposing an uncommitted writer removes
/// what it staged and the folders it created, so a verb that fails leaves nothing half-written.
/// </summary>
internal sealed class OutputWriter : IDisposable
{
    private readonly List<(string Temp, string Final)> staged;
    private readonly List<string> created;
    private readonly List<string> provisional = [];

    /// <summary>A writer whose sidecars name <paramref name="commandLine"/>.</summary>
    public OutputWriter(string commandLine) : this(commandLine, [], []) { }

    private OutputWriter(string commandLine, List<(string, string)> staged, List<string> created)
    {
        CommandLine = commandLine;
        this.staged = staged;
        this.created = created;
    }

    /// <summary>The command named in every sidecar: the one that remakes the files.</summary>
    public string CommandLine { get; }

    /// <summary>A view of this writer (same staged files, committed together) whose sidecars name <paramref name="commandLine"/>.</summary>
    public OutputWriter WithCommand(string commandLine) => new(commandLine, staged, created);

    /// <summary>True when <paramref name="path"/> asks for raw .npy output.</summary>
    public static bool IsNpy(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="path"/> names a .png.</summary>
    public static bool IsPng(string path) => Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase);

    /// <summary>"rawconv a b c", quoting arguments with spaces.</summary>
    public static string Join(IEnumerable<string> args) => "rawconv " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    /// <summary>The command this process was started with, as typed.</summary>
    public static string ProcessCommandLine => Join(Environment.GetCommandLineArgs().Skip(1));

    /// <summary>Stages every file of <paramref name="files"/> (see <see cref="Commit"/>).</summary>
    public void StageAll(IEnumerable<OutputFile> files)
    {
        foreach (var f in files) Stage(f);
    }

    /// <summary>Stages one file (and its sidecar) under a temporary name.</summary>
    public void Stage(OutputFile file)
    {
        switch (file)
        {
            case PngFile png:
                if (!IsPng(png.Path)) throw new RawConvException($"--out: {png.Path} — give a file name ending in .png");
                Write(png.Path, t => RawConv.Imaging.Png.Save(t, png.Image));
                Sidecar(png.Path, png.Sidecar);
                break;
            case NpyFile npy:
                Write(npy.Path, t => RawConv.Imaging.Npy.Write(t, npy.Shape, npy.Data));
                if (npy.Sidecar is { } payload) Sidecar(npy.Path, payload);
                break;
            case TextFile text:
                Write(text.Path, t => File.WriteAllText(t, text.Text));
                break;
            case BytesFile bytes:
                Write(bytes.Path, t => File.WriteAllBytes(t, bytes.Bytes));
                break;
            case SidecarFile side:
                Sidecar(side.Path, side.Payload);
                break;
        }
    }

    /// <summary>Stages the JSON sidecar of <paramref name="path"/>: {"command": ..., "created": ..., ...payload}.</summary>
    public void Sidecar(string path, object payload)
    {
        var node = SafeJson.ToNode(payload)?.AsObject() ?? new JsonObject();
        node.Insert(0, "command", CommandLine);
        node.Insert(1, "created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        Write(Path.ChangeExtension(path, ".json"), t => File.WriteAllText(t, node.ToJsonString(SafeJson.Options)));
    }

    /// <summary>
    /// Commits now, for files that must exist before <paramref name="owner"/> commits (the inputs a report's commands
    /// read back); they and the folders made for them are removed again if <paramref name="owner"/> is disposed uncommitted.
    /// </summary>
    public void CommitFor(OutputWriter owner)
    {
        var finals = staged.Select(s => s.Final).ToList();
        var dirs = created.ToList();
        Commit();
        owner.provisional.AddRange(finals);
        owner.created.AddRange(dirs);
    }

    /// <summary>Moves every staged file to its final name.</summary>
    public void Commit()
    {
        // Checked before the first rename, so a blocked name leaves the earlier files unmoved too.
        foreach (var (_, final) in staged)
            if (Directory.Exists(final)) throw new RawConvException($"{final}: is a folder; cannot write the output there");
        foreach (var (temp, final) in staged) File.Move(temp, final, overwrite: true);
        staged.Clear();
        created.Clear();
        provisional.Clear();
    }

    /// <summary>Removes whatever was staged and not committed.</summary>
    public void Dispose()
    {
        foreach (var (temp, _) in staged)
            try { File.Delete(temp); } catch (IOException) { } // best effort: the verb's own error is the one to report
        staged.Clear();
        foreach (var path in provisional)
            try { File.Delete(path); } catch (IOException) { }
        provisional.Clear();
        // Deepest first, and only while empty: a folder the user put files in meanwhile stays.
        foreach (var dir in created.OrderByDescending(d => d.Length))
            try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); } catch (IOException) { }
        created.Clear();
    }

    private void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        for (var d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) created.Add(d);
        if (File.Exists(dir)) throw new RawConvException($"{path}: its folder {dir} is a file — give --out a path in a folder");
        Directory.CreateDirectory(dir);
        // The temporary name keeps the extension last: Png/Npy writers key on it.
        var temp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        staged.Add((temp, full));
        write(temp);
    }
}
