using RawConv.Algorithms.Data;
using RawConv.Graph;

namespace RawConv.Algorithms.Training;

/// <summary>Accuracy of a classifier over a dataset: top-1, top-5, and Confusion[true, predicted] counts.</summary>
public sealed record EvalResult(double Top1, double Top5, int N, int[,] Confusion)
{
    /// <summary>Scores the rows of <paramref name="scores"/> (N×C, row-major) against <paramref name="labels"/>.</summary>
    public static EvalResult FromScores(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int classes)
    {
        var acc = new Accumulator(classes);
        acc.Add(scores, labels);
        return acc.Result();
    }

    /// <summary>Per-class recall (diagonal over row sums; NaN for an empty row).</summary>
    public double[] Recall()
    {
        int c = Confusion.GetLength(0);
        var r = new double[c];
        for (int i = 0; i < c; i++)
        {
            long row = 0;
            for (int j = 0; j < c; j++) row += Confusion[i, j];
            r[i] = row == 0 ? double.NaN : (double)Confusion[i, i] / row;
        }
        return r;
    }

    internal sealed class Accumulator(int classes)
    {
        private readonly int[,] confusion = new int[classes, classes];
        private int n, top1, top5;

        public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
        {
            if (scores.Length != labels.Length * classes)
                throw new RawConvException($"evaluate: {scores.Length} scores do not make {labels.Length} rows of {classes} classes");
            for (int i = 0; i < labels.Length; i++)
            {
                var row = scores.Slice(i * classes, classes);
                int label = labels[i];
                if (label < 0 || label >= classes) throw new RawConvException($"evaluate: label {label} at row {i} is not in [0, {classes})");
                int pred = NetQueries.ArgMax(row);
                // Rank = number of classes scoring strictly higher than the true one (ties favour the label).
                int above = 0;
                foreach (var v in row) if (v > row[label]) above++;
                if (pred == label) top1++;
                if (above < 5) top5++;
                confusion[label, pred]++;
                n++;
            }
        }

        public EvalResult Result() => new(n == 0 ? 0 : (double)top1 / n, n == 0 ? 0 : (double)top5 / n, n, confusion);
    }
}

/// <summary>Batched evaluation of a classification net.</summary>
public static class Evaluator
{
    /// <summary>Top-1, top-5 and the confusion matrix of <paramref name="net"/> on <paramref name="data"/> (inference mode, no dropout).</summary>
    public static EvalResult Evaluate(Net net, IDataset data, int batchSize = 100, Action<int, int>? progress = null)
    {
        if (batchSize <= 0) throw new RawConvException($"evaluate: batch size {batchSize} must be positive");
        var expected = net.Spec.InputShape(1);
        if (data.ItemShape != expected)
            throw new RawConvException($"evaluate: dataset items {data.ItemShape} do not match the input of {net.Spec.Name} {expected}");
        string logits = net.Spec.Roles.Logits;
        int classes = net.Spec.Shapes()[net.Spec.IndexOf(logits) + 1][1];
        if (data.Classes.Count > classes)
            throw new RawConvException($"evaluate: dataset has {data.Classes.Count} classes, {net.Spec.Name} outputs {classes}");
        var acc = new EvalResult.Accumulator(classes);
        var idx = new int[batchSize];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < n; i++) idx[i] = start + i;
            var (x, labels) = data.Get(net.Backend, idx.AsSpan(0, n));
            using (x)
            using (var pass = net.Forward(x, logits))
                acc.Add(pass.Output.ToArray(), labels);
            progress?.Invoke(start + n, data.Count);
        }
        return acc.Result();
    }

    /// <summary>Rows of <paramref name="scores"/> whose arg-max equals the label.</summary>
    public static int CountTop1(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int classes)
    {
        int hits = 0;
        for (int i = 0; i < labels.Length; i++) if (NetQueries.ArgMax(scores.Slice(i * classes, classes)) == labels[i]) hits++;
        return hits;
    }
}
