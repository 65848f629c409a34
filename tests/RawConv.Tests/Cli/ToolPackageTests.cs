using System.Text.Json;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>
/// The `rawconv` .NET tool package: packed from the Release build, installed into a scratch tool folder and run
/// from another directory, it carries the kernels and the shipped default model and answers as the build does.
/// </summary>
public class ToolPackageTests
{
    [Fact]
    public void ThePackedToolRunsFromAnotherDirectoryWithKernelsAndWeightsInside()
    {
        string root = RepoRulesTests.Root(), scratch = Path.Combine(Path.GetTempPath(), $"rawconv-tool-{Environment.ProcessId}");
        try
        {
            string feed = Path.Combine(scratch, "feed"), tools = Path.Combine(scratch, "tools"), elsewhere = Path.Combine(scratch, "cwd");
            Directory.CreateDirectory(elsewhere);
            const string version = "0.0.1-test";
            Dotnet(root, "pack", Path.Combine(root, "src", "RawConv.Cli"), "-c", "Release", "--no-build", "-nologo", "-v", "quiet",
                "-o", feed, $"-p:PackageVersion={version}");
            Dotnet(root, "tool", "install", "RawConv.Cli", "--tool-path", tools, "--add-source", feed, "--version", version);
            string exe = Path.Combine(tools, "rawconv");
            Assert.True(File.Exists(exe), $"no rawconv launcher in {tools}");

            var info = JsonDocument.Parse(Processes.Run(exe, elsewhere, 300, "info", "--json")).RootElement;
            Assert.Equal(629_386, info.GetProperty("parameters").GetInt64());   // weights/README.md: the shipped mini-AlexNet
            string tool = Processes.Run(exe, elsewhere, 300, "evaluate", "--limit", "64", "--json", "--device", "opencl");
            var (code, built, err) = CliProcess.Run("evaluate", "--limit", "64", "--json", "--device", "opencl");
            Assert.True(code == 0, err);
            Assert.Equal(JsonDocument.Parse(built).RootElement.GetProperty("top1").GetDouble(),
                JsonDocument.Parse(tool).RootElement.GetProperty("top1").GetDouble());
            Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, true);
        }
    }

    private static void Dotnet(string cwd, params string[] args) => Processes.Run("dotnet", cwd, 300, args);
}
