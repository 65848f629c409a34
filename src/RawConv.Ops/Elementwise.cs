using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>Flat elementwise helpers on Float32 tensors of any shape.</summary>
public static class Elementwise
{
    /// <summary>y += a·x, in place.</summary>
    public static void Axpy(float a, Tensor x, Tensor y)
    {
        const string op = "elementwise.axpy";
        var b = Pair(op, "x", x, "y", y);
        int n = Kernels.Int(op, x.Count);
        if (b.AsKernel() is { } k) k.Run("elementwise", "ew_axpy", LaunchGeometry.Linear(n), y, x, a, n);
        else ElementwiseRef.Axpy<float>(a, F(x), F(y));
    }

    /// <summary>a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary("elementwise.add", "ew_add", a, b, ElementwiseRef.Add<float>);

    /// <summary>a·b elementwise.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary("elementwise.mul", "ew_mul", a, b, ElementwiseRef.Mul<float>);

    /// <summary>s·x.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        const string op = "elementwise.scale";
        var b = Single(op, x);
        var y = Tensor.Zeros(b, x.Shape);
        ScaleInto(op, x, s, y);
        return y;
    }

    /// <summary>x ← s·x.</summary>
    public static void ScaleInPlace(Tensor x, float s)
    {
        const string op = "elementwise.scale_in_place";
        Single(op, x);
        ScaleInto(op, x, s, x);
    }

    /// <summary>min(max(x, lo), hi).</summary>
    public static Tensor Clamp(Tensor x, float lo, float hi)
    {
        const string op = "elementwise.clamp";
        var b = Single(op, x);
        CheckRange(op, lo, hi, x);
        var y = Tensor.Zeros(b, x.Shape);
        int n = Kernels.Int(op, x.Count);
        if (b.AsKernel() is { } k) k.Run("elementwise", "ew_clamp", LaunchGeometry.Linear(n), y, x, lo, hi, n);
        else ElementwiseRef.Clamp<float>(F(x), lo, hi, F(y));
        return y;
    }

    /// <summary>dx = dy where lo ≤ x ≤ hi (closed interval), else 0.</summary>
    public static Tensor ClampBackward(Tensor x, Tensor dy, float lo, float hi)
    {
        const string op = "elementwise.clamp_backward";
        var b = Pair(op, "x", x, "dy", dy);
        CheckRange(op, lo, hi, x);
        var dx = Tensor.Zeros(b, x.Shape);
        int n = Kernels.Int(op, x.Count);
        if (b.AsKernel() is { } k) k.Run("elementwise", "ew_clamp_backward", LaunchGeometry.Linear(n), dx, x, dy, lo, hi, n);
        else ElementwiseRef.ClampBackward<float>(F(x), F(dy), lo, hi, F(dx));
        return dx;
    }

    /// <summary>x ← value everywhere.</summary>
    public static void Fill(Tensor x, float value)
    {
        const string op = "elementwise.fill";
        var b = Single(op, x);
        int n = Kernels.Int(op, x.Count);
        if (b.AsKernel() is { } k) k.Run("elementwise", "ew_fill", LaunchGeometry.Linear(n), x, value, n);
        else F(x).Fill(value);
    }

    private delegate void BinaryRef(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> z);

    private static Tensor Binary(string op, string kernel, Tensor a, Tensor b, BinaryRef reference)
    {
        var be = Pair(op, "a", a, "b", b);
        var z = Tensor.Zeros(be, a.Shape);
        int n = Kernels.Int(op, a.Count);
        if (be.AsKernel() is { } k) k.Run("elementwise", kernel, LaunchGeometry.Linear(n), z, a, b, n);
        else reference(F(a), F(b), F(z));
        return z;
    }

    private static void ScaleInto(string op, Tensor x, float s, Tensor y)
    {
        int n = Kernels.Int(op, x.Count);
        if (x.Backend.AsKernel() is { } k) k.Run("elementwise", "ew_scale", LaunchGeometry.Linear(n), y, x, s, n);
        else ElementwiseRef.Scale<float>(F(x), s, F(y));
    }

    private static IBackend Single(string op, Tensor x)
    {
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        return b;
    }

    private static IBackend Pair(string op, string na, Tensor a, string nb, Tensor b)
    {
        var be = Guard.SameBackend(op, a, b);
        Guard.Float(op, na, a);
        Guard.Float(op, nb, b);
        Guard.SameShape(op, na, a, nb, b);
        return be;
    }

    private static void CheckRange(string op, float lo, float hi, Tensor x) =>
        Guard.That(lo <= hi, op, $"lo {lo} must not exceed hi {hi} (x {x.Shape} on {x.Backend.Name})");

    private static Span<float> F(Tensor t) => ReferenceBackend.Floats(t.Buffer);
}
