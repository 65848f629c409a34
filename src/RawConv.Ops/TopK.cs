using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Top-k along the last axis, viewing the tensor as (rows, cols). A NaN in x is an error (NaN has no place in an order).</summary>
public static class TopK
{
    /// <summary>Work-items per group of these kernels: TK_LOCAL in kernels/topk.cl, which sizes their local memory (a test checks the two agree).</summary>
    public const int GroupSize = 128;

    /// <summary>The k largest of each row, descending, ties by lower index first; values and Int32 indices have x's shape with the last dim k.</summary>
    public static (Tensor Values, Tensor Indices) Forward(Tensor x, int k)
    {
        const string op = "topk.forward";
        var (b, rows, cols) = Check(op, x);
        Guard.That(k >= 1 && k <= cols, op, $"k = {k} must lie in [1, {cols}] for x {x.Shape} on {b.Name}");
        var dims = x.Shape.Dims;
        dims[^1] = k;
        var values = Tensor.Zeros(b, new Shape(dims));
        var indices = Tensor.Zeros(b, new Shape(dims), DType.Int32);
        Run(b, x, rows, cols, k, values, indices);
        return (values, indices);
    }

    /// <summary>Index of the largest element of each row (the first on ties), Int32 (rows).</summary>
    public static Tensor ArgMax(Tensor x)
    {
        const string op = "topk.argmax";
        var (b, rows, cols) = Check(op, x);
        Guard.That(cols >= 1, op, $"x {x.Shape} has empty rows");
        using var values = Tensor.Zeros(b, new Shape(rows));
        var indices = Tensor.Zeros(b, new Shape(rows), DType.Int32);
        Run(b, x, rows, cols, 1, values, indices);
        return indices;
    }

    /// <summary>
    /// A NaN compares false with everything, so the kernel would return it as a value or answer an index of −1.
    /// One device sum finds it (NaN, or Inf − Inf, makes the sum NaN); only then is x read back to look.
    /// </summary>
    private static void RefuseNaN(string op, Tensor x, int cols)
    {
        if (x.Count == 0 || !double.IsNaN(Reduce.Sum(x))) return;
        var a = x.ToArray();
        int i = Array.FindIndex(a, float.IsNaN);
        if (i >= 0) throw new RawConvException($"{op}: x {x.Shape} holds NaN (row {i / cols}, column {i % cols}) — NaN has no rank; check the values before ranking them");
    }

    private static void Run(IBackend b, Tensor x, int rows, int cols, int k, Tensor values, Tensor indices)
    {
        if (rows == 0) return;
        if (b.AsKernel() is { } kb)
            kb.Run("topk", "topk_rows", new LaunchGeometry((long)rows * GroupSize, 1, 1, GroupSize, 1, 1), values, indices, x, cols, k);
        else TopKRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), rows, cols, k,
            ReferenceBackend.Floats(values.Buffer), ReferenceBackend.Ints(indices.Buffer));
    }

    private static (IBackend B, int Rows, int Cols) Check(string op, Tensor x)
    {
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        Guard.That(x.Shape.Rank >= 1, op, $"x {x.Shape} must have at least one axis");
        Kernels.Int(op, x.Count);
        Guard.Finite(op, "x", x);
        int cols = x.Shape[-1];
        RefuseNaN(op, x, Math.Max(1, cols));
        return (b, cols == 0 ? 0 : (int)(x.Count / cols), cols);
    }
}
