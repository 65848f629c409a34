using System.Text.Json;
using RawConv.Algorithms.Data;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Graph.Import;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv classify`: errors, PyTorch's top-5, and letterboxed pictures on the default model.</summary>
public class ClassifyCliTests
{
    [Fact]
    public void ErrorsAreOneLineWithANonZeroExit()
    {
        var (code, stdout, stderr) = CliProcess.Run("classify", "--model", "/no/such/model.h5", "--image", "x.jpg", "--device", "reference");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("rawconv: /no/such/model.h5: no such file", stderr.Trim());
        var (code2, _, stderr2) = CliProcess.Run("classify", "--model", "model.caffemodel", "--device", "reference");
        Assert.NotEqual(0, code2);
        Assert.Single(stderr2.Trim().Split('\n'));
    }

    [SkippableTheory]
    [InlineData("bvlc_alexnet.h5")]
    [InlineData("bvlc_alexnet.onnx")]
    [InlineData("caffe")]
    public void ClassifyGivesPyTorchsTopFive(string model)
    {
        var refDir = AlexRefs.File("bvlc_alexnet");
        string[] modelArgs = model == "caffe"
            ? ["--model", AlexRefs.File("bvlc_alexnet.caffemodel"), "--prototxt", AlexRefs.File("deploy.prototxt")]
            : ["--model", AlexRefs.File(model)];
        var (code, stdout, stderr) = CliProcess.Run(["classify", .. modelArgs, "--input", Path.Combine(refDir, "input.npy"), "--json", "--device", "opencl"]);
        Assert.True(code == 0, stderr);
        var top = JsonDocument.Parse(stdout).RootElement.GetProperty("results")[0].GetProperty("top").EnumerateArray().ToArray();
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(refDir, "top5.json"))).RootElement;
        Assert.Equal(expected.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()), top.Select(t => t.GetProperty("index").GetInt32()));
        var probs = expected.GetProperty("probs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(probs[i], top[i].GetProperty("probability").GetDouble(), 1e-4);
        var labels = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "weights", "imagenet_classes.txt"));
        Assert.Equal(labels[top[0].GetProperty("index").GetInt32()], top[0].GetProperty("label").GetString());
    }

    [SkippableFact]
    public void A28PixelPictureIsFramedLikeTheTrainingCanvas()
    {
        DefaultModelTests.SkipWithoutData();
        var test = FashionMnist.Load("test", 40);
        var canvas = new float[40 * 40];
        var dir = Directory.CreateTempSubdirectory("rawconv-letterbox").FullName;
        var files = new List<string>();
        var expected = new List<float[]>();
        using var w = WeightsFile.Load(DefaultModelTests.ModelPath, Backends.Get("opencl"));
        foreach (int i in new[] { 0, 1, 2 })
        {
            test.CopyItem(i, canvas);
            // the 28×28 item back out of the middle of the canvas, as a user's PNG
            var img = new Image(28, 28, 1);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    img.Data[y * 28 + x] = (ushort)Math.Round(canvas[(y + 6) * 40 + x + 6] * 255);
            string f = Path.Combine(dir, $"item{i}.png");
            Png.Save(f, img);
            files.Add(f);
            using var t = Tensor.FromArray(w.Net.Backend, new Shape(1, 1, 40, 40), canvas);
            using var pass = w.Net.Forward(t);
            expected.Add(pass.Output.ToArray());
        }
        var (code, stdout, stderr) = CliProcess.Run(["classify", "--image", .. files, "--top", "10", "--json", "--device", "opencl"]);
        Assert.True(code == 0, stderr);
        var results = JsonDocument.Parse(stdout).RootElement.GetProperty("results").EnumerateArray().ToArray();
        for (int i = 0; i < files.Count; i++)
            foreach (var c in results[i].GetProperty("top").EnumerateArray())
                Assert.Equal(expected[i][c.GetProperty("index").GetInt32()], c.GetProperty("probability").GetDouble(), 1e-5);
    }
}

/// <summary>The bar: `rawconv classify` on a real photo prints PyTorch's top-5 for the same weights.</summary>
public class CliPhotoTests
{
    [SkippableTheory]
    [InlineData("bvlc_alexnet", "caffe")]
    [InlineData("torchvision_alexnet", "torchvision")]
    public void ClassifyOnTheRealPhotoGivesPyTorchsTopFive(string net, string preprocess)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(AlexRefs.File(net), "top5_photo.json"))).RootElement;
        var (code, stdout, stderr) = CliProcess.Run("classify", "--model", AlexRefs.File(net + ".h5"), "--image", expected.GetProperty("photo").GetString()!,
            "--preprocess", preprocess, "--json", "--device", "opencl");
        Assert.True(code == 0, stderr);
        var top = JsonDocument.Parse(stdout).RootElement.GetProperty("results")[0].GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(expected.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()), top.Select(t => t.GetProperty("index").GetInt32()));
        var probs = expected.GetProperty("probs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        // Same decoded pixels and resize as Pillow (tested in Imaging); float32 vs PyTorch's float64 forward.
        for (int i = 0; i < 5; i++) Assert.Equal(probs[i], top[i].GetProperty("probability").GetDouble(), 1e-3);
    }
}

/// <summary>`rawconv classify` refuses a damaged weights file.</summary>
public class CliHostileWeightsTests
{
    [SkippableFact]
    public void DamagedWeightsFileIsRefusedWithOneLineNamingIt()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"rawconv-cli-bad-{Environment.ProcessId}.h5");
        try
        {
            var bytes = File.ReadAllBytes(AlexRefs.File("bvlc_alexnet.h5"));
            File.WriteAllBytes(bad, bytes.AsSpan(0, bytes.Length / 3).ToArray());
            var (code, stdout, stderr) = CliProcess.Run("classify", "--model", bad, "--input", Path.Combine(AlexRefs.File("bvlc_alexnet"), "input.npy"), "--device", "reference");
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Trim().Split('\n'));
            Assert.StartsWith($"rawconv: {bad}: ", line);
        }
        finally { File.Delete(bad); }
    }
}
