using RawConv.Graph;

namespace RawConv.Tests.Graph;

/// <summary>One answer to "which layer is the logits / last conv / penultimate fc", on AlexNets, a VGG and a generator.</summary>
public class LayerRolesTests
{
    [Theory]
    [InlineData("bvlc_alexnet", "fc8", "prob", "conv5", "relu5", "fc7", "pool1")]
    [InlineData("caffenet", "fc8", "prob", "conv5", "relu5", "fc7", "pool1")]
    [InlineData("torchvision_alexnet", "fc8", "prob", "conv5", "relu5", "fc7", "pool1")]
    [InlineData("zfnet", "fc8", "prob", "conv5", "relu5", "fc7", "pool1")]
    public void ZooNetsNameTheirRoles(string zoo, string logits, string? probs, string lastConv, string features, string penultimate, string firstPool)
    {
        var r = Zoo.Get(zoo).Roles;
        Assert.Equal(logits, r.Logits);
        Assert.Equal(probs, r.Probabilities);
        Assert.Equal(lastConv, r.LastConv);
        Assert.Equal(features, r.ConvFeatures);
        Assert.Equal(penultimate, r.Penultimate);
        Assert.Equal(firstPool, r.FirstPool);
        Assert.Equal("relu7", r.Rectified(r.Penultimate));
    }

    [Fact]
    public void AVggShapedNetDoesNotTripThem()
    {
        var layers = new List<Layer>();
        int c = 0;
        foreach (var (block, convs, width) in new[] { (1, 2, 8), (2, 2, 16), (3, 3, 16) })
        {
            for (int i = 1; i <= convs; i++)
            {
                layers.Add(new ConvLayer($"conv{block}_{i}", width, 3, 3, PadH: 1, PadW: 1));
                layers.Add(new ReluLayer($"relu{block}_{i}"));
                c++;
            }
            layers.Add(new MaxPoolLayer($"pool{block}", 2, 2, 2, 2));
        }
        layers.AddRange([new FcLayer("fc6", 32), new ReluLayer("relu6"), new DropoutLayer("drop6"),
            new FcLayer("fc7", 32), new ReluLayer("relu7"), new DropoutLayer("drop7"), new FcLayer("fc8", 10)]);
        var r = new NetSpec("vgg_small", 3, 32, 32, layers).Validate().Roles;
        Assert.Equal("fc8", r.Logits);
        Assert.Null(r.Probabilities);
        Assert.Equal("conv3_3", r.LastConv);
        Assert.Equal("relu3_3", r.ConvFeatures);
        Assert.Equal("fc7", r.Penultimate);
        Assert.Equal("pool1", r.FirstPool);
        Assert.Equal(c, r.Convolutions.Count);
    }

    [Fact]
    public void AGeneratorHasNoLogitsAndSaysSo()
    {
        var gen = new NetSpec("gen", 8, 4, 4,
        [
            new ConvTransposeLayer("up1", 8, 4, 4, 2, 2, 1, 1), new ReluLayer("r1"),
            new ConvTransposeLayer("up2", 3, 4, 4, 2, 2, 1, 1),
        ]).Validate();
        var e = Assert.Throws<RawConvException>(() => gen.Roles.Logits);
        Assert.Contains("gen has no logits layer", e.Message);
        Assert.Contains("'up2'", e.Message);
        Assert.Contains("no convolution", Assert.Throws<RawConvException>(() => gen.Roles.LastConv).Message);
        var named = gen with { RoleOverrides = new Dictionary<string, string> { ["logits"] = "up2", ["lastConv"] = "up1" } };
        Assert.Equal("up2", named.Validate().Roles.Logits);
        Assert.Equal("r1", named.Roles.ConvFeatures);
        Assert.Contains("\"roles\"", named.ToJson());
        Assert.Equal("up2", NetSpec.FromJson(named.ToJson()).Roles.Logits);
        var bad = gen with { RoleOverrides = new Dictionary<string, string> { ["logit"] = "up2" } };
        Assert.Contains("unknown role 'logit'", Assert.Throws<RawConvException>(() => bad.Validate()).Message);
    }
}
