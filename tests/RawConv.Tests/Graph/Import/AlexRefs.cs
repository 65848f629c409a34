using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Import;

/// <summary>
/// Model files and PyTorch references made by tools/make_alexnet_refs.py under the temp directory (about
/// 1.5 GB, not committed), one folder per version of the script; generated on first use into a scratch
/// folder that is then renamed, so concurrent runs never see half-written files. Skipped with the reason
/// when /usr/bin/python3 with torch, torchvision, onnx and h5py is missing.
/// </summary>
public static class AlexRefs
{
    private static readonly ScriptRefs Refs = new("make_alexnet_refs.py", "rawconv-alexnet-ref", "torchvision_alexnet/top5.json",
        "torch, torchvision, onnx, h5py, numpy, PIL", scratch => ["--out", scratch], timeoutMs: 900_000);

    /// <summary>The reference directory; skips the calling test when it cannot be made.</summary>
    public static string Dir => Refs.Dir;

    /// <summary>A file under the reference directory.</summary>
    public static string File(string name) => Path.Combine(Dir, name);

    /// <summary>tools/make_alexnet_refs.py in the repository.</summary>
    public static string Script => Refs.Script;
}
