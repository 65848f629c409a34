using RawConv.Algorithms.Seeing;
using RawConv.Ops;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>Deconvnet, gradient and guided projections of conv5 of the seeded AlexNet against PyTorch (tools/make_saliency_refs.py).</summary>
public abstract class AlexNetDeconvnetTests(ITestOutputHelper output) : BackendTest
{
    /// <summary>Also check the whole-map projections (skipped on the slow reference backend).</summary>
    protected virtual bool WholeMaps => true;

    /// <summary>The rules checked (the reference backend checks the deconvnet rule only: about 20 s per backward pass there).</summary>
    protected virtual (ReluRule Rule, string Name)[] Rules => [(ReluRule.Deconvnet, "deconvnet"), (ReluRule.Standard, "gradient"), (ReluRule.Guided, "guided")];

    [SkippableFact]
    public void Conv5ProjectionsMatchPyTorchFromOneForwardPass()
    {
        var s = SaliencyRefs.Meta.GetProperty("strongest");
        int wholeChannel = SaliencyRefs.Meta.GetProperty("whole_map").GetProperty("channel").GetInt32();
        var (net, x) = SaliencyRefs.Load(B);
        using (net)
        using (x)
        using (var pass = net.Forward(x, "conv5"))
            foreach (var (rule, name) in Rules)
            {
                using (var p = Deconvnet.Project(net, pass, [UnitChoice.Strongest("conv5")], rule))
                {
                    var u = Assert.Single(p.Units);
                    Assert.Equal((s.GetProperty("channel").GetInt32(), s.GetProperty("y").GetInt32(), s.GetProperty("x").GetInt32()), (u.Channel, u.Y, u.X));
                    Assert.Equal(s.GetProperty("value").GetDouble(), u.Value, 0.05);
                    SaliencyRefs.AssertClose(p.Input.ToArray(), SaliencyRefs.Map("strongest_" + name), $"{BackendName} conv5 strongest {name}", output);
                }
                if (!WholeMaps) continue;
                using (var p = Deconvnet.Project(net, pass, [UnitChoice.WholeMap("conv5", wholeChannel)], rule))
                {
                    Assert.Equal(wholeChannel, p.Units[0].Channel);
                    SaliencyRefs.AssertClose(p.Input.ToArray(), SaliencyRefs.Map("wholemap_" + name), $"{BackendName} conv5 map {wholeChannel} {name}", output);
                }
            }
    }
}

public sealed class AlexNetDeconvnetOpenClTests(ITestOutputHelper o) : AlexNetDeconvnetTests(o) { protected override string BackendName => "opencl"; }
public sealed class AlexNetDeconvnetCudaTests(ITestOutputHelper o) : AlexNetDeconvnetTests(o) { protected override string BackendName => "cuda"; }
public sealed class AlexNetDeconvnetReferenceTests(ITestOutputHelper o) : AlexNetDeconvnetTests(o)
{
    protected override string BackendName => "reference";
    protected override bool WholeMaps => false;
    protected override (ReluRule Rule, string Name)[] Rules => [(ReluRule.Deconvnet, "deconvnet")];
}

/// <summary>Properties of the projections on a small random MiniAlexNet on the reference backend.</summary>
public class DeconvnetProperties
{
    [Fact]
    public void GradientOfAWholeMapIsTheSumOfItsPositions()
    {
        // The gradient rule is linear in the seed for a fixed forward pass (switches and ReLU masks fixed):
        // projecting all of map c equals the sum of projecting each of its activations alone.
        var (net, x) = SaliencyProperties.Small(1, 8);
        using (net)
        using (x)
        using (var pass = net.Forward(x, "conv5"))
        {
            int c = 3, h = pass["conv5"].Shape.H, w = pass["conv5"].Shape.W;
            using var whole = Deconvnet.Project(net, pass, [UnitChoice.WholeMap("conv5", c)], ReluRule.Standard);
            var sum = new double[x.Shape.Count];
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                {
                    using var at = Deconvnet.Project(net, pass, [UnitChoice.At("conv5", c, y, xx)], ReluRule.Standard);
                    Assert.Equal(new PickedUnit(c, y, xx, pass["conv5"].ToArray()[(c * h + y) * w + xx]), at.Units[0]);
                    var a = at.Input.ToArray();
                    for (int i = 0; i < a.Length; i++) sum[i] += a[i];
                }
            var e = whole.Input.ToArray().Select(v => (double)v).ToArray();
            Assert.Contains(e, v => v != 0);
            Check.Close(sum, e, 1e-5 * e.Max(Math.Abs), 1e-4, "whole map = Σ positions");
        }
    }

    [Fact]
    public void PickTakesTheFirstMaximum()
    {
        // (C=2, H=2, W=2); 5 occurs at (0,0,1), (0,1,0) and (1,1,1).
        float[] a = [1, 5, 5, -2, 0, 3, 3, 5];
        var dims = (2, 2, 2);
        Assert.Equal(new PickedUnit(0, 0, 1, 5), Deconvnet.Pick(a, dims, UnitChoice.Strongest("l")));
        Assert.Equal(new PickedUnit(1, 1, 1, 5), Deconvnet.Pick(a, dims, UnitChoice.Unit("l", 1)));
        Assert.Equal(new PickedUnit(1, 0, 1, 3), Deconvnet.Pick([1, 5, 5, -2, 0, 3, 3, 2], dims, UnitChoice.Unit("l", 1)));
        Assert.Equal(new PickedUnit(1, 0, 1, 3), Deconvnet.Pick([1, 5, 5, -2, 0, 3, 3, 2], dims, UnitChoice.WholeMap("l", 1)));
        Assert.Equal(new PickedUnit(0, 1, 1, -2), Deconvnet.Pick(a, dims, UnitChoice.At("l", 0, 1, 1)));
        float[] allEqual = [-1, -1, -1, -1, -1, -1, -1, -1];
        Assert.Equal(new PickedUnit(0, 0, 0, -1), Deconvnet.Pick(allEqual, dims, UnitChoice.Strongest("l")));
        Assert.Equal(new PickedUnit(1, 0, 0, -1), Deconvnet.Pick(allEqual, dims, UnitChoice.Unit("l", 1)));
    }

    [Fact]
    public void SeedKeepsThePickedActivationsOnly()
    {
        // Two images of (C=2, H=1, W=2): image 0 keeps one activation, image 1 a whole map.
        float[] act = [1, 2, 3, 4, 5, 6, 7, 8];
        var shape = new Shape(2, 2, 1, 2);
        var seed = Deconvnet.Seed(act, shape, [new PickedUnit(1, 0, 0, 3), new PickedUnit(0, 0, 1, 6)],
            [UnitChoice.Unit("l", 1), UnitChoice.WholeMap("l", 0)]);
        Assert.Equal([0f, 0, 3, 0, 5, 6, 0, 0], seed);
    }

    [Fact]
    public void BadUnitsAndLayersAreNamed()
    {
        var (net, x) = SaliencyProperties.Small(1);
        using (net)
        using (x)
        {
            var e = Assert.Throws<RawConvException>(() => Deconvnet.Project(net, x, UnitChoice.Unit("conv3", 16)));
            Assert.Contains("unit 16", e.Message);
            Assert.Contains("conv3", e.Message);
            e = Assert.Throws<RawConvException>(() => Deconvnet.Project(net, x, UnitChoice.At("conv3", 0, 7, 0)));
            Assert.Contains("(7, 0)", e.Message);
            e = Assert.Throws<RawConvException>(() => Deconvnet.Project(net, x, UnitChoice.Strongest("conv7")));
            Assert.Contains("conv7", e.Message);
        }
    }
}
