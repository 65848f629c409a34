using System.Text.RegularExpressions;

namespace RawConv.Tests.Repo;

/// <summary>House rules that can be checked mechanically: file budgets and downward-only references.</summary>
public class RepoRulesTests
{
    /// <summary>Layers in order: a project may reference only projects of a lower rank.</summary>
    private static readonly string[] Layers =
        ["RawConv.Core", "RawConv.OpenCL|RawConv.Cuda", "RawConv.Ops", "RawConv.Graph", "RawConv.Imaging", "RawConv.Algorithms", "RawConv.Cli"];

    /// <summary>Total non-blank lines of src/ and kernels/ (the tinygrad-style budget); raise deliberately, never silently.</summary>
    private const int LineBudget = 40000;

    internal static string Root()
    {
        var dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "RawConv.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("RawConv.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> Sources(string sub, string pattern) =>
        Directory.Exists(Path.Combine(Root(), sub))
            ? Directory.EnumerateFiles(Path.Combine(Root(), sub), pattern, SearchOption.AllDirectories)
                .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"))
            : [];

    [Fact]
    public void KernelFilesStayUnder300Lines()
    {
        var big = Sources("kernels", "*.cl").Concat(Sources("kernels", "*.h"))
            .Select(f => (f, n: File.ReadAllLines(f).Length)).Where(t => t.n > 300).ToList();
        Assert.True(big.Count == 0, "split these kernel files by concern: " + string.Join(", ", big.Select(t => $"{Path.GetFileName(t.f)} ({t.n})")));
    }

    [Fact]
    public void CodeFilesStayUnder500Lines()
    {
        var big = new[] { "src", "tests", "bench", "tools" }.SelectMany(d => Sources(d, "*.cs"))
            .Select(f => (f, n: File.ReadAllLines(f).Length)).Where(t => t.n > 500).ToList();
        Assert.True(big.Count == 0, "split these files by concern: " + string.Join(", ", big.Select(t => $"{Path.GetRelativePath(Root(), t.f)} ({t.n})")));
    }

    [Fact]
    public void SourceStaysWithinTheLineBudget()
    {
        long lines = Sources("src", "*.cs").Concat(Sources("kernels", "*.cl")).Concat(Sources("kernels", "*.h"))
            .Sum(f => File.ReadLines(f).LongCount(l => l.Trim().Length > 0));
        Assert.True(lines <= LineBudget, $"src/ + kernels/ hold {lines} non-blank lines, over the budget of {LineBudget}");
    }

    [Fact]
    public void ProjectReferencesPointDownwardOnly()
    {
        int Rank(string project) => Array.FindIndex(Layers, l => l.Split('|').Contains(project));
        foreach (var csproj in Sources("src", "*.csproj"))
        {
            var name = Path.GetFileNameWithoutExtension(csproj);
            int rank = Rank(name);
            Assert.True(rank >= 0, $"{name} is not in the layer list of this test; add it where it belongs");
            foreach (Match m in Regex.Matches(File.ReadAllText(csproj), @"ProjectReference Include=""[^""]*?([\w.]+)\.csproj"""))
            {
                var dep = m.Groups[1].Value;
                Assert.True(Rank(dep) >= 0 && Rank(dep) < rank, $"{name} references {dep}, which is not below it");
            }
        }
    }
}
