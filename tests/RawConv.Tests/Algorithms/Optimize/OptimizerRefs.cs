using System.Text.Json;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>
/// torch.optim.Adam (float32) and torch.optim.LBFGS (float64, strong Wolfe and fixed step) trajectories and
/// scipy's L-BFGS-B solutions written by tools/make_optimizer_refs.py; tests skip when torch or scipy is missing.
/// </summary>
internal static class OptimizerRefs
{
    private static readonly ScriptRefs Refs = new("make_optimizer_refs.py", "rawconv-optimizer-ref", "done.txt", "torch, numpy, scipy.optimize", d => [d]);

    /// <summary>adam.json: one element per case.</summary>
    public static JsonElement.ArrayEnumerator Adam() => Load("adam.json");

    /// <summary>lbfgs.json: one element per case.</summary>
    public static JsonElement.ArrayEnumerator Lbfgs() => Load("lbfgs.json");

    /// <summary>lbfgsb.json: scipy's L-BFGS-B solutions under bounds, one element per case.</summary>
    public static JsonElement.ArrayEnumerator LbfgsB() => Load("lbfgsb.json");

    /// <summary>The case named <paramref name="name"/> of <paramref name="cases"/>.</summary>
    public static JsonElement Case(JsonElement.ArrayEnumerator cases, string name) =>
        cases.FirstOrDefault(c => c.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } c
            ? c : throw new InvalidOperationException($"tools/make_optimizer_refs.py wrote no case '{name}'");

    /// <summary>A JSON array of numbers as doubles.</summary>
    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>A JSON array of numbers as floats (exact for values the script wrote from float32).</summary>
    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static JsonElement.ArrayEnumerator Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Refs.Dir, file))).RootElement.EnumerateArray();
}
