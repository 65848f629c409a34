namespace RawConv.Algorithms.Data;

/// <summary>A labelled image dataset of fixed item shape (C, H, W), read in batches.</summary>
public interface IDataset
{
    /// <summary>Number of items.</summary>
    int Count { get; }
    /// <summary>Class names; labels index this list.</summary>
    IReadOnlyList<string> Classes { get; }
    /// <summary>Shape of one item (1, C, H, W).</summary>
    Shape ItemShape { get; }
    /// <summary>Label of item <paramref name="index"/>.</summary>
    int Label(int index);
    /// <summary>Writes item <paramref name="index"/> as C·H·W floats into <paramref name="dst"/>.</summary>
    void CopyItem(int index, Span<float> dst);
}

/// <summary>Batch helpers over <see cref="IDataset"/>.</summary>
public static class DatasetExtensions
{
    /// <summary>The items at <paramref name="indices"/> as host NCHW floats and their labels.</summary>
    public static (float[] X, int[] Labels) GetHost(this IDataset d, ReadOnlySpan<int> indices)
    {
        int item = (int)d.ItemShape.Count;
        var x = new float[(long)indices.Length * item];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0 || indices[i] >= d.Count)
                throw new RawConvException($"dataset index {indices[i]} out of range [0, {d.Count})");
            d.CopyItem(indices[i], x.AsSpan(i * item, item));
            labels[i] = d.Label(indices[i]);
        }
        return (x, labels);
    }

    /// <summary>The items at <paramref name="indices"/> as a tensor (N, C, H, W) on <paramref name="backend"/> and their labels.</summary>
    public static (Tensor X, int[] Labels) Get(this IDataset d, IBackend backend, ReadOnlySpan<int> indices)
    {
        var (x, labels) = d.GetHost(indices);
        var s = d.ItemShape;
        return (Tensor.FromArray(backend, new Shape(indices.Length, s.C, s.H, s.W), x), labels);
    }

    /// <summary>A view of the first <paramref name="n"/> items (or fewer when the dataset is smaller).</summary>
    public static IDataset Take(this IDataset d, int n) => new Subset(d, Enumerable.Range(0, Math.Min(n, d.Count)).ToArray());

    private sealed class Subset(IDataset inner, int[] map) : IDataset
    {
        public int Count => map.Length;
        public IReadOnlyList<string> Classes => inner.Classes;
        public Shape ItemShape => inner.ItemShape;
        public int Label(int index) => inner.Label(map[index]);
        public void CopyItem(int index, Span<float> dst) => inner.CopyItem(map[index], dst);
    }
}
