using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference top-k along rows of a (rows, cols) view: descending, ties by lower index first.</summary>
public static class TopKRef
{
    /// <summary>values, indices (rows, k).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int rows, int cols, int k, Span<T> values, Span<int> indices)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols).ToArray();
            var order = Enumerable.Range(0, cols).ToArray();
            Array.Sort(order, (i, j) => row[i] != row[j] ? row[j].CompareTo(row[i]) : i.CompareTo(j));
            for (int t = 0; t < k; t++)
            {
                values[r * k + t] = row[order[t]];
                indices[r * k + t] = order[t];
            }
        }
    }
}
