using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>How many values of a tensor are NaN, +Inf and −Inf.</summary>
public readonly record struct NonFiniteCount(long NaN, long PositiveInfinity, long NegativeInfinity)
{
    /// <summary>All non-finite values.</summary>
    public long Total => NaN + PositiveInfinity + NegativeInfinity;

    /// <summary>"4,096 non-finite values (+Inf)", or with the kinds counted when they are mixed.</summary>
    public override string ToString()
    {
        var kinds = new List<(long N, string Name)> { (NaN, "NaN"), (PositiveInfinity, "+Inf"), (NegativeInfinity, "−Inf") }.Where(k => k.N > 0).ToList();
        string what = kinds.Count == 1 ? kinds[0].Name : string.Join(", ", kinds.Select(k => $"{k.N:N0} {k.Name}"));
        return $"{Total:N0} non-finite value{(Total == 1 ? "" : "s")} ({what})";
    }
}

/// <summary>A network input or layer output (<see cref="Net.CheckFinite"/>), or a loaded weight (<see cref="Net.RequireFiniteWeights"/>), holding NaN or Inf.</summary>
public sealed class NonFiniteException(string? layer, NonFiniteCount count, string message) : RawConvException(message)
{
    /// <summary>The layer that produced or holds the values, or null when the input held them.</summary>
    public string? Layer { get; } = layer;
    /// <summary>What was found.</summary>
    public NonFiniteCount Found { get; } = count;

    /// <summary>
    /// Counts the non-finite values of a float tensor: one device reduction, and a host count only when its sum is
    /// not finite (which a NaN or Inf always makes it, and a finite overflow of the sum may).
    /// </summary>
    public static NonFiniteCount Count(Tensor t)
    {
        if (t.DType != DType.Float32 || t.Count == 0 || double.IsFinite(Reduce.Sum(t))) return default;
        long nan = 0, pos = 0, neg = 0;
        foreach (var v in t.ToArray())
            if (float.IsNaN(v)) nan++;
            else if (float.IsPositiveInfinity(v)) pos++;
            else if (float.IsNegativeInfinity(v)) neg++;
        return new NonFiniteCount(nan, pos, neg);
    }
}
