using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Tests.Imaging;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Weights;

/// <summary>
/// A torchvision AlexNet (seeded random weights) converted by tools/torch_to_h5.py into a temp cache folder
/// (one per version of the script, renamed into place when complete): it loads, its weights equal the state
/// dict the script dumped as .npy, and it reproduces PyTorch's logits. Skips with the reason when
/// /usr/bin/python3 lacks torch, torchvision or h5py.
/// </summary>
[Collection("hdf5")]
public class TorchWeightsTests
{
    private static readonly ScriptRefs Refs = new("torch_to_h5.py", "rawconv-weights-ref", "logits.npy", "torch, torchvision, h5py, numpy",
        scratch => ["--random-seed", "0", "--out", Path.Combine(scratch, "alexnet.h5"), "--dump-dir", scratch]);

    private static string Dir => Refs.Dir;

    private static string H5 => Path.Combine(Dir, "alexnet.h5");

    private static float[] Npy(string name) => (float[])RawConv.Imaging.Npy.Read(Path.Combine(Dir, name)).Data;

    [SkippableFact]
    public void ConvertedFileHoldsTheStateDictArchitectureClassesAndPreprocessing()
    {
        var (net, classes, pre) = WeightsFile.Load(H5, Backends.Reference);
        using (net)
        {
            Assert.Equal(Zoo.TorchvisionAlexNet().ToJson(), net.Spec.ToJson());
            Assert.Equal(1000, classes!.Count);
            Assert.Equal("tench", classes[0]);
            Assert.Equal("toilet tissue", classes[^1]);
            Assert.Equal(Preprocessing.Torchvision, pre);
            foreach (var (name, p) in net.Parameters)
            {
                Assert.Equal(Npy($"{name}.weight.npy"), p.Weight.ToArray());
                Assert.Equal(Npy($"{name}.bias.npy"), p.Bias!.ToArray());
            }
        }
    }

    [SkippableFact]
    public void TorchvisionAlexNetReproducesPyTorchLogitsOnOpenCl()
    {
        var b = Backends.Get("opencl");
        using var net = WeightsFile.Load(H5, b).Net;
        var (shape, data, _) = RawConv.Imaging.Npy.Read(Path.Combine(Dir, "input.npy"));
        using var x = Tensor.FromArray(b, new Shape(shape), (float[])data);
        using var pass = net.Forward(x, "fc8");
        var expected = Npy("logits.npy");
        // rtol 1e-3 (the brief's bound for a whole network in a different summation order); the logits of a
        // randomly initialised AlexNet are ~3e-2, so atol is set a thousandth below that scale.
        Check.Close(pass["fc8"].ToArray(), expected, 1e-3 * expected.Max(Math.Abs), 1e-3, "torchvision AlexNet logits");
    }
}
