namespace RawConv;

/// <summary>An immutable tensor shape; NCHW for 4-D activations, (K, C/groups, R, S) for filters.</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] dims;

    /// <summary>Creates a shape from its dimensions; each must be ≥ 0.</summary>
    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"shape {Format(dims)} has a negative dimension");
        this.dims = (int[])dims.Clone();
        long n = 1;
        foreach (var d in dims) n = checked(n * d);
        Count = n;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;

    /// <summary>Total number of elements.</summary>
    public long Count { get; }

    /// <summary>Dimension i (negative counts from the end).</summary>
    public int this[int i] => dims[i < 0 ? dims.Length + i : i];

    /// <summary>The dimensions as a fresh array.</summary>
    public int[] Dims => (int[])dims.Clone();

    /// <summary>Batch size of a 4-D tensor.</summary>
    public int N => Dim4(0);
    /// <summary>Channels of a 4-D tensor.</summary>
    public int C => Dim4(1);
    /// <summary>Height of a 4-D tensor.</summary>
    public int H => Dim4(2);
    /// <summary>Width of a 4-D tensor.</summary>
    public int W => Dim4(3);

    private int Dim4(int i) => dims.Length == 4 ? dims[i]
        : throw new InvalidOperationException($"shape {this} is not 4-D (N, C, H, W)");

    /// <summary>Shorthand for a 4-D shape.</summary>
    public static Shape Nchw(int n, int c, int h, int w) => new(n, c, h, w);

    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    public override string ToString() => Format(dims);
    private static string Format(int[] d) => "(" + string.Join(", ", d) + ")";
}
