using System.Text.Json;
using RawConv.Tests.Graph.Import;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv import`.</summary>
public class ImportCliTests
{
    [SkippableFact]
    public void ImportWritesAnH5ThatClassifiesTheSame()
    {
        var h5 = Path.Combine(Path.GetTempPath(), $"rawconv-cli-import-{Environment.ProcessId}.h5");
        try
        {
            var (code, _, stderr) = CliProcess.Run("import", "--model", AlexRefs.File("bvlc_alexnet.onnx"), "--out", h5);
            Assert.True(code == 0, stderr);
            var input = Path.Combine(AlexRefs.File("bvlc_alexnet"), "input.npy");
            var a = CliProcess.Run("classify", "--model", h5, "--input", input, "--json", "--device", "opencl");
            var b = CliProcess.Run("classify", "--model", AlexRefs.File("bvlc_alexnet.onnx"), "--input", input, "--json", "--device", "opencl");
            Assert.True(a.Code == 0 && b.Code == 0, a.Err + b.Err);
            string Top(string json) => JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("top").ToString();
            Assert.Equal(Top(b.Out), Top(a.Out));
        }
        finally { File.Delete(h5); }
    }
}
