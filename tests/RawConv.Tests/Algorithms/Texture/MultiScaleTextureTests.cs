using RawConv.Algorithms.Optimize;
using RawConv.Algorithms.Texture;
using RawConv.Graph;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Texture;

/// <summary>Texture synthesis on the random multi-scale network: one layer of random filters is enough to match a Gram matrix.</summary>
public class MultiScaleTextureTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void LbfgsLowersTheGramLossAHundredfoldIn30Steps()
    {
        var b = Backends.Get("opencl");
        using var net = Zoo.WithOwnWeights("random-multiscale:0:8:3,5,7,11", b);
        Assert.Equal(["relu"], TextureSynthesis.DefaultLayers(net.Spec));
        // a 40×40 source: diagonal stripes of period 8 in red against noise, in torchvision units
        var pre = Preprocessing.Torchvision;
        var rng = new Random(1);
        var v = new float[3 * 40 * 40];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 1600; i++)
            {
                double stripe = c == 0 && (i / 40 + i % 40) % 8 < 3 ? 200 : 60;
                v[c * 1600 + i] = pre.Normalize((float)Math.Clamp(stripe + 20 * (rng.NextDouble() - 0.5), 0, 255), c);
            }
        using var source = Tensor.FromArray(b, Shape.Nchw(1, 3, 40, 40), v);
        var o = new TextureOptions(["relu"], 32, 32, new OptimizerSettings(OptimizerKind.Lbfgs, 1f), Iterations: 30);
        using var r = TextureSynthesis.Run(net, source, pre, o);
        output.WriteLine($"Gram loss {r.InitialLoss:G4} → {r.FinalLoss:G4} ({r.InitialLoss / r.FinalLoss:F0}×) in 30 L-BFGS steps");
        Assert.True(r.InitialLoss / r.FinalLoss >= 100, $"the Gram loss fell {r.InitialLoss / r.FinalLoss:F1}× in 30 steps");
        Assert.Equal(new Shape(1, 3, 32, 32), r.Image.Shape);
    }
}
