using RawConv.Graph.Weights;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Tests.Algorithms.Seeing;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>A small random MiniAlexNet saved as .h5 with class names and 0–1 preprocessing, and two inputs as .npy.</summary>
public sealed class SeeingCliFixture : IDisposable
{
    public SeeingCliFixture()
    {
        Directory.CreateDirectory(Dir);
        var spec = SaliencyProperties.SmallSpec;
        using (var net = new Net(spec, Backends.Reference))
        {
            net.InitializeRandom(3);
            WeightsFile.Save(net, Model, Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(),
                new Preprocessing(ChannelOrder.RGB, [0f], [1f], 1f / 255f, spec.InputHeight, spec.InputWidth));
        }
        Npy.Write(Input, [2, 1, 40, 40], Rand.Uniform(21, 2 * 40 * 40, 0, 1));
    }

    /// <summary>The scratch folder.</summary>
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"rawconv-seeing-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");
    /// <summary>The model file.</summary>
    public string Model => Path.Combine(Dir, "mini.h5");
    /// <summary>Two preprocessed inputs (2, 1, 40, 40).</summary>
    public string Input => Path.Combine(Dir, "x.npy");

    /// <summary>The saved model and the .npy input, loaded here on the reference backend (as `--device reference` does).</summary>
    public (Net Net, Tensor X) Load()
    {
        var net = WeightsFile.Load(Model, Backends.Reference).Net;
        return (net, Npy.ReadTensor(Backends.Reference, Input));
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
