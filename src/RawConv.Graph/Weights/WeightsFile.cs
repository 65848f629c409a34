using System.Text.Json;
using RawConv.Graph.Hdf5;

namespace RawConv.Graph.Weights;

/// <summary>What <see cref="WeightsFile.Load"/> returns: the network with its weights, and the optional class names and preprocessing.</summary>
public sealed record LoadedWeights(Net Net, IReadOnlyList<string>? Classes, Preprocessing? Preprocessing) : IDisposable
{
    public void Dispose() => Net.Dispose();
}

/// <summary>
/// RawConv's weights files (HDF5, layout in weights/README.md): root attributes <c>format</c> =
/// "rawconv-weights", <c>version</c> = 1, <c>architecture</c> (NetSpec JSON), optional <c>classes</c> (JSON
/// array) and <c>preprocess</c> (JSON); one group per layer with parameters holding float32 datasets
/// <c>weight</c> and <c>bias</c>. Every error names the file.
/// </summary>
public static partial class WeightsFile
{
    /// <summary>The value of the root <c>format</c> attribute.</summary>
    public const string Format = "rawconv-weights";
    /// <summary>The layout version written and the newest one read.</summary>
    public const int Version = 1;

    /// <summary>
    /// Writes the network's architecture and weights to <paramref name="path"/>, through a temporary file in the
    /// same folder renamed into place, so no half-written file is ever left under that name. <paramref name="attributes"/>
    /// adds root string attributes (a generator's description, say) that <see cref="ReadAttribute"/> reads back.
    /// </summary>
    public static void Save(Net net, string path, IReadOnlyList<string>? classes = null, Preprocessing? pre = null,
        IReadOnlyDictionary<string, string>? attributes = null)
    {
        var full = Path.GetFullPath(path);
        CheckExtras(net.Spec, classes, pre, path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = H5File.Create(tmp))
            {
                f.SetString("format", Format);
                f.SetInt("version", Version);
                f.SetString("architecture", net.Spec.ToJson());
                if (classes != null) f.SetString("classes", JsonSerializer.Serialize(classes));
                if (pre != null) f.SetString("preprocess", pre.ToJson());
                foreach (var (name, value) in attributes ?? new Dictionary<string, string>())
                {
                    if (name is "format" or "version" or "architecture" or "classes" or "preprocess")
                        throw new RawConvException($"attribute '{name}' is the weights file's own");
                    f.SetString(name, value);
                }
                foreach (var layer in net.Spec.Layers)
                {
                    if (!net.Parameters.TryGetValue(layer.Name, out var p)) continue;
                    using var g = f.CreateGroup(layer.Name);
                    g.CreateDataset("weight", p.Weight.ToArray(), p.Weight.Shape.Dims).Dispose();
                    if (p.Bias != null) g.CreateDataset("bias", p.Bias.ToArray(), p.Bias.Shape.Dims).Dispose();
                }
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            if (e is RawConvException) throw new RawConvException($"{path}: saving weights failed: {e.Message}", e);
            if (e is IOException or UnauthorizedAccessException) throw new RawConvException($"{path}: saving weights failed: {e.Message}", e);
            throw;
        }
    }

    /// <summary>Reads a weights file: builds the network it describes on <paramref name="backend"/> and fills in its weights.</summary>
    public static LoadedWeights Load(string path, IBackend backend) => Guarded(path, () =>
    {
        using var f = Open(path);
        var (spec, classes, pre) = ReadHeader(f, path);
        long need = spec.ParameterCount() * sizeof(float), have = new FileInfo(path).Length;
        if (need > have)
            throw new RawConvException($"{path}: the architecture needs {spec.ParameterCount():N0} parameters ({need:N0} bytes), the file has only {have:N0} bytes");
        var net = new Net(spec, backend) { Source = path };
        try
        {
            Fill(net, f, path);
        }
        catch
        {
            net.Dispose();
            throw;
        }
        return new LoadedWeights(net, classes, pre);
    });

    /// <summary>Loads the weights of <paramref name="path"/> into an existing network; every layer with parameters must be present with the network's shapes.</summary>
    public static void LoadInto(Net net, string path) => Guarded(path, () =>
    {
        using var f = Open(path);
        _ = ReadHeader(f, path);
        Fill(net, f, path);
        return 0;
    });

    /// <summary>The root string attribute <paramref name="name"/> of a weights file, or null when it has none.</summary>
    public static string? ReadAttribute(string path, string name) => Guarded(path, () =>
    {
        using var f = Open(path);
        _ = ReadHeader(f, path);
        return f.HasAttribute(name) ? f.GetString(name) : null;
    });

    /// <summary>Reads only the header: architecture, class names and preprocessing (no weights).</summary>
    public static (NetSpec Spec, IReadOnlyList<string>? Classes, Preprocessing? Preprocessing) ReadInfo(string path) => Guarded(path, () =>
    {
        using var f = Open(path);
        return ReadHeader(f, path);
    });

    private static H5File Open(string path)
    {
        H5Superblock.Check(path);
        return H5File.Open(path);
    }

    private static (NetSpec, IReadOnlyList<string>?, Preprocessing?) ReadHeader(H5File f, string path)
    {
        if (!f.HasAttribute("format")) throw new RawConvException($"{path}: not a RawConv weights file (no 'format' attribute)");
        var format = f.GetString("format");
        if (format != Format) throw new RawConvException($"{path}: not a RawConv weights file: format is '{Clip(format)}', expected '{Format}'");
        long version = f.GetInt("version");
        if (version != Version)
            throw new RawConvException($"{path}: unsupported weights format version {version}: this RawConv reads version {Version}"
                + (version > Version ? " (the file comes from a newer RawConv)" : ""));
        var spec = NetSpec.FromJson(f.GetString("architecture"), $"{path}: architecture");
        IReadOnlyList<string>? classes = null;
        if (f.HasAttribute("classes"))
        {
            string[]? names;
            try { names = JsonSerializer.Deserialize<string[]>(f.GetString("classes")); }
            catch (JsonException e) { throw new RawConvException($"{path}: classes: not a JSON array of strings: {e.Message}", e); }
            if (names is null || names.Any(n => n is null)) throw new RawConvException($"{path}: classes: not a JSON array of strings");
            classes = names;
        }
        var pre = f.HasAttribute("preprocess") ? Preprocessing.FromJson(f.GetString("preprocess"), $"{path}: preprocess") : null;
        CheckExtras(spec, classes, pre, path);
        return (spec, classes, pre);
    }

    private static void CheckExtras(NetSpec spec, IReadOnlyList<string>? classes, Preprocessing? pre, string path)
    {
        var shapes = spec.Shapes();
        var output = shapes[^1];
        long outputs = output.Count / Math.Max(output[0], 1);
        if (classes != null && classes.Count != outputs)
            throw new RawConvException($"{path}: {classes.Count} class names for a network with {outputs} outputs (output shape {output})");
        if (pre == null) return;
        pre.Validate();
        if (pre.Height != spec.InputHeight || pre.Width != spec.InputWidth || pre.Mean.Length != spec.InputChannels)
            throw new RawConvException($"{path}: preprocessing for {pre.Mean.Length}×{pre.Height}×{pre.Width} input, the network takes {spec.InputChannels}×{spec.InputHeight}×{spec.InputWidth}");
    }

    private static void Fill(Net net, H5File f, string path)
    {
        var expected = net.Spec.Layers.Where(l => net.Parameters.ContainsKey(l.Name)).Select(l => l.Name).ToList();
        var members = f.Members();
        var missing = expected.Except(members).ToList();
        if (missing.Count > 0)
            throw new RawConvException($"{path}: no weights for layer{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (the network '{net.Spec.Name}' has parameters in {string.Join(", ", expected)})");
        var extra = members.Except(expected).ToList();
        if (extra.Count > 0)
            throw new RawConvException($"{path}: group{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Select(e => $"'{Clip(e)}'"))} match no layer with parameters in '{net.Spec.Name}' ({string.Join(", ", expected)})");
        foreach (var name in expected)
        {
            var p = net.Parameters[name];
            if (f.KindOf(name) != H5MemberKind.Group) throw new RawConvException($"{path}: '{name}' is not a group (each layer's weights sit in a group)");
            using var g = f.OpenGroup(name);
            var allowed = p.Bias != null ? new[] { "weight", "bias" } : ["weight"];
            var odd = g.Members().Except(allowed).ToList();
            if (odd.Count > 0) throw new RawConvException($"{path}: layer '{name}' holds unexpected {string.Join(", ", odd.Select(o => $"'{Clip(o)}'"))} (expected {string.Join(" and ", allowed)})");
            var weight = Read(g, "weight", p.Weight.Shape, name, path, net.Spec.Name);
            var bias = p.Bias != null ? Read(g, "bias", p.Bias.Shape, name, path, net.Spec.Name) : null;
            net.SetParams(name, weight, bias);
        }
    }

    private static float[] Read(H5Group g, string what, Shape shape, string layer, string path, string netName)
    {
        if (!g.Contains(what)) throw new RawConvException($"{path}: layer '{layer}' has no '{what}' dataset");
        if (g.KindOf(what) != H5MemberKind.Dataset) throw new RawConvException($"{path}: layer '{layer}' '{what}' is not a dataset");
        using var ds = g.OpenDataset(what);
        var type = ds.ElementType;
        if (type != "float32") throw new RawConvException($"{path}: layer '{layer}' {what} is {type}, expected float32");
        var dims = ds.Dims;
        if (!dims.SequenceEqual(shape.Dims.Select(d => (long)d)))
            throw new RawConvException($"{path}: layer '{layer}' {what} has shape ({string.Join(", ", dims)}) in the file, the network '{netName}' needs {shape}");
        if (ds.StorageProblem() is { } problem) throw new RawConvException($"{path}: layer '{layer}' {what}: {problem}");
        return ds.ReadFloats();
    }

    private static T Guarded<T>(string path, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (RawConvException e) when (!e.Message.Contains(path))
        {
            throw new RawConvException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException or InvalidOperationException or FormatException
                                      or NotSupportedException or JsonException or IOException or UnauthorizedAccessException)
        {
            throw new RawConvException($"{path}: {e.Message}", e);
        }
    }

    private static string Clip(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
