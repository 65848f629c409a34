using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Maximize;

/// <summary>
/// What to maximize, as the command line spells it: <c>class:K</c> (the pre-softmax score of class K),
/// <c>logprob:K</c> (the log softmax probability of class K), <c>unit:L:C[:y:x]</c> (one unit of layer L; the centre without a position), <c>channel:L:C</c> (the mean of
/// feature map C) or <c>direction:L[:seed]</c> (a seeded random unit direction in L's channel space).
/// </summary>
public static class MaximizeTarget
{
    /// <summary>The objective term <paramref name="text"/> names on <paramref name="spec"/>; errors name --target.</summary>
    public static ObjectiveTerm Parse(string text, NetSpec spec)
    {
        var parts = text.Split(':');
        string kind = parts[0].ToLowerInvariant();
        int Int(int i, string what)
        {
            if (i >= parts.Length || !int.TryParse(parts[i], out int v) || v < 0)
                throw new RawConvException($"--target {text}: {what} must be a non-negative integer");
            return v;
        }
        string Layer()
        {
            if (parts.Length < 2 || parts[1].Length == 0) throw new RawConvException($"--target {text}: name a layer, e.g. {kind}:conv5");
            spec.IndexOf(parts[1]);
            return parts[1];
        }
        int Channels(string layer) => spec.Shapes(spec.InputShape(1), layer)[^1][1];
        ObjectiveTerm term = kind switch
        {
            "class" when parts.Length == 2 => new ClassScore(Int(1, "the class")),
            "logprob" when parts.Length == 2 => new ClassProbability(Int(1, "the class"), Log: true),
            "unit" when parts.Length is 3 or 5 => new UnitActivation(Layer(), Int(2, "the channel"),
                parts.Length == 5 ? Int(3, "y") : null, parts.Length == 5 ? Int(4, "x") : null),
            "channel" when parts.Length == 3 => new ChannelMean(Layer(), Int(2, "the channel")),
            "direction" when parts.Length is 2 or 3 => new Direction(Layer(), Direction.Random(Channels(parts[1]), parts.Length == 3 ? Int(2, "the seed") : 0)),
            _ => throw new RawConvException($"--target '{text}': use class:K, logprob:K, unit:LAYER:C[:y:x], channel:LAYER:C or direction:LAYER[:seed]"),
        };
        Check(term, spec, text);
        return term;
    }

    private static void Check(ObjectiveTerm term, NetSpec spec, string text)
    {
        var shape = spec.Shapes(spec.InputShape(1), term.LayerOf(spec))[^1];
        int c = shape[1];
        int channel = term switch { ClassScore k => k.Class, ClassProbability p => p.Class, UnitActivation u => u.Channel, ChannelMean m => m.Channel, _ => 0 };
        if (channel >= c) throw new RawConvException($"--target {text}: {term.LayerOf(spec)} has {c} channels (0–{c - 1})");
        if (term is UnitActivation { Y: { } y, X: { } x } && (shape.Rank != 4 || y >= shape.H || x >= shape.W))
            throw new RawConvException($"--target {text}: position ({y}, {x}) lies outside {term.LayerOf(spec)}'s {shape}");
    }
}
