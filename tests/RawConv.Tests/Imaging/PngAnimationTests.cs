using RawConv.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Imaging;

/// <summary>Animated PNG: Pillow (an independent APNG reader) sees every frame with its pixels and delay.</summary>
public class PngAnimationTests
{
    [SkippableFact]
    public void PillowReadsEveryFrameAndTheDelay()
    {
        var frames = Enumerable.Range(0, 3).Select(f =>
        {
            var img = new Image(5, 4, 3);
            for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (ushort)((i * 7 + f * 50) % 256);
            return img;
        }).ToList();
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a.png");
        File.WriteAllBytes(path, Png.EncodeAnimation(frames, delayMs: 120));
        var (stdout, error) = ScriptRefs.RunPython(60_000, "-c",
            "import sys; from PIL import Image; im = Image.open(sys.argv[1]); print(im.n_frames, int(im.info.get('duration')));" +
            "[ (im.seek(i), print(','.join(str(v) for p in im.convert('RGB').getdata() for v in p))) for i in range(im.n_frames) ]", path);
        Skip.If(stdout is null, error);
        var lines = stdout!.Trim().Split('\n');
        Assert.Equal("3 120", lines[0].Trim());
        for (int f = 0; f < 3; f++)
            Assert.Equal(frames[f].Data.Select(v => (int)v), lines[f + 1].Trim().Split(',').Select(int.Parse));
    }

    [Fact]
    public void FramesOfDifferentSizesAreRefused()
    {
        var msg = Assert.Throws<RawConvException>(() => Png.EncodeAnimation([new Image(4, 4, 3), new Image(5, 4, 3)])).Message;
        Assert.Contains("frame 1", msg);
        Assert.Throws<RawConvException>(() => Png.EncodeAnimation([]));
    }
}
