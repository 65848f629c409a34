using System.Text.Json;
using System.Text.RegularExpressions;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv report` on the shipped default model.</summary>
public class ReportCliTests
{
    [SkippableFact]
    public void ReportWritesThePageAndItsPictures()
    {
        DefaultModelTests.SkipWithoutData();
        var dir = Directory.CreateTempSubdirectory("rawconv-report").FullName;
        // The whole main job's report (evaluation, seeing and input optimization): minutes when the suite runs beside it.
        var (code, _, stderr, timedOut) = CliProcess.RunWithin(TimeSpan.FromMinutes(10),
            ["report", "--out", dir, "--eval-limit", "300", "--topk-limit", "500", "--per-class", "1", "--device", "opencl"]);
        Assert.False(timedOut, "report did not finish within 10 minutes");
        Assert.True(code == 0, stderr);
        var html = File.ReadAllText(Path.Combine(dir, "index.html"));
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))).RootElement;
        Assert.Equal(300, summary.GetProperty("n").GetInt32());
        Assert.StartsWith("rawconv report", summary.GetProperty("command").GetString());
        foreach (Match m in Regex.Matches(html, "src=\"([^\"]+)\""))
        {
            string png = Path.Combine(dir, m.Groups[1].Value);
            Assert.True(File.Exists(png), $"index.html shows {m.Groups[1].Value}, which was not written");
            Assert.True(File.Exists(Path.ChangeExtension(png, ".json")), $"{m.Groups[1].Value} has no JSON sidecar");
        }
        Assert.True(Regex.Matches(html, "<img ").Count >= 10);
        foreach (var kind in new[] { "deconv-", "topk-", "saliency-", "occlusion-", "invariance.png", "evolution.png", "maximize-class-", "maximize-relu", "invert-", "dream-",
            "adversarial-", "fool-cppn.png" })
            Assert.Contains(kind, html);
        // every visualization's sidecar names the rawconv command that remakes it
        var deconv = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(dir, "deconv-*.json")[0])).RootElement;
        Assert.StartsWith("rawconv deconv ", deconv.GetProperty("command").GetString());
        var direction = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(dir, "topk-direction-*.json").Single())).RootElement;
        Assert.Equal((1, "direction"), (direction.GetProperty("seed").GetInt32(), direction.GetProperty("rows")[0].GetProperty("row").GetString()));
        var fool = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "fool-cppn.json"))).RootElement;
        Assert.StartsWith("rawconv fool ", fool.GetProperty("command").GetString());
    }
}
