using System.Globalization;
using System.Text.Json;
using RawConv.Algorithms.Data;
using RawConv.Imaging;
using RawConv.Tests.Cli;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Samples;

/// <summary>
/// samples/Classify, the "Use RawConv from C#" program: built against the library packages packed from this build
/// (not the project files) and run on Fashion-MNIST test pictures, it answers what `rawconv classify` answers.
/// </summary>
public class ClassifySampleTests
{
    [Fact]
    public void TheSampleBuildsAgainstThePackagesAndClassifiesLikeTheCli()
    {
        string root = RepoRulesTests.Root(), scratch = Path.Combine(Path.GetTempPath(), $"rawconv-sample-{Environment.ProcessId}");
        // A version of its own: NuGet's cache never serves another build under it.
        string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}", feed = Path.Combine(root, "artifacts", "packages");
        try
        {
            Directory.CreateDirectory(scratch);
            foreach (var lib in new[] { "Core", "OpenCL", "Cuda", "Ops", "Graph", "Imaging", "Algorithms" })
                Processes.Run("dotnet", root, 600, "pack", Path.Combine(root, "src", $"RawConv.{lib}"), "-c", "Release", "--no-build", "-nologo",
                    "-v", "quiet", "-o", feed, $"-p:PackageVersion={version}");
            string bin = Path.Combine(scratch, "bin");
            Processes.Run("dotnet", root, 600, "build", Path.Combine(root, "samples", "Classify"), "-c", "Release", "-nologo", "-v", "quiet",
                "-o", bin, $"-p:RawConvVersion={version}");
            Assert.False(File.Exists(Path.Combine(bin, "RawConv.Algorithms.csproj")));
            Assert.Contains(version, File.ReadAllText(Path.Combine(bin, "Classify.deps.json")));

            var test = FashionMnist.Load("test", canvas: FashionMnist.ItemSide);
            string model = Path.Combine(root, "weights", "default.h5");
            foreach (int item in new[] { 0, 1, 2 })
            {
                var (pixels, _) = test.GetHost([item]);
                string png = Path.Combine(scratch, $"test-{item}.png");
                ImageIO.Save(png, Image.FromBytes(28, 28, 1, pixels.Select(v => (byte)Math.Round(v * 255)).ToArray()));
                var said = Processes.Run("dotnet", scratch, 600, Path.Combine(bin, "Classify.dll"), model, png, "opencl").Trim();
                var (code, json, err) = CliProcess.Run("classify", "--image", png, "--json", "--device", "opencl");
                Assert.True(code == 0, err);
                var top = JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("top")[0];
                Assert.Equal($"{top.GetProperty("label").GetString()} {top.GetProperty("probability").GetDouble().ToString("F4", CultureInfo.InvariantCulture)}", said);
            }
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, true);
            foreach (var f in Directory.Exists(feed) ? Directory.GetFiles(feed, $"*.{version}.nupkg") : []) File.Delete(f);
        }
    }
}
