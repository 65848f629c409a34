namespace RawConv.Tests.TestUtil;

/// <summary>A fresh temporary folder, deleted with everything in it when disposed.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>The folder's full path.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("rawconv-test-").FullName;

    /// <summary>Removes the folder.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
