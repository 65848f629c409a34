using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference softmax cross-entropy on logits (N, C) with integer labels, averaged over N.</summary>
public static class CrossEntropyRef
{
    /// <summary>Loss of each row: log Σ exp(x) − x[label] (stable form).</summary>
    public static void RowLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> loss, int n, int c)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            var row = logits.Slice(r * c, c);
            T m = T.NegativeInfinity;
            for (int j = 0; j < c; j++) m = T.Max(m, row[j]);
            T s = T.Zero;
            for (int j = 0; j < c; j++) s += T.Exp(row[j] - m);
            loss[r] = T.Log(s) + m - row[labels[r]];
        }
    }

    /// <summary>Mean over the N rows of the row losses.</summary>
    public static T Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int n, int c) where T : IFloatingPointIeee754<T>
    {
        var loss = new T[n];
        RowLosses(logits, labels, loss, n, c);
        T sum = T.Zero;
        foreach (var l in loss) sum += l;
        return sum / T.CreateChecked(n);
    }

    /// <summary>dx = (softmax(x) − onehot(label)) / N.</summary>
    public static void Backward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> dx, int n, int c)
        where T : IFloatingPointIeee754<T>
    {
        SoftmaxRef.Forward(logits, dx, n, c, 1, false);
        T invN = T.One / T.CreateChecked(n);
        for (int r = 0; r < n; r++)
            for (int j = 0; j < c; j++)
                dx[r * c + j] = (dx[r * c + j] - (j == labels[r] ? T.One : T.Zero)) * invN;
    }
}
