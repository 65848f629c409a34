using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using RawConv.Imaging;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>
/// The self-contained single-file build (tools/publish.sh): copied alone into an empty folder and run with a bare
/// environment (no DOTNET_ROOT, no dotnet on PATH, an empty HOME) from another directory, it lists the devices and
/// classifies as the normal build does, with the kernels and the default model inside and the OpenCL and HDF5
/// libraries taken from the system.
/// </summary>
[Collection(BuildsCollection.Name)]
public class SingleFilePublishTests : IClassFixture<SingleFilePublishTests.Published>
{
    private readonly Published pub;

    public SingleFilePublishTests(Published pub) => this.pub = pub;

    /// <summary>Publishes once for the class and deploys the executable alone into a scratch folder.</summary>
    public sealed class Published : IDisposable
    {
        public readonly string Scratch = Directory.CreateTempSubdirectory("rawconv-single-file").FullName;
        public readonly string ScriptOutput, Exe, Home, Cwd, PathDir;

        public Published()
        {
            string built = Path.Combine(Scratch, "out");
            ScriptOutput = Processes.Run("bash", RepoRulesTests.Root(), 900, "tools/publish.sh", built).Trim();
            string deploy = Path.Combine(Scratch, "deploy");
            Home = Path.Combine(Scratch, "home");
            Cwd = Path.Combine(Scratch, "cwd");
            PathDir = Path.Combine(Scratch, "path");
            foreach (var d in new[] { deploy, Home, Cwd, PathDir }) Directory.CreateDirectory(d);
            Exe = Path.Combine(deploy, "rawconv");
            File.Copy(Path.Combine(built, "rawconv"), Exe);   // on Unix the copy keeps the execute bits
            // PoCL's clang links each kernel with binutils' ld, found on PATH; the target machine has it in /usr/bin
            // (pocl-opencl-icd depends on it), which here also holds the dotnet launcher, so PATH gets ld alone.
            File.CreateSymbolicLink(Path.Combine(PathDir, "ld"), Which("ld"));
        }

        /// <summary>Runs the deployed executable in <see cref="Cwd"/> with only HOME and PATH (and <paramref name="extra"/>) set.</summary>
        public (int Code, string Out, string Err) Run(IDictionary<string, string>? extra, params string[] args)
        {
            var psi = new ProcessStartInfo(Exe) { WorkingDirectory = Cwd, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment.Clear();
            psi.Environment["HOME"] = Home;
            psi.Environment["PATH"] = PathDir;
            foreach (var (k, v) in extra ?? new Dictionary<string, string>()) psi.Environment[k] = v;
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(300_000), "the published rawconv did not finish in 300 s: " + string.Join(' ', args));
            return (p.ExitCode, stdout.Result, stderr.Result);
        }

        private static string Which(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not on PATH");

        public void Dispose()
        {
            if (Directory.Exists(Scratch)) Directory.Delete(Scratch, true);
        }
    }

    [Fact]
    public void TheScriptPrintsTheExecutableAndItsSizeAndPublishesNothingElse()
    {
        var m = Regex.Match(pub.ScriptOutput.Split('\n')[^1], @"^(\S+) (\d+) bytes \((\d+) MiB\)$");
        Assert.True(m.Success, "tools/publish.sh should end with '<path> <n> bytes (<m> MiB)': " + pub.ScriptOutput);
        string exe = m.Groups[1].Value;
        Assert.Equal(Path.Combine(pub.Scratch, "out", "rawconv"), exe);
        long bytes = new FileInfo(exe).Length;
        Assert.Equal(bytes, long.Parse(m.Groups[2].Value));
        Assert.Equal((bytes + (1 << 19)) >> 20, long.Parse(m.Groups[3].Value));
        Assert.Equal(["rawconv"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(exe)!).Select(Path.GetFileName));
    }

    [Fact]
    public void DevicesListsOpenClWithoutTheSdk()
    {
        Assert.False(File.Exists(Path.Combine(pub.PathDir, "dotnet")));
        var (code, stdout, stderr) = pub.Run(null, "devices");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"(?m)^opencl: .*OpenCL \d", stdout);
        Assert.Matches(@"(?m)^reference: ", stdout);
    }

    [Fact]
    public void ClassifyAnswersAsTheNormalBuildWithTheWeightsInside()
    {
        string png = Trousers(pub.Cwd);
        var (code, published, stderr) = pub.Run(null, "classify", "--image", "trousers.png", "--json", "--device", "opencl");
        Assert.True(code == 0, stderr);
        var (code2, built, stderr2) = CliProcess.Run("classify", "--image", png, "--json", "--device", "opencl");
        Assert.True(code2 == 0, stderr2);
        var a = JsonDocument.Parse(published).RootElement;
        var b = JsonDocument.Parse(built).RootElement;
        // the default model came out of the bundle, not from a weights/ folder beside the executable or the cwd
        string model = a.GetProperty("model").GetString()!;
        Assert.EndsWith("/weights/default.h5", model);
        Assert.StartsWith(pub.Home, model);
        var top = a.GetProperty("results")[0].GetProperty("top");
        var expected = b.GetProperty("results")[0].GetProperty("top");
        Assert.Equal(1, top[0].GetProperty("index").GetInt32());   // two long bars: Fashion-MNIST's trousers
        Assert.Equal(expected.GetArrayLength(), top.GetArrayLength());
        for (int i = 0; i < top.GetArrayLength(); i++)
        {
            Assert.Equal(expected[i].GetProperty("index").GetInt32(), top[i].GetProperty("index").GetInt32());
            Assert.Equal(expected[i].GetProperty("label").GetString(), top[i].GetProperty("label").GetString());
            Assert.Equal(expected[i].GetProperty("probability").GetDouble(), top[i].GetProperty("probability").GetDouble());
        }
        Assert.Equal(["trousers.png"], Directory.EnumerateFileSystemEntries(pub.Cwd).Select(Path.GetFileName));
    }

    [Fact]
    public void TheOpenClAndHdf5LibrariesAreTheSystemsNotBundled()
    {
        Trousers(pub.Cwd);
        string trace = Path.Combine(pub.Scratch, "ld-trace");
        var (code, _, stderr) = pub.Run(new Dictionary<string, string> { ["LD_DEBUG"] = "libs", ["LD_DEBUG_OUTPUT"] = trace },
            "classify", "--image", "trousers.png", "--json", "--device", "opencl");
        Assert.True(code == 0, stderr);
        // glibc writes one trace per process (trace.<pid>): this one and the check-weights child
        var loaded = Directory.EnumerateFiles(pub.Scratch, "ld-trace.*").SelectMany(File.ReadAllLines)
            .Select(l => Regex.Match(l, @"calling init: (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
        foreach (var lib in new[] { "libOpenCL.so.1", "libpocl.so", "libhdf5" })
        {
            var hits = loaded.Where(p => Path.GetFileName(p).StartsWith(lib)).ToList();
            Assert.True(hits.Count > 0, $"{lib} was not loaded: {string.Join(", ", loaded)}");
            Assert.All(hits, p => Assert.Matches(@"^(/usr)?/lib(64)?/", p));
        }
        Assert.DoesNotContain(loaded, p => p.Contains("/dotnet/"));
        var extracted = Directory.EnumerateFiles(Path.Combine(pub.Home, ".net"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("default.h5", extracted);
        Assert.DoesNotContain(extracted, f => Regex.IsMatch(f!, @"^lib(OpenCL|pocl|hdf5)"));
    }

    /// <summary>A 28×28 grey picture of two long vertical bars, written once into <paramref name="dir"/>.</summary>
    private static string Trousers(string dir)
    {
        string path = Path.Combine(dir, "trousers.png");
        if (File.Exists(path)) return path;
        var img = new Image(28, 28, 1);
        for (int y = 3; y <= 25; y++)
            for (int x = 0; x < 28; x++)
                if (x is >= 9 and <= 12 or >= 15 and <= 18) img.Data[y * 28 + x] = 255;
        ImageIO.Save(path, img);
        return path;
    }
}
