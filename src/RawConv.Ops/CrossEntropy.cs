using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Softmax cross-entropy on logits (N, C) with Int32 labels (N), averaged over N.</summary>
public static class CrossEntropy
{
    /// <summary>Work-items per group of these kernels: SM_LOCAL in kernels/softmax.h, which sizes their local memory (a test checks the two agree).</summary>
    public const int GroupSize = 128;

    /// <summary>Mean over rows of log Σ exp(logits) − logits[label].</summary>
    public static float Forward(Tensor logits, Tensor labels)
    {
        const string op = "cross_entropy.forward";
        var (b, n, c) = Check(op, logits, labels);
        using var loss = Tensor.Zeros(b, new Shape(n));
        if (b.AsKernel() is { } k)
            k.Run("crossentropy", "ce_forward", new LaunchGeometry((long)n * GroupSize, 1, 1, GroupSize, 1, 1), loss, logits, labels, c);
        else CrossEntropyRef.RowLosses<float>(ReferenceBackend.Floats(logits.Buffer), ReferenceBackend.Ints(labels.Buffer),
            ReferenceBackend.Floats(loss.Buffer), n, c);
        double sum = 0;
        foreach (var l in loss.ToArray()) sum += l;
        return (float)(sum / n);
    }

    /// <summary>d loss / d logits = (softmax(logits) − onehot(labels)) / N.</summary>
    public static Tensor Backward(Tensor logits, Tensor labels)
    {
        const string op = "cross_entropy.backward";
        var (b, n, c) = Check(op, logits, labels);
        var dx = Tensor.Zeros(b, logits.Shape);
        if (b.AsKernel() is { } k)
            k.Run("crossentropy", "ce_backward", new LaunchGeometry((long)n * GroupSize, 1, 1, GroupSize, 1, 1), dx, logits, labels, c, 1f / n);
        else CrossEntropyRef.Backward<float>(ReferenceBackend.Floats(logits.Buffer), ReferenceBackend.Ints(labels.Buffer),
            ReferenceBackend.Floats(dx.Buffer), n, c);
        return dx;
    }

    private static (IBackend B, int N, int C) Check(string op, Tensor logits, Tensor labels)
    {
        var b = Guard.SameBackend(op, logits, labels);
        Guard.Float(op, "logits", logits);
        Guard.That(logits.Shape.Rank == 2, op, $"logits must be 2-D (N, C), got {logits.Shape} on {b.Name}");
        Guard.That(labels.DType == DType.Int32, op, $"labels must be Int32, got {labels.DType} {labels.Shape}");
        int n = logits.Shape[0], c = logits.Shape[1];
        Guard.That(labels.Shape.Rank == 1 && labels.Shape[0] == n, op,
            $"labels {labels.Shape} must be (N) = ({n}) for logits {logits.Shape} on {b.Name}");
        Guard.That(n > 0 && c > 0, op, $"logits {logits.Shape} must be non-empty");
        Kernels.Int(op, logits.Count);
        var l = labels.ToIntArray();
        for (int i = 0; i < n; i++)
            Guard.That(l[i] >= 0 && l[i] < c, op, $"label {l[i]} at row {i} out of range [0, {c}) for logits {logits.Shape}, labels {labels.Shape}");
        Guard.Finite(op, "logits", logits);
        return (b, n, c);
    }
}
