using RawConv.Tests.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Cli;

/// <summary>`rawconv style` on a VGG-19 converted by tools/torch_to_h5.py: the VGG defaults apply to it unasked.</summary>
public class VggWeightsCliTests
{
    [SkippableFact]
    public void StyleTakesGatysLayersAndWeightsFromAConvertedVgg19()
    {
        StyleCliTests.SkipUnlessPictures();
        string model = VggRefs.File("vgg19", "vgg19.h5");
        using var dir = new TempDir();
        var j = StyleCliTests.Run("--model", model, "--content", StyleCliTests.Astronaut, "--style", StyleCliTests.Scream, "--size", "32",
            "--iterations", "0", "--out", Path.Combine(dir.Path, "s.png"));
        var s = j.GetProperty("settings");
        Assert.Equal(["relu4_2"], s.GetProperty("contentLayers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"], s.GetProperty("styleLayers").EnumerateArray().Select(e => e.GetString()));
        // Float weights print as their shortest float text or as the widened double: compare to float precision.
        Assert.Equal(1.0, s.GetProperty("contentWeight").GetDouble(), 1e-7);
        Assert.Equal(1e3, s.GetProperty("styleWeight").GetDouble(), 1e-4);
        Assert.Equal(1e-3, s.GetProperty("tvWeight").GetDouble(), 1e-10);
        Assert.True(j.GetProperty("styleLoss").GetDouble() > 0, "the style loss of noise against The Scream is positive");
    }
}
