using RawConv.Algorithms.Fooling;
using RawConv.Graph.Weights;
using RawConv.Tests.Repo;
using RawConv.Tests.TestUtil;
using Xunit.Abstractions;

namespace RawConv.Tests.Algorithms.Fooling;

/// <summary>
/// Fooling images on the default model (seed 1, 64 mutants per generation): the direct encoding reaches ≥ 99 % for at least 8
/// of 10 classes within 1,000 generations (64,000 evaluations); the CPPN encoding, whose sigmoid outputs make the last
/// percent slower to climb, at least 5 within 300 (19,200 evaluations).
/// </summary>
public class FoolingSearchTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(FoolEncoding.Direct, 1000, 8)]
    [InlineData(FoolEncoding.Cppn, 300, 5)]
    public void ClassesAreFooledAtNinetyNinePercentWithinTheBudget(FoolEncoding encoding, int generations, int atLeast)
    {
        var b = Backends.Get("opencl");
        using var w = WeightsFile.Load(Path.Combine(RepoRulesTests.Root(), "weights", "default.h5"), b);
        var o = new FoolOptions { Encoding = encoding, Generations = generations, Offspring = 64, Seed = 1 };
        var r = FoolingSearch.Run(w.Net, w.Preprocessing!.For(1), o);
        var p = r.Elites.Select(e => e!.Probability).ToArray();
        output.WriteLine($"{encoding}: {r.Evaluations} evaluations in {r.Generations} generations; best P per class: {string.Join(", ", p.Select(v => v.ToString("F4")))}");
        Assert.True(p.Count(v => v >= 0.99f) >= atLeast, $"{encoding}: only {p.Count(v => v >= 0.99f)} classes at ≥ 0.99 within {o.Generations * o.Offspring} evaluations");
        // Each elite's probability is what a fresh evaluation of its picture gives.
        var again = FoolingSearch.Score(w.Net, w.Preprocessing!.For(1), r.Elites.Select(e => e!.Pixels).ToArray(), 1, 40, 40);
        for (int k = 0; k < 10; k++) Assert.Equal(p[k], again[k][k], 4);
        Assert.Equal(r.Generations, r.Progress.Length);
        Assert.True(r.Progress.Zip(r.Progress.Skip(1)).All(t => t.First.Zip(t.Second).All(q => q.Second >= q.First)), "an elite got worse");
    }

    [Fact]
    public void CppnRendersSmoothPicturesThatStayAcyclicUnderMutation()
    {
        var rng = new Random(3);
        IGenome g = CppnGenome.Random(rng, 3);
        for (int i = 0; i < 200; i++) g = g.Mutate(rng);
        var c = (CppnGenome)g;
        Assert.All(c.Links, l => Assert.True(c.Nodes[l.From].Depth < c.Nodes[l.To].Depth, "a connection runs backwards"));
        var img = g.Render(3, 16, 16);
        Assert.All(img, v => Assert.InRange(v, 0f, 255f));
        Assert.Equal(img, g.Render(3, 16, 16));
    }
}
