using RawConv.Graph;

namespace RawConv.Tests.Graph;

public class NetSpecTests
{
    [Fact]
    public void BvlcAlexNetHasThePublishedShapesParametersAndMultiplyAdds()
    {
        var net = Zoo.CaffeAlexNet();
        var shapes = net.Shapes();
        int Spatial(string layer) => shapes[net.IndexOf(layer) + 1].H;
        Assert.Equal(55, Spatial("conv1"));
        Assert.Equal(27, Spatial("pool1"));
        Assert.Equal(27, Spatial("conv2"));
        Assert.Equal(13, Spatial("pool2"));
        Assert.Equal(13, Spatial("conv5"));
        Assert.Equal(6, Spatial("pool5"));
        Assert.Equal(new Shape(1, 1000), shapes[^1]);
        Assert.Equal(60_965_224, net.ParameterCount());
        Assert.InRange(net.MultiplyAdds(), 724_000_000, 725_000_000);
    }

    [Fact]
    public void TorchvisionAlexNetMatchesTorchvision()
    {
        var net = Zoo.TorchvisionAlexNet();
        Assert.Equal(61_100_840, net.ParameterCount());   // sum(p.numel()) of torchvision.models.alexnet()
        Assert.InRange(net.MultiplyAdds(), 710_000_000, 718_000_000);
        Assert.Equal(new Shape(1, 256, 6, 6), net.Shapes()[net.IndexOf("pool5") + 1]);
    }

    [Theory]
    [InlineData("vgg16", 138_357_544L, 15_470_264_320L, 13)]   // sum(p.numel()) of torchvision.models.vgg16(); its conv + linear MACs
    [InlineData("vgg19", 143_667_240L, 19_632_062_464L, 16)]
    public void VggMatchesTorchvision(string name, long parameters, long macs, int convs)
    {
        var net = Zoo.Get(name);
        Assert.Equal(parameters, net.ParameterCount());
        Assert.Equal(macs, net.MultiplyAdds());
        Assert.Equal(convs, net.Layers.Count(l => l is ConvLayer));
        var shapes = net.Shapes();
        Assert.Equal(new Shape(1, 64, 224, 224), shapes[net.IndexOf("relu1_1") + 1]);
        Assert.Equal(new Shape(1, 128, 56, 56), shapes[net.IndexOf("pool2") + 1]);
        Assert.Equal(new Shape(1, 512, 7, 7), shapes[net.IndexOf("pool5") + 1]);
        Assert.Equal(["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1", "conv2_1"], net.Layers.Take(6).Select(l => l.Name));
        Assert.Equal("fc8", net.Roles.Logits);
        var small = Zoo.Truncate(net, "relu4_1", 64, 64);
        Assert.Equal("relu4_1", small.Layers[^1].Name);
        Assert.Equal(new Shape(1, 512, 8, 8), small.Shapes()[^1]);
    }

    [Fact]
    public void ZfNetFollowsThePaper()
    {
        var net = Zoo.ZfNet();
        var shapes = net.Shapes();
        Assert.Equal(new Shape(1, 96, 110, 110), shapes[net.IndexOf("conv1") + 1]);
        Assert.Equal(new Shape(1, 96, 55, 55), shapes[net.IndexOf("pool1") + 1]);
        Assert.Equal(new Shape(1, 256, 26, 26), shapes[net.IndexOf("conv2") + 1]);
        Assert.Equal(new Shape(1, 256, 13, 13), shapes[net.IndexOf("pool2") + 1]);
        Assert.Equal(new Shape(1, 256, 6, 6), shapes[net.IndexOf("pool5") + 1]);
    }

    [Fact]
    public void TheZoosMiniAlexNetIsTheShippedDefaultModelsArchitecture()
    {
        var path = Path.Combine(RawConv.Tests.Repo.RepoRulesTests.Root(), "weights", "default.h5");
        var (shipped, _, _) = RawConv.Graph.Weights.WeightsFile.ReadInfo(path);
        Assert.Equal(shipped.ToJson(), Zoo.Get("mini_alexnet").ToJson());
        Assert.Equal(shipped.ToJson(), Zoo.Get("mini-alexnet:stride=1,dropout=0.2").ToJson());
    }

    [Fact]
    public void JsonRoundTripsEveryZooNet()
    {
        foreach (var name in Zoo.Names)
        {
            var net = Zoo.Get(name);
            var back = NetSpec.FromJson(net.ToJson());
            Assert.Equal(net.Layers, back.Layers);
            Assert.Equal(net.ParameterCount(), back.ParameterCount());
        }
    }

    [Fact]
    public void BadDescriptionsAreNamed()
    {
        var e = Assert.Throws<RawConvException>(() => NetSpec.FromJson("{\"name\": \"x\", \"layers\": [{\"type\": \"warp9\", \"name\": \"a\"}]}", "my.json"));
        Assert.Contains("my.json", e.Message);
        var tooSmall = new NetSpec("tiny", 3, 4, 4, [new ConvLayer("conv1", 8, 5, 5)]);
        var e2 = Assert.Throws<RawConvException>(() => tooSmall.Validate());
        Assert.Contains("conv1", e2.Message);
        var dup = new NetSpec("dup", 3, 8, 8, [new ReluLayer("a"), new ReluLayer("a")]);
        Assert.Contains("twice", Assert.Throws<RawConvException>(() => dup.Validate()).Message);
    }

    [Fact]
    public void ANegativeLrnAlphaIsRefusedAtValidationNotAtTheFirstForward()
    {
        // The LRN op needs α ≥ 0 (the scale k + α/n·Σx² must stay positive); the layer says so before any weights load.
        var spec = new NetSpec("neg", 1, 8, 8, [new ConvLayer("conv1", 4, 3, 3), new LrnLayer("norm1", 5, -1f, 0.75f, 1f)]);
        var e = Assert.Throws<RawConvException>(() => spec.Validate());
        Assert.Equal("neg: layer 'norm1' (lrn): size 5 must be ≥ 1 and α=-1, β=0.75, k=1 finite with k > 0 and α ≥ 0 (so the scale stays positive)", e.Message);
        new NetSpec("zero", 1, 8, 8, [new LrnLayer("norm1", 5, 0f, 0.75f, 1f)]).Validate();
    }

    [Fact]
    public void InfoListsEveryLayer()
    {
        var info = Zoo.CaffeAlexNet().Info();
        foreach (var l in new[] { "conv1", "norm1", "pool5", "fc8", "prob" }) Assert.Contains(l, info);
        Assert.Contains("60,965,224", info);
    }
}
