using System.Text;
using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>
/// Hostile option values, inputs and output paths: each ends the verb with exit code 1 and one stderr line that
/// names the option or file at fault, no stack trace, and nothing written where --out points.
/// </summary>
public sealed class HostileInputTests(SeeingCliFixture f) : IClassFixture<SeeingCliFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private string P(string name) => Path.Combine(dir, name);

    /// <summary>Runs the verb and asserts the refusal contract; returns the one stderr line.</summary>
    private static string Refused(string? outPath, params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(args);
        var lines = stderr.Trim().Split('\n');
        Assert.True(code == 1, $"exit {code} for {string.Join(' ', args)}: {stderr}");
        Assert.Single(lines);
        Assert.StartsWith("rawconv: ", lines[0]);
        Assert.DoesNotContain(" at RawConv.", stderr);
        Assert.DoesNotContain("internal error", stderr);
        Assert.DoesNotContain("NaN", stdout);
        if (outPath is not null) Assert.False(File.Exists(outPath) || Directory.Exists(outPath), $"{outPath} was written by a failed `{string.Join(' ', args)}`");
        return lines[0];
    }

    /// <summary>The fixture's model with one fc8 bias replaced by <paramref name="value"/>.</summary>
    private string Damaged(string name, float value)
    {
        using var w = WeightsFile.Load(f.Model, Backends.Reference);
        var fc8 = w.Net.Parameters["fc8"];
        var bias = fc8.Bias!.ToArray();
        bias[3] = value;
        w.Net.SetParams("fc8", fc8.Weight.ToArray(), bias);
        WeightsFile.Save(w.Net, P(name), w.Classes, w.Preprocessing);
        return P(name);
    }

    /// <summary>The fixture's architecture with every weight and bias zero: degenerate but valid.</summary>
    private string AllZero()
    {
        using var w = WeightsFile.Load(f.Model, Backends.Reference);
        foreach (var (layer, p) in w.Net.Parameters.ToList())
            w.Net.SetParams(layer, new float[p.Weight.Count], p.Bias is null ? null : new float[p.Bias.Count]);
        WeightsFile.Save(w.Net, P("zero.h5"), w.Classes, w.Preprocessing);
        return P("zero.h5");
    }

    private string Npy(string name, int[] shape, float[] data)
    {
        RawConv.Imaging.Npy.Write(P(name), shape, data);
        return P(name);
    }

    /// <summary>A folder dataset of <paramref name="classes"/> classes, two 40×40 grey pictures each.</summary>
    private string Folder(int classes)
    {
        string root = P($"folder{classes}");
        for (int c = 0; c < classes; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, $"k{c}"));
            for (int i = 0; i < 2; i++)
            {
                var img = new Image(40, 40, 1);
                for (int p = 0; p < img.Data.Length; p++) img.Data[p] = (ushort)((p * (c + 3) + i * 17) % 256);
                ImageIO.Save(Path.Combine(root, $"k{c}", $"{i}.png"), img);
            }
        }
        return root;
    }

    [Fact]
    public void ANaNBiasIsNamedByFileAndLayerNeverAsClassMinusOne()
    {
        string model = Damaged("nan.h5", float.NaN);
        foreach (var args in new[]
        {
            new[] { "classify", "--model", model, "--input", f.Input, "--json" },
            ["invariance", "--model", model, "--input", f.Input, "--transform", "translate", "--steps", "3", "--out", P("inv") + "/", "--json"],
            ["saliency", "--model", model, "--input", f.Input, "--out", P("s.png")],
            ["deconv", "--model", model, "--input", f.Input, "--layer", "fc8", "--out", P("d.png")],
        })
        {
            string line = Refused(null, [.. args, "--device", "reference"]);
            // Weights holding NaN are refused when the model loads, before any forward pass could launder them.
            Assert.Equal($"rawconv: {model}: layer fc8 bias holds 1 non-finite value (NaN) — the weights are damaged; re-export or re-import the model", line);
            Assert.DoesNotContain(Directory.GetFileSystemEntries(dir), e => Path.GetFileName(e) is "inv" or "s-0.png" or "s-0.json" or "d-0.png");
        }
    }

    [Fact]
    public void ANaNCheckpointIsNamedInEvolution()
    {
        string model = Damaged("nan-epoch1.h5", float.NaN);
        string line = Refused(P("evo.png"), "evolution", "--checkpoints", model, f.Model, "--units", "fc8:3", "--dataset", Folder(2), "--out", P("evo.png"), "--device", "reference");
        Assert.Equal($"rawconv: {model}: layer fc8 bias holds 1 non-finite value (NaN) — the weights are damaged; re-export or re-import the model", line);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("features", "--layer", "conv1", "--out", "OUT/f.npy")]
    [InlineData("saliency", "--out", "OUT/s.png")]
    [InlineData("deconv", "--layer", "conv1", "--out", "OUT/d.png")]
    [InlineData("invariance", "--transform", "translate", "--steps", "3", "--out", "OUT/")]
    [InlineData("occlusion", "--out", "OUT/o.png")]
    public void AnEmptyBatchIsRefusedNamingTheFileAndShape(string verb, params string[] rest)
    {
        string input = Npy("empty.npy", [0, 1, 40, 40], []), outDir = P("out");
        string line = Refused(outDir, [verb, "--model", f.Model, "--input", input, .. rest.Select(a => a.Replace("OUT", outDir)), "--device", "reference"]);
        Assert.Equal($"rawconv: --input: {input}: tensor (0, 1, 40, 40) holds no images — give at least one (N ≥ 1)", line);
    }

    [Fact]
    public void AnInfiniteInputIsNamedByFile()
    {
        var x = Rand.Uniform(5, 1600, 0, 1);
        x[7] = float.PositiveInfinity;
        string input = Npy("inf.npy", [1, 1, 40, 40], x);
        Assert.Equal($"rawconv: --input: {input}: holds 1 non-finite value (+Inf) — inputs must be finite",
            Refused(P("inv"), "invariance", "--model", f.Model, "--input", input, "--transform", "translate", "--steps", "5", "--out", P("inv") + "/", "--device", "reference"));
    }

    [Theory]
    [InlineData("s.png", "saliency")]
    [InlineData("d.png", "deconv", "--layer", "conv1")]
    [InlineData("f.npy", "features", "--layer", "conv1")]
    [InlineData("o.png", "occlusion", "--size", "16", "--stride", "12")]
    public void ABlockedSidecarLeavesNoPicture(string file, string verb, params string[] rest)
    {
        string outDir = P("blocked"), target = Path.Combine(outDir, file);
        string input = Npy("one.npy", [1, 1, 40, 40], Rand.Uniform(6, 1600, 0, 1));
        Directory.CreateDirectory(Path.ChangeExtension(target, ".json")); // a folder where the sidecar must go
        var (code, _, stderr) = CliProcess.Run([verb, "--model", f.Model, "--input", input, .. rest, "--out", target, "--device", "reference"]);
        Assert.Equal(1, code);
        Assert.Equal($"rawconv: {Path.ChangeExtension(target, ".json")}: is a folder; cannot write the output there", stderr.Trim());
        Assert.Equal([Path.GetFileNameWithoutExtension(file) + ".json"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--k", "2147483647", "rawconv: --k: 2147483647 is out of range — give a value from 1 to 1024 (images kept per feature map)")]
    [InlineData("--k", "100000", "rawconv: --k: 100000 is out of range — give a value from 1 to 1024 (images kept per feature map)")]
    [InlineData("--k", "0", "rawconv: --k: 0 is out of range — give a value from 1 to 1024 (images kept per feature map)")]
    [InlineData("--k", "9", "rawconv: --k: 9 is more than the 4 images scanned — give 1 to 4")]
    [InlineData("--batch", "0", "rawconv: --batch: 0 is out of range — give 1 or more (images per forward pass)")]
    [InlineData("--limit", "-5", "rawconv: --limit: -5 is out of range — give 0 or more (0 scans all)")]
    public void TopKBoundsKBatchAndLimit(string option, string value, string expected)
    {
        string outDir = P("topk");
        Assert.Equal(expected, Refused(outDir, "topk", "--model", f.Model, "--layer", "conv1", "--dataset", Folder(2), option, value, "--out", outDir + "/", "--device", "reference"));
    }

    [Fact]
    public void TopKDrawsTheImagesItFoundAndAHugeBatchIsCutToThem()
    {
        string png = P("t.png");
        var (code, _, stderr) = CliProcess.Run("topk", "--model", f.Model, "--layer", "conv1", "--channels", "0", "--dataset", Folder(2), "--k", "4",
            "--batch", "2147483647", "--out", png, "--device", "reference");
        Assert.True(code == 0, stderr);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.Equal(4, side.GetProperty("k").GetInt32());
        Assert.Equal(4, side.GetProperty("channels")[0].GetProperty("entries").GetArrayLength());
    }

    [Theory]
    [InlineData("rawconv: --steps: 100000 is out of range — give a value from 1 to 1000 (amounts per sweep)", "invariance", "--transform", "translate", "--steps", "100000", "--out", "OUT/")]
    [InlineData("rawconv: --steps: 0 is out of range — give a value from 1 to 1000 (amounts per sweep)", "invariance", "--transform", "translate", "--steps", "0", "--out", "OUT/")]
    [InlineData("rawconv: --range '1e400:2': expected FROM:TO with finite numbers, e.g. -12:12", "invariance", "--transform", "translate", "--range", "1e400:2", "--out", "OUT/")]
    [InlineData("rawconv: --range '-1e38:1e38': translate amounts must lie in -160:160 pixels (4× the input side)", "invariance", "--transform", "translate", "--range", "-1e38:1e38", "--out", "OUT/")]
    [InlineData("rawconv: --batch: 0 is out of range — give 1 or more (transformed copies per forward pass)", "invariance", "--transform", "rotate", "--batch", "0", "--out", "OUT/")]
    [InlineData("rawconv: --samples: 100000 is out of range — give a value from 1 to 10000 (noisy copies per image)", "saliency", "--method", "smoothgrad", "--samples", "100000", "--out", "OUT/s.png")]
    [InlineData("rawconv: --noise: NaN is not a finite number — give a value from 0 to 10", "saliency", "--method", "smoothgrad", "--noise", "NaN", "--out", "OUT/s.png")]
    [InlineData("rawconv: --top: 0 is out of range — give a value from 1 to 1000 (how many classes to list)", "classify", "--top", "0")]
    [InlineData("rawconv: --top: 11 is more than the 10 classes of mini_alexnet — give 1 to 10", "classify", "--top", "11")]
    [InlineData("rawconv: --size: 0 is out of range — give a value from 1 to 4096 (side of the square in input pixels)", "occlusion", "--size", "0", "--out", "OUT/o.png")]
    [InlineData("rawconv: --unit: -1 is out of range — give 0 or more (a feature map number)", "deconv", "--layer", "conv1", "--unit", "-1", "--out", "OUT/d.png")]
    public void NumericOptionsAreBoundedAndNamed(string expected, string verb, params string[] rest)
    {
        string outDir = P("out");
        Assert.Equal(expected, Refused(outDir, [verb, "--model", f.Model, "--input", f.Input, .. rest.Select(a => a.Replace("OUT", outDir)), "--device", "reference"]));
    }

    [Theory]
    [InlineData("rawconv: --epochs: 0 is out of range — give a value from 1 to 10000 (passes over the training set)", "--epochs", "0")]
    [InlineData("rawconv: --epochs: -1 is out of range — give a value from 1 to 10000 (passes over the training set)", "--epochs", "-1")]
    [InlineData("rawconv: --lr: NaN is not a finite number — give a value from 0 to 10", "--lr", "NaN")]
    [InlineData("rawconv: --lr: 0 never moves the weights — give a value above 0, e.g. 0.02", "--lr", "0")]
    [InlineData("rawconv: --momentum: 1 is out of range — give a value from 0 to 0.999 (SGD momentum)", "--momentum", "1")]
    [InlineData("rawconv: --checkpoint-epochs: 3 is out of range — give a value from 1 to 2 (epochs of this run)", "--epochs", "2", "--checkpoint-epochs", "3")]
    [InlineData("rawconv: --batch: 64 is more than the 4 training images of DATA — give 1 to 4", "--batch", "64")]
    public void TrainRefusesBadSettingsBeforeTraining(string expected, params string[] options)
    {
        string h5 = P("m.h5"), data = Folder(2);
        Assert.Equal(expected.Replace("DATA", data), Refused(h5, ["train", "--dataset", data, .. options, "--out", h5, "--device", "reference"]));
    }

    [Fact]
    public void TrainRefusesAnArchitectureWhoseClassesDisagreeWithTheDataset()
    {
        string h5 = P("m.h5"), data = Folder(3);
        Assert.Equal($"rawconv: --arch: mini-alexnet:classes=5 outputs 5 class scores at fc8 but --dataset {data} has 3 classes — make them agree",
            Refused(h5, "train", "--dataset", data, "--arch", "mini-alexnet:classes=5", "--out", h5, "--device", "reference"));
    }

    [Fact]
    public void TrainingOnAFolderSizesTheClassifierAndSkipsTheMissingTestSplit()
    {
        string h5 = Path.Combine(dir, "new", "m.h5"), data = Folder(3);
        var (code, stdout, stderr) = CliProcess.Run("train", "--dataset", data, "--arch", "mini-alexnet:c1=4,c2=4,c3=4,c4=4,c5=4,fc=8", "--epochs", "1", "--batch", "2",
            "--max-steps", "1", "--out", h5, "--device", "reference");
        Assert.True(code == 0, stderr);
        Assert.Contains($"{data} has no test split: test accuracy is not measured", stdout);
        Assert.DoesNotContain("NaN", stdout);
        Assert.DoesNotContain("test ", stdout.Split('\n').Single(l => l.StartsWith("epoch 1:")));
        (code, var info, stderr) = CliProcess.Run("info", "--model", h5, "--json");
        Assert.True(code == 0, stderr);
        var fc8 = JsonDocument.Parse(info).RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "fc8");
        Assert.Equal([1, 3], fc8.GetProperty("output").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Theory]
    [InlineData("rawconv: --out: empty path — give a file or folder name", "import", "--out", "")]
    [InlineData("rawconv: --model: empty path — give a file name", "info", "--model", "")]
    [InlineData("rawconv: --image: empty path — give a file name", "classify", "--image", "")]
    [InlineData("rawconv: --out: empty path — give a file or folder name", "features", "--layer", "conv1", "--input", "x.npy", "--out", "")]
    [InlineData("rawconv: --layer: empty value — give a value (see `rawconv features --help`)", "features", "--layer", "", "--input", "x.npy", "--out", "f.npy")]
    [InlineData("rawconv: --input: nothing.npy: no such file — give an NCHW float32 .npy", "classify", "--input", "nothing.npy")]
    [InlineData("rawconv: Cannot parse argument 'abc' for option '--k' as expected type 'System.Int32' — see `rawconv topk --help`", "topk", "--layer", "conv1", "--k", "abc", "--out", "t/")]
    [InlineData("rawconv: Required command was not provided; Unrecognized command or argument 'bogus' — see `rawconv --help`", "bogus")]
    public void EmptyAndMissingPathsAreNamed(string expected, params string[] args) => Assert.Equal(expected, Refused(null, args));

    [Fact]
    public void OutIsAFileForOneOutputAndAFolderForSeveral()
    {
        var (code, _, stderr) = CliProcess.Run("features", "--model", f.Model, "--input", f.Input, "--layer", "conv1", "--out", P("no/dir/f.npy"), "--device", "reference");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(P("no/dir/f.npy")) && File.Exists(P("no/dir/f.json")));
        Assert.Equal($"rawconv: --out: {P("t.txt")} looks like a file name (.txt) — give a folder, or end the name in / to make a folder of that name",
            Refused(P("t.txt"), "topk", "--model", f.Model, "--layer", "conv1", "--dataset", Folder(2), "--out", P("t.txt"), "--device", "reference"));
        Assert.Equal($"rawconv: --out: {dir} is a folder — give a file name ending in .npy or .png",
            Refused(null, "features", "--model", f.Model, "--input", f.Input, "--layer", "conv1", "--out", dir, "--device", "reference"));
        Assert.Equal($"rawconv: --out: {P("inv.txt")} — give a folder (ending in /), a prefix, a .png/.svg/.csv/.json name or x.npy",
            Refused(P("inv.txt"), "invariance", "--model", f.Model, "--input", f.Input, "--transform", "rotate", "--out", P("inv.txt"), "--device", "reference"));
        File.WriteAllText(P("report"), "a file");
        Assert.Equal($"rawconv: --out: {P("report")} is a file — give a folder (it is created if missing)", Refused(null, "report", "--out", P("report"), "--classify-only"));
        Assert.Equal($"rawconv: --per-class: 0 is out of range — give a value from 1 to 100 (test images shown per class)", Refused(P("rep"), "report", "--out", P("rep"), "--per-class", "0"));
    }

    [Fact]
    public void AnAllZeroModelGivesBlankMapsWithANote()
    {
        string model = AllZero(), png = P("s.png"), deconv = P("d.png");
        var (code, _, stderr) = CliProcess.Run("saliency", "--model", model, "--input", f.Input, "--display", "all", "--out", png, "--device", "reference");
        Assert.True(code == 0, stderr);
        foreach (var i in new[] { 0, 1 })
        {
            var side = JsonDocument.Parse(File.ReadAllText(P($"s-{i}.json"))).RootElement;
            Assert.Equal("the map is zero everywhere", side.GetProperty("note").GetString());
        }
        (code, _, stderr) = CliProcess.Run("deconv", "--model", model, "--input", f.Input, "--layer", "conv2", "--out", deconv, "--device", "reference");
        Assert.True(code == 0, stderr);
        Assert.Equal("the deconvnet, gradient, guided projections are zero everywhere",
            JsonDocument.Parse(File.ReadAllText(P("d-0.json"))).RootElement.GetProperty("note").GetString());
    }

    /// <summary>A PNG whose IHDR declares <paramref name="w"/>×<paramref name="h"/>: the header alone must be refused before any pixel is allocated.</summary>
    private static byte[] PngHeader(uint w, uint h)
    {
        var ihdr = new List<byte>(Encoding.ASCII.GetBytes("IHDR"));
        foreach (var v in new[] { w, h }) ihdr.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        ihdr.AddRange([8, 0, 0, 0, 0]);
        uint crc = Crc32([.. ihdr]);
        return [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, .. ihdr, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void AHugeDeclaredPictureIsRefusedFromItsHeader()
    {
        string png = P("big.png"), pgm = P("big.pgm");
        File.WriteAllBytes(png, PngHeader(16000, 16000));
        File.WriteAllText(pgm, "P5 16000 16000 255\n");
        Assert.Equal($"rawconv: {png}: PNG: IHDR width×height 16000×16000 (256.0 megapixels) is over the decode limit of 100 megapixels — downscale the picture first",
            Refused(null, "classify", "--model", f.Model, "--image", png, "--device", "reference"));
        Assert.Equal($"rawconv: {pgm}: PNM: width×height 16000×16000 (256.0 megapixels) is over the decode limit of 100 megapixels — downscale the picture first",
            Refused(null, "classify", "--model", f.Model, "--image", pgm, "--device", "reference"));
    }
}
