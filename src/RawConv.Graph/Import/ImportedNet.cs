namespace RawConv.Graph.Import;

/// <summary>A network read from a foreign format: the architecture and, per parameterised layer, host weights (layout as <see cref="Layer.WeightShape"/>) and bias.</summary>
public sealed record ImportedNet(NetSpec Spec, IReadOnlyDictionary<string, (float[] Weight, float[]? Bias)> Weights)
{
    /// <summary>A <see cref="Net"/> on <paramref name="backend"/> with these weights loaded.</summary>
    public Net ToNet(IBackend backend)
    {
        var net = new Net(Spec, backend);
        try
        {
            foreach (var name in net.Parameters.Keys.ToList())
            {
                if (!Weights.TryGetValue(name, out var p))
                    throw new RawConvException($"{Spec.Name}: no weights imported for layer '{name}'");
                net.SetParams(name, p.Weight, p.Bias);
            }
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>Gives layer names that are unique: <paramref name="wanted"/> when free, else with a numeric suffix.</summary>
    internal static string Unique(string wanted, ISet<string> used)
    {
        string name = wanted.Length > 0 ? wanted : "layer";
        for (int i = 2; used.Contains(name); i++) name = $"{wanted}_{i}";
        used.Add(name);
        return name;
    }
}
