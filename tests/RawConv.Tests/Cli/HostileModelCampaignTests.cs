using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Cli;

/// <summary>
/// The campaign keeps both cores busy with child processes: it runs alone, after the parallel collections, so it slows
/// no other test past its time limit, and its in-process HDF5 use (building .h5 mutants) meets no other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CampaignCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "hostile-model campaign";
}

/// <summary>
/// The seeded hostile-model campaign: tools/make_small_model.py's tiny CNN in every format the command line loads
/// (.onnx, .caffemodel + .prototxt, .h5), damaged hundreds of ways (<see cref="ModelMutations"/>), run through every
/// verb that takes a model, as child processes. Each run must exit 0 or 1 — never 70, never a signal — without a
/// stack trace; a failure is one line "rawconv: …" naming the model file, and leaves --out untouched. Verbs are dealt
/// to mutants round-robin in a seeded order, so every verb × format pair sees many mutants; two runs at a time.
/// </summary>
[Collection(CampaignCollection.Name)]
public sealed class HostileModelCampaignTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261207;
    /// <summary>Mutants per format; RAWCONV_CAMPAIGN_N changes it for a longer campaign.</summary>
    private static readonly int PerFormat = int.TryParse(Environment.GetEnvironmentVariable("RAWCONV_CAMPAIGN_N"), out var n) ? n : 150;
    private static readonly TimeSpan PerRun = TimeSpan.FromSeconds(60);

    private static readonly ScriptRefs Refs = new("make_small_model.py", Path.Combine("rawconv-small-model", AlexScriptHash()), "small.h5",
        "torch, onnx, h5py, numpy", scratch => ["--out", scratch]);

    private readonly string root = Directory.CreateTempSubdirectory("rawconv-campaign-").FullName;
    private bool keep;

    public void Dispose()
    {
        if (!keep) Directory.Delete(root, true);
    }

    /// <summary>One verb: the formats it runs on, whether it writes under --out, and its arguments given the model and the run's folders.</summary>
    private sealed record Verb(string Name, string[] Formats, bool WritesOut, Func<Files, string[], string, string[]> Args);

    /// <summary>The untouched inputs every run shares: two preprocessed images, the first alone, an image folder, the good .h5.</summary>
    private sealed record Files(string Input, string One, string Dataset, string GoodH5);

    private static readonly string[] All = ["onnx", "caffemodel", "prototxt", "h5"];
    private static readonly string[] NoCaffe = ["onnx", "h5"];
    private const string Ref = "reference";

    // evolution and report take no --prototxt, so they cannot open a Caffe model; check-weights reads .h5 only.
    private static readonly Verb[] Verbs =
    [
        new("classify", All, false, (f, m, o) => ["classify", .. m, "--input", f.Input, "--json", "--device", Ref]),
        new("info", All, false, (f, m, o) => ["info", .. m, "--json"]),
        new("import", All, true, (f, m, o) => ["import", .. m, "--out", Path.Combine(o, "x.h5"), "--device", Ref]),
        new("features", All, true, (f, m, o) => ["features", .. m, "--input", f.Input, "--layer", "conv2", "--out", Path.Combine(o, "x.npy"), "--device", Ref]),
        new("evaluate", All, false, (f, m, o) => ["evaluate", .. m, "--dataset", f.Dataset, "--json", "--device", Ref]),
        new("deconv", All, true, (f, m, o) => ["deconv", .. m, "--input", f.Input, "--layer", "conv2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("saliency", All, true, (f, m, o) => ["saliency", .. m, "--input", f.Input, "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("topk", All, true, (f, m, o) => ["topk", .. m, "--dataset", f.Dataset, "--layer", "conv2", "--k", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("occlusion", All, true, (f, m, o) => ["occlusion", .. m, "--input", f.One, "--size", "10", "--stride", "10", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("invariance", All, true, (f, m, o) => ["invariance", .. m, "--input", f.Input, "--transform", "translate", "--steps", "3", "--out", o + "/", "--device", Ref]),
        new("correspondence", All, true, (f, m, o) => ["correspondence", .. m, "--input", f.Input, "--box", "2,2,12,12", "--random", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("evolution", NoCaffe, true, (f, m, o) => ["evolution", "--checkpoints", f.GoodH5, m[1], "--units", "conv1:1,conv2:3", "--dataset", f.Dataset, "--limit", "4", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("report", NoCaffe, true, (f, m, o) => ["report", .. m, "--out", Path.Combine(o, "report"), "--eval-limit", "4", "--topk-limit", "8", "--per-class", "1", "--quick", "--device", Ref]),
        new("check-weights", ["h5"], false, (f, m, o) => ["check-weights", m[1]]),
        new("maximize", All, true, (f, m, o) => ["maximize", .. m, "--target", "class:1", "--iterations", "3", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("invert", All, true, (f, m, o) => ["invert", .. m, "--input", f.One, "--layer", "relu2", "--iterations", "3", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("dream", All, true, (f, m, o) => ["dream", .. m, "--input", f.One, "--layer", "relu2", "--octaves", "1", "--iterations", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("adversarial", All, true, (f, m, o) => ["adversarial", .. m, "--input", f.One, "--steps", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("texture", All, true, (f, m, o) => ["texture", .. m, "--image", Path.Combine(f.Dataset, "class0", "0.png"), "--iterations", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("style", All, true, (f, m, o) => ["style", .. m, "--content", f.One, "--style", f.One, "--iterations", "2", "--out", Path.Combine(o, "x.png"), "--device", Ref]),
        new("dgn train", NoCaffe, true, (f, m, o) => ["dgn", "train", .. m, "--dataset", f.Dataset, "--batch", "2", "--epochs", "1", "--max-steps", "1", "--out", Path.Combine(o, "g.h5"), "--device", Ref]),
    ];

    private static string AlexScriptHash() =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(AlexRefs.Script)))[..12];

    /// <summary>The model arguments of a format: (--model …, --prototxt …) with the mutant in its place; caffe variants alternate V2/V1.</summary>
    private static string[] ModelArgs(string format, string refs, string mutant, bool v1)
    {
        string caffemodel = Path.Combine(refs, v1 ? "small_v1.caffemodel" : "small.caffemodel"), prototxt = Path.Combine(refs, v1 ? "small_v1.prototxt" : "small.prototxt");
        return format switch
        {
            "caffemodel" => ["--model", mutant, "--prototxt", prototxt],
            "prototxt" => ["--model", caffemodel, "--prototxt", mutant],
            _ => ["--model", mutant],
        };
    }

    private Files Prepare(string refs)
    {
        string dataset = Path.Combine(root, "dataset");
        for (int c = 0; c < 2; c++)
        {
            Directory.CreateDirectory(Path.Combine(dataset, $"class{c}"));
            for (int k = 0; k < 2; k++)
            {
                var px = Rand.Uniform(50 + 2 * c + k, 40 * 40, 0, 255);
                Png.Save(Path.Combine(dataset, $"class{c}", $"{k}.png"), new Image(40, 40, 1, 8, px.Select(v => (ushort)v).ToArray()));
            }
        }
        string input = Path.Combine(refs, "input.npy"), one = Path.Combine(root, "one.npy");
        var (shape, data, _) = Npy.Read(input);
        Npy.Write(one, [1, .. shape[1..]], ((float[])data)[..(data.Length / shape[0])]);
        return new Files(input, one, dataset, Path.Combine(refs, "small.h5"));
    }

    [SkippableFact]
    public void TheUntouchedSmallModelRunsEveryVerbInEveryFormat()
    {
        string refs = Refs.Dir;
        var clock = Stopwatch.StartNew();
        var files = Prepare(refs);
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(refs, "prob.json"))).RootElement.GetProperty("prob")
            .EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var jobs = new List<(Verb Verb, string[] Args, string OutDir)>();
        foreach (var format in All)
            foreach (bool v1 in format is "caffemodel" or "prototxt" ? new[] { false, true } : [false])
            {
                string model = Path.Combine(refs, format switch { "onnx" => "small.onnx", "h5" => "small.h5", _ => v1 ? "small_v1.caffemodel" : "small.caffemodel" });
                string file = format == "prototxt" ? Path.Combine(refs, v1 ? "small_v1.prototxt" : "small.prototxt") : model;
                foreach (var verb in Verbs.Where(v => v.Formats.Contains(format)))
                {
                    string outDir = Directory.CreateDirectory(Path.Combine(root, $"good-{format}-{(v1 ? "v1" : "v2")}-{verb.Name}")).FullName;
                    jobs.Add((verb, verb.Args(files, ModelArgs(format, refs, file, v1), outDir), outDir));
                }
            }
        var results = new (int Code, string Out, string Err, bool TimedOut)[jobs.Count];
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => results[i] = CliProcess.RunWithin(PerRun, jobs[i].Args));
        for (int j = 0; j < jobs.Count; j++)
        {
            var (verb, args, outDir) = jobs[j];
            var (code, stdout, stderr, timedOut) = results[j];
            string cmd = "rawconv " + string.Join(' ', args);
            Assert.False(timedOut, $"{cmd}: timed out");
            Assert.True(code == 0, $"{cmd}: exit {code}: {stderr}");
            if (verb.WritesOut) Assert.True(Directory.EnumerateFileSystemEntries(outDir).Any(), $"{cmd}: wrote nothing under --out");
            if (verb.Name != "classify") continue;
            var images = JsonDocument.Parse(stdout).RootElement.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, images.Length);
            for (int i = 0; i < images.Length; i++)
            {
                var top = images[i].GetProperty("top").EnumerateArray().ToArray();
                var got = top.Select(t => t.GetProperty("probability").GetSingle()).ToArray();
                var want = top.Select(t => expected[i][t.GetProperty("index").GetInt32()]).ToArray();
                Check.Close(got, want, 1e-5, 1e-4, $"{cmd}: image {i} probabilities against PyTorch");
                Assert.Equal(Array.IndexOf(expected[i], expected[i].Max()), top[0].GetProperty("index").GetInt32());
            }
        }
        output.WriteLine($"{jobs.Count} runs of the untouched files in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [SkippableTheory]
    [InlineData("onnx")]
    [InlineData("caffemodel")]
    [InlineData("prototxt")]
    [InlineData("h5")]
    public void DamagedModelsFailCleanlyInEveryVerb(string format)
    {
        string refs = Refs.Dir;
        var clock = Stopwatch.StartNew();
        var files = Prepare(refs);
        var mutants = MakeMutants(format, refs);
        var verbs = Verbs.Where(v => v.Formats.Contains(format)).OrderBy(v => StableHash(v.Name + format)).ToArray();
        var failures = new ConcurrentBag<string>();
        var codes = new ConcurrentDictionary<string, int>();
        var runs = new ConcurrentDictionary<string, int>();
        Parallel.For(0, mutants.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var (what, path, v1) = mutants[i];
            var verb = verbs[i % verbs.Length];
            string outDir = Path.Combine(root, $"run-{i:D3}-out");
            Directory.CreateDirectory(outDir);
            var args = verb.Args(files, ModelArgs(format, refs, path, v1), outDir);
            var (code, _, stderr, timedOut) = CliProcess.RunWithin(PerRun, args);
            runs.AddOrUpdate(verb.Name, 1, (_, c) => c + 1);
            codes.AddOrUpdate($"{verb.Name} exit {code}", 1, (_, c) => c + 1);
            var named = format == "prototxt" ? new[] { path, args[Array.IndexOf(args, "--model") + 1] } : [path];
            if (Problem(verb, code, stderr, timedOut, named, outDir) is { } problem)
                failures.Add($"seed {Seed}, {format} mutant {i} ({what}): {problem}\n  command: rawconv {string.Join(' ', args)}\n  stderr: {stderr.Trim()}");
        });
        output.WriteLine($"{format}: {mutants.Count} mutants, {runs.Values.Sum()} runs in {clock.Elapsed.TotalSeconds:F1} s (seed {Seed})");
        foreach (var (k, c) in codes.OrderBy(e => e.Key)) output.WriteLine($"  {k,-28} {c,4}");
        if (!failures.IsEmpty)
        {
            keep = true;
            Assert.Fail($"{failures.Count} of {mutants.Count} runs misbehaved (mutants kept under {root}):\n{string.Join("\n", failures.OrderBy(f => f))}");
        }
    }

    /// <summary>What is wrong with one run, or null.</summary>
    private static string? Problem(Verb verb, int code, string stderr, bool timedOut, string[] named, string outDir)
    {
        if (timedOut) return $"no answer within {PerRun.TotalSeconds} s";
        if (code is not (0 or 1)) return $"exit code {code}";
        if (stderr.Contains("Unhandled exception") || stderr.Split('\n').Any(l => l.StartsWith("   at "))) return "stack trace on stderr";
        if (code == 0) return null;
        var lines = stderr.Trim().Split('\n');
        if (lines.Length != 1) return $"{lines.Length} lines on stderr, expected one";
        // check-weights is the child of a model load: its parent adds the "rawconv: " prefix.
        if (verb.Name != "check-weights" && !lines[0].StartsWith("rawconv: ")) return "stderr does not start with 'rawconv: '";
        if (!named.Any(lines[0].Contains)) return "the message does not name the model file";
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any()) return "files left under --out after a failure";
        if (!Directory.Exists(outDir)) return "--out folder removed after a failure";
        return null;
    }

    /// <summary>The seeded mutants of one format: (what was done, file path, V1 Caffe variant).</summary>
    private List<(string What, string Path, bool V1)> MakeMutants(string format, string refs)
    {
        var rng = new Random(Seed + Array.IndexOf(All, format));
        var variant = new Random(Seed * 31 + Array.IndexOf(All, format));
        var dir = Directory.CreateDirectory(Path.Combine(root, "mutants")).FullName;
        var list = new List<(string, string, bool)>();
        float[][] weights;
        using (var w = WeightsFile.Load(Path.Combine(refs, "small.h5"), Backends.Reference))
            weights = w.Net.Parameters.Values.SelectMany(p => new[] { p.Weight.ToArray(), p.Bias!.ToArray() }).ToArray();
        for (int i = 0; i < PerFormat; i++)
        {
            bool v1 = variant.Next(2) == 1 && format is "caffemodel" or "prototxt";
            string ext = format == "prototxt" ? "prototxt" : format;
            string path = Path.Combine(dir, $"m{i:D3}{(v1 ? "_v1" : "")}.{ext}");
            Mutant m;
            if (format == "prototxt")
                m = ModelMutations.Text(File.ReadAllText(Path.Combine(refs, v1 ? "small_v1.prototxt" : "small.prototxt")), i % ModelMutations.TextKinds, rng);
            else if (format == "h5" && i % 5 == 4)
                m = SpecialH5(refs, rng, path);
            else if (format == "h5" && i % 5 == 2)
                m = AttributeH5(refs, rng, path);
            else
            {
                string src = Path.Combine(refs, format switch { "onnx" => "small.onnx", "h5" => "small.h5", _ => v1 ? "small_v1.caffemodel" : "small.caffemodel" });
                var bytes = File.ReadAllBytes(src);
                var floats = ModelMutations.FloatRuns(bytes, weights);
                Assert.True(floats.Count == weights.Length, $"{src}: found {floats.Count} of {weights.Length} weight arrays in the file");
                var varints = format == "h5" ? [] : ModelMutations.Varints(bytes);
                m = ModelMutations.Binary(bytes, i % ModelMutations.BinaryKinds, rng, floats, varints, format == "h5");
            }
            File.WriteAllBytes(path, m.Data);
            list.Add((m.What, path, v1));
        }
        return list;
    }

    /// <summary>An .h5 whose weights (checksummed, so not reachable by byte damage) hold a special float: written through WeightsFile.Save.</summary>
    private static Mutant SpecialH5(string refs, Random rng, string path)
    {
        using var w = WeightsFile.Load(Path.Combine(refs, "small.h5"), Backends.Reference);
        var names = w.Net.Parameters.Keys.ToArray();
        string layer = names[rng.Next(names.Length)];
        var p = w.Net.Parameters[layer];
        var weight = p.Weight.ToArray();
        var bias = p.Bias!.ToArray();
        bool inBias = rng.Next(3) == 0;
        var target = inBias ? bias : weight;
        int k = rng.Next(target.Length);
        float v = ModelMutations.SpecialFloats[rng.Next(ModelMutations.SpecialFloats.Length)];
        target[k] = v;
        w.Net.SetParams(layer, weight, bias);
        WeightsFile.Save(w.Net, path);
        return new($"{layer} {(inBias ? "bias" : "weight")}[{k}] set to {v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} and saved", File.ReadAllBytes(path));
    }

    private static readonly string[] HostileClasses = ["[\"a\"]", "[null]", "{}", "[" + string.Join(",", Enumerable.Repeat("\"x\"", 100_000)) + "]",
        new string('[', 5000) + new string(']', 5000), "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",1]", ""];
    private static readonly string[] HostilePreprocess =
    [
        "{\"channelOrder\":\"RGB\",\"mean\":[0],\"std\":[0],\"scale\":1,\"height\":40,\"width\":40}",
        "{\"channelOrder\":\"RGB\",\"mean\":[\"NaN\"],\"std\":[1],\"scale\":1,\"height\":40,\"width\":40}",
        "{\"channelOrder\":\"RGB\",\"mean\":[0,0,0],\"std\":[1,1,1],\"scale\":1,\"height\":40,\"width\":40}",
        "{\"channelOrder\":\"XYZ\",\"mean\":[0],\"std\":[1],\"scale\":1,\"height\":40,\"width\":40}",
        "{\"channelOrder\":\"RGB\",\"mean\":[0],\"std\":[1],\"scale\":1,\"height\":2147483647,\"width\":-1}",
        "{\"channelOrder\":\"RGB\",\"mean\":[0],\"std\":[1],\"scale\":1e39,\"height\":40,\"width\":40,\"letterbox\":99999}",
        "null", "[]", "{",
    ];

    /// <summary>An .h5 whose header attributes are damaged (architecture JSON text, classes, preprocess, format, version): the data stays valid HDF5.</summary>
    private static Mutant AttributeH5(string refs, Random rng, string path)
    {
        File.Copy(Path.Combine(refs, "small.h5"), path, overwrite: true);
        string what;
        using (var f = RawConv.Graph.Hdf5.H5File.Open(path, writable: true))
        {
            switch (rng.Next(5))
            {
                case 0 or 1:
                    var m = ModelMutations.Text(f.GetString("architecture"), rng.Next(ModelMutations.TextKinds), rng);
                    f.SetString("architecture", Encoding.UTF8.GetString(m.Data));
                    what = $"architecture JSON: {m.What}";
                    break;
                case 2:
                    string c = HostileClasses[rng.Next(HostileClasses.Length)];
                    f.SetString("classes", c);
                    what = $"classes set to {(c.Length > 60 ? c[..60] + "…" : c)}";
                    break;
                case 3:
                    string pre = HostilePreprocess[rng.Next(HostilePreprocess.Length)];
                    f.SetString("preprocess", pre);
                    what = $"preprocess set to {pre}";
                    break;
                default:
                    if (rng.Next(2) == 0)
                    {
                        long v = new[] { 0L, -1, 2, long.MaxValue, long.MinValue }[rng.Next(5)];
                        f.SetInt("version", v);
                        what = $"version set to {v}";
                    }
                    else
                    {
                        string fmt = new[] { "", "rawconv-weights\u0000x", "RAWCONV-WEIGHTS", new string('x', 100_000) }[rng.Next(4)];
                        f.SetString("format", fmt);
                        what = $"format set to a {fmt.Length}-char string";
                    }
                    break;
            }
        }
        return new(what, File.ReadAllBytes(path));
    }

    private static int StableHash(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c + Seed));
}
