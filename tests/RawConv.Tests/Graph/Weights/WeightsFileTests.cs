using RawConv.Graph;
using RawConv.Graph.Hdf5;
using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Graph.Weights;

/// <summary>Save/load round trips and every way a weights file can disagree with its architecture.</summary>
[Collection("hdf5")]
public sealed class WeightsFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("rawconv-weights-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private static readonly string[] ClassNames = ["cat", "dog", "café ✓", "\"quoted\" name"];

    private static readonly Preprocessing TinyPre = Preprocessing.Torchvision with { Height = 19, Width = 17 };

    /// <summary>NetTests.Tiny with seeded random weights and biases, and special values (NaN payload, −0, ±∞, subnormals) in conv1.</summary>
    internal static Net TinyNet(IBackend b, int seed = 3)
    {
        var net = new Net(NetTests.Tiny(), b);
        int k = 0;
        foreach (var (name, p) in net.Parameters)
        {
            var w = Rand.Normal(seed + k++, p.Weight.Count);
            var bias = p.Bias != null ? Rand.Normal(seed + k++, p.Bias.Count) : null;
            if (name == "conv1")
            {
                w[0] = BitConverter.Int32BitsToSingle(0x7FC01234);
                w[1] = -0f;
                w[2] = float.PositiveInfinity;
                w[3] = float.NegativeInfinity;
                w[4] = float.Epsilon;
                w[5] = -1e-40f;
            }
            net.SetParams(name, w, bias);
        }
        return net;
    }

    internal static void AssertBitExact(Net expected, Net actual)
    {
        Assert.Equal(expected.Parameters.Keys.Order(), actual.Parameters.Keys.Order());
        foreach (var (name, p) in expected.Parameters)
        {
            var q = actual.Parameters[name];
            Assert.Equal(p.Weight.Shape, q.Weight.Shape);
            Bits(p.Weight.ToArray(), q.Weight.ToArray(), $"{name} weight");
            Assert.Equal(p.Bias is null, q.Bias is null);
            if (p.Bias != null) Bits(p.Bias.ToArray(), q.Bias!.ToArray(), $"{name} bias");
        }
    }

    private static void Bits(float[] e, float[] a, string what)
    {
        Assert.True(e.Length == a.Length, $"{what}: length {a.Length}, expected {e.Length}");
        for (int i = 0; i < e.Length; i++)
            if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]))
                Assert.Fail($"{what}[{i}]: bits 0x{BitConverter.SingleToInt32Bits(a[i]):x8}, expected 0x{BitConverter.SingleToInt32Bits(e[i]):x8}");
    }

    private string Saved(string name = "tiny.h5", IReadOnlyList<string>? classes = null, Preprocessing? pre = null)
    {
        var path = Path.Combine(dir, name);
        using var net = TinyNet(Backends.Reference);
        WeightsFile.Save(net, path, classes, pre);
        return path;
    }

    private static RawConvException Rejects(string path, Action load, params string[] fragments)
    {
        var e = Assert.Throws<RawConvException>(load);
        Assert.Contains(path, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    [SkippableTheory]
    [InlineData("reference")]
    [InlineData("opencl")]
    public void RoundTripIsBitExact(string backend)
    {
        var b = Backends.Get(backend);
        var path = Path.Combine(dir, $"rt-{backend}.h5");
        using var net = TinyNet(b);
        WeightsFile.Save(net, path, ClassNames, TinyPre);
        var (loaded, classes, pre) = WeightsFile.Load(path, b);
        using (loaded)
        {
            Assert.Equal(net.Spec.ToJson(), loaded.Spec.ToJson());
            Assert.Same(b, loaded.Backend);
            Assert.Equal(ClassNames, classes);
            Assert.Equal(TinyPre, pre);
            AssertBitExact(net, loaded);
        }
        using var into = new Net(NetTests.Tiny(), b);
        WeightsFile.LoadInto(into, path);
        AssertBitExact(net, into);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void SameWeightsSavedAtDifferentTimesGiveIdenticalBytes()
    {
        // HDF5 stamps object headers with the clock unless told not to; the files' SHA-256 must depend on
        // the content only (a training rerun reproduces the shipped file), so two saves over a second apart match.
        using var net = TinyNet(Backends.Reference);
        string a = Path.Combine(dir, "a.h5"), b = Path.Combine(dir, "b.h5");
        WeightsFile.Save(net, a, ClassNames, TinyPre);
        Thread.Sleep(1100);
        WeightsFile.Save(net, b, ClassNames, TinyPre);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void OptionalAttributesMayBeAbsentAndSaveReplacesAtomically()
    {
        var path = Saved();
        var (net, classes, pre) = WeightsFile.Load(path, Backends.Reference);
        net.Dispose();
        Assert.Null(classes);
        Assert.Null(pre);
        Saved(classes: ClassNames);
        Assert.Equal(ClassNames, WeightsFile.ReadInfo(path).Classes);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void SaveChecksClassesAndPreprocessingAgainstTheNetwork()
    {
        using var net = TinyNet(Backends.Reference);
        var path = Path.Combine(dir, "bad.h5");
        Rejects(path, () => WeightsFile.Save(net, path, ["a", "b"]), "2 class names", "4 outputs");
        Rejects(path, () => WeightsFile.Save(net, path, pre: Preprocessing.Torchvision), "224", "19×17");
        Assert.Empty(Directory.GetFiles(dir));
        var nowhere = Path.Combine(dir, "no", "such", "dir.h5");
        Rejects(nowhere, () => WeightsFile.Save(net, nowhere));
    }

    [Fact]
    public void ShapeMismatchNamesTheLayerAndBothShapes()
    {
        var path = Saved();
        var wider = NetTests.Tiny() with { Layers = NetTests.Tiny().Layers.Select(l => l is ConvLayer { Name: "conv1" } c ? c with { Out = 10 } : l).ToList() };
        using var net = new Net(wider, Backends.Reference);
        Rejects(path, () => WeightsFile.LoadInto(net, path), "'conv1'", "(8, 3, 5, 5)", "(10, 3, 5, 5)");
    }

    [Fact]
    public void DatasetDisagreeingWithItsOwnArchitectureIsRejected()
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true))
        using (var g = f.OpenGroup("fc1"))
        {
            g.Delete("weight");
            g.CreateDataset("weight", new float[10], 5, 2).Dispose();
        }
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), "'fc1'", "(5, 2)", "needs (10, ");
    }

    [Fact]
    public void WrongDtypeIsRejected()
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true))
        using (var g = f.OpenGroup("conv2"))
        {
            g.Delete("bias");
            g.CreateDataset("bias", new int[6], 6).Dispose();
        }
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), "'conv2'", "bias", "int32", "float32");
    }

    [Fact]
    public void MissingLayerAndExtraGroupAreRejected()
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true)) f.Delete("fc2");
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), "no weights for layer fc2");
        var path2 = Saved("extra.h5");
        using (var f = H5File.Open(path2, writable: true)) f.CreateGroup("conv9").Dispose();
        Rejects(path2, () => WeightsFile.Load(path2, Backends.Reference), "'conv9'", "match no layer");
        var path3 = Saved("extra-ds.h5");
        using (var f = H5File.Open(path3, writable: true))
        using (var g = f.OpenGroup("conv1")) g.CreateDataset("momentum", new float[3], 3).Dispose();
        Rejects(path3, () => WeightsFile.Load(path3, Backends.Reference), "'conv1'", "'momentum'");
    }

    [Theory]
    [InlineData("format", "keras-weights", "not a RawConv weights file")]
    [InlineData("version", "2", "unsupported weights format version 2")]
    [InlineData("version", "0", "unsupported weights format version 0")]
    [InlineData("architecture", "{\"name\": 3", "architecture")]
    [InlineData("classes", "[\"a\", 1]", "classes")]
    [InlineData("preprocess", "{\"channelOrder\": \"XYZ\"}", "preprocess")]
    public void BadHeaderAttributesAreRejected(string attribute, string value, string fragment)
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true))
        {
            if (attribute == "version") f.SetInt("version", long.Parse(value));
            else f.SetString(attribute, value);
        }
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), fragment);
    }

    [Fact]
    public void MissingFormatAttributeAndNonHdf5FilesAreRejected()
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true)) f.DeleteAttribute("format");
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), "no 'format' attribute");
        var text = Path.Combine(dir, "text.h5");
        File.WriteAllText(text, "hello, this is not HDF5 at all, not even a little bit, no");
        Rejects(text, () => WeightsFile.Load(text, Backends.Reference), "not an HDF5 file");
        var missing = Path.Combine(dir, "missing.h5");
        Rejects(missing, () => WeightsFile.Load(missing, Backends.Reference));
    }

    [Fact]
    public void EmptyDatasetIsRejected()
    {
        var path = Saved();
        using (var f = H5File.Open(path, writable: true))
        using (var g = f.OpenGroup("fc2"))
        {
            g.Delete("bias");
            g.CreateDataset("bias", Array.Empty<float>(), 0).Dispose();
        }
        Rejects(path, () => WeightsFile.Load(path, Backends.Reference), "'fc2'", "(0)", "(4)");
    }

    [Fact]
    public void Lookup3MatchesPublishedValues()
    {
        // Bob Jenkins' lookup3.c driver5: hashlittle("", 0, 0) = 0xdeadbeef, "Four score and seven years ago" = 0x17770551.
        Assert.Equal(0xdeadbeefu, H5Superblock.Lookup3([]));
        Assert.Equal(0x17770551u, H5Superblock.Lookup3("Four score and seven years ago"u8));
    }
}
