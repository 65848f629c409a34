using System.Text.Json;
using RawConv.Cli;
using RawConv.Imaging;

namespace RawConv.Tests.Cli;

/// <summary>The CLI's one output writer: sidecars beside every PNG and .npy, parent folders made, nothing left behind unless committed.</summary>
public sealed class OutputWriterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-writer-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private static Image Red() => new(2, 1, 3, 8, [255, 0, 0, 255, 0, 0]);

    [Fact]
    public void PngAndNpyGetSidecarsNamingTheCommandInNewFolders()
    {
        string png = Path.Combine(dir, "a", "b", "x.png"), npy = Path.Combine(dir, "c", "t.npy"), csv = Path.Combine(dir, "c", "t.csv");
        using (var w = new OutputWriter("rawconv test --out x"))
        {
            w.StageAll([new PngFile(png, Red(), new { someValue = 3 }), new NpyFile(npy, [1, 2], [1.5f, -2f], new { layer = "conv1" }), new TextFile(csv, "a,b\n")]);
            Assert.DoesNotContain(Directory.GetFiles(dir, "*", SearchOption.AllDirectories), f => !Path.GetFileName(f).StartsWith('.'));
            w.Commit();
        }
        var all = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order().ToArray();
        Assert.Equal(["a/b/x.json", "a/b/x.png", "c/t.csv", "c/t.json", "c/t.npy"], all);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(png, ".json"))).RootElement;
        Assert.Equal(["command", "created", "someValue"], side.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rawconv test --out x", side.GetProperty("command").GetString());
        Assert.Equal(3, side.GetProperty("someValue").GetInt32());
        Assert.Equal("conv1", JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(npy, ".json"))).RootElement.GetProperty("layer").GetString());
        var (shape, data, _) = Npy.Read(npy);
        Assert.Equal([1, 2], shape);
        Assert.Equal([1.5f, -2f], (float[])data);
        var img = Png.Decode(png);
        Assert.Equal((2, 1, (ushort)255, (ushort)0), (img.Width, img.Height, img.Data[0], img.Data[1]));
        Assert.Equal("a,b\n", File.ReadAllText(csv));
    }

    [Fact]
    public void AWriterDisposedBeforeCommitLeavesNothing()
    {
        var target = Path.Combine(dir, "out");
        Directory.CreateDirectory(target);
        void FailAfterStaging()
        {
            using var w = new OutputWriter("rawconv test");
            w.Stage(new PngFile(Path.Combine(target, "x.png"), Red(), new { }));
            w.Stage(new NpyFile(Path.Combine(target, "x.npy"), [1], [1f], new { }));
            Assert.NotEmpty(Directory.GetFileSystemEntries(target));
            throw new InvalidOperationException("the verb failed after staging");
        }
        Assert.Throws<InvalidOperationException>(FailAfterStaging);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void ABlockedNameMovesNoFile()
    {
        Directory.CreateDirectory(Path.Combine(dir, "y.json"));   // a folder where the second file's sidecar must go
        using var w = new OutputWriter("rawconv test");
        w.StageAll([new PngFile(Path.Combine(dir, "x.png"), Red(), new { }), new PngFile(Path.Combine(dir, "y.png"), Red(), new { })]);
        Assert.Contains("is a folder", Assert.Throws<RawConvException>(w.Commit).Message);
        w.Dispose();
        Assert.Equal(["y.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ViewsShareOneCommitAndNameTheirOwnCommand()
    {
        using var w = new OutputWriter("rawconv report");
        w.WithCommand("rawconv deconv --layer conv1").Stage(new PngFile(Path.Combine(dir, "d.png"), Red(), new { }));
        w.Stage(new SidecarFile(Path.Combine(dir, "report.json"), new { n = 1 }));
        Assert.False(File.Exists(Path.Combine(dir, "d.png")));
        w.Commit();
        Assert.Equal("rawconv deconv --layer conv1", JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "d.json"))).RootElement.GetProperty("command").GetString());
        Assert.Equal("rawconv report", JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))).RootElement.GetProperty("command").GetString());
    }

    [Fact]
    public void NonFiniteNumbersBecomeNullWithANoteBesideThem()
    {
        string png = Path.Combine(dir, "n.png");
        using (var w = new OutputWriter("rawconv test"))
        {
            w.Stage(new PngFile(png, Red(), new
            {
                loss = double.NaN, top1 = 0.5, score = float.PositiveInfinity,
                curve = new[] { 1f, float.NaN, float.NegativeInfinity, 2f }, nested = new { p = (double?)double.NaN }, label = "NaN",
            }));
            w.Commit();
        }
        string text = File.ReadAllText(Path.ChangeExtension(png, ".json"));
        var side = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Null, side.GetProperty("loss").ValueKind);
        Assert.Equal("non-finite (NaN)", side.GetProperty("lossNote").GetString());
        Assert.Equal(0.5, side.GetProperty("top1").GetDouble());
        Assert.Equal("non-finite (+Inf)", side.GetProperty("scoreNote").GetString());
        Assert.Equal("[1,null,null,2]", side.GetProperty("curve").GetRawText().Replace(" ", "").Replace("\n", "").ReplaceLineEndings(""));
        Assert.Equal("2 non-finite values (-Inf, NaN) written as null", side.GetProperty("curveNote").GetString());
        Assert.Equal("non-finite (NaN)", side.GetProperty("nested").GetProperty("pNote").GetString());
        Assert.Equal("NaN", side.GetProperty("label").GetString()); // a string that says NaN is left alone
        Assert.DoesNotContain("Infinity", text);
    }

    [Fact]
    public void FoldersMadeForAFailedVerbAreRemovedAgain()
    {
        string png = Path.Combine(dir, "new", "deeper", "x.png");
        void FailAfterStaging()
        {
            using var w = new OutputWriter("rawconv test");
            w.Stage(new PngFile(png, Red(), new { }));
            throw new InvalidOperationException("the verb failed after staging");
        }
        Assert.Throws<InvalidOperationException>(FailAfterStaging);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void TheJsonOutputOfAVerbHasNoNaNEither()
    {
        var text = new StringWriter();
        Verbs.Print(text, true, new { testTop1 = double.NaN, n = 3 }, () => { });
        var json = JsonDocument.Parse(text.ToString()).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("testTop1").ValueKind);
        Assert.Equal("non-finite (NaN)", json.GetProperty("testTop1Note").GetString());
        Assert.Equal(3, json.GetProperty("n").GetInt32());
    }

    [Fact]
    public void FilesCommittedEarlyForAnotherWriterGoWhenItFails()
    {
        string npy = Path.Combine(dir, "report", "inputs", "x.npy");
        void FailAfterInputs()
        {
            using var main = new OutputWriter("rawconv report");
            using (var inputs = new OutputWriter("rawconv report"))
            {
                inputs.Stage(new NpyFile(npy, [1], [1f], new { }));
                inputs.CommitFor(main);
            }
            Assert.True(File.Exists(npy), "the inputs must exist while the report's commands run");
            main.Stage(new PngFile(Path.Combine(dir, "report", "x.png"), Red(), new { }));
            throw new InvalidOperationException("a later step of the report failed");
        }
        Assert.Throws<InvalidOperationException>(FailAfterInputs);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
