using System.Text.Json;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>A small saved random mini-AlexNet (10 classes) and preprocessed inputs in a fresh folder per test, for the occlusion-style verbs.</summary>
public abstract class SmallNetCliTests : IDisposable
{
    protected readonly string dir = Directory.CreateTempSubdirectory("rawconv-occl-").FullName;
    protected readonly string model;
    protected readonly string[] images;
    protected readonly string all;

    protected SmallNetCliTests()
    {
        model = Path.Combine(dir, "small.h5");
        using (var net = OcclusionTests.SmallNet(Backends.Reference, 5))
            WeightsFile.Save(net, model, Enumerable.Range(0, 10).Select(i => $"item{i}").ToList(), OcclusionTests.Pre);
        // Already preprocessed inputs (--input): `--image` cannot feed one-channel nets yet (Preprocess.Batch makes 3 channels).
        images = Enumerable.Range(0, 3).Select(k =>
        {
            var path = Path.Combine(dir, $"img{k}.npy");
            Npy.Write(path, [1, 1, 40, 40], Rand.Uniform(30 + k, 1600, 0, 1));
            return path;
        }).ToArray();
        all = Path.Combine(dir, "all.npy");
        Npy.Write(all, [3, 1, 40, 40], Rand.Uniform(40, 3 * 1600, 0, 1));
    }

    public void Dispose() => Directory.Delete(dir, true);

    protected static float[][] Rows(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}
