using RawConv.Algorithms.Data;
using RawConv.Graph.Weights;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>A fresh folder per test and small saved random mini-AlexNets for the verbs that scan Fashion-MNIST (topk, evolution).</summary>
public abstract class DatasetCliTests : IDisposable
{
    protected readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("rawconv-cli-topk-");

    public void Dispose() => dir.Delete(true);

    protected string Model(int seed, string name)
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist not installed");
        using var net = TopKTestData.Net(Backends.Reference, seed);
        var path = Path.Combine(dir.FullName, name);
        WeightsFile.Save(net, path, FashionMnist.ClassNames, TopKTestData.Unit(32));
        return path;
    }

    protected string Out(string name) => Path.Combine(dir.FullName, name);
}
