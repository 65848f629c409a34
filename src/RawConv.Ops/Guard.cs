namespace RawConv.Ops;

/// <summary>Argument checks shared by the ops; every message names the op, the shapes and the device.</summary>
public static class Guard
{
    /// <summary>
    /// When true, ops check their float inputs for NaN/Inf before running and throw naming the op and
    /// input. On by default in Debug builds; set RAWCONV_CHECK_NAN=1 (or this property) to turn it on anywhere.
    /// </summary>
    public static bool CheckNaN { get; set; } =
#if DEBUG
        true ||
#endif
        Environment.GetEnvironmentVariable("RAWCONV_CHECK_NAN") == "1";

    /// <summary>All tensors live on the first one's backend; returns that backend.</summary>
    public static IBackend SameBackend(string op, params Tensor?[] tensors)
    {
        IBackend? b = null;
        foreach (var t in tensors)
        {
            if (t is null) continue;
            if (t.Buffer.IsDisposed) throw new RawConvException($"{op}: input {t.Shape} was disposed");
            if (b is null) b = t.Backend;
            else if (!ReferenceEquals(b, t.Backend))
                throw new RawConvException($"{op}: inputs live on different backends ({b.Name} and {t.Backend.Name})");
        }
        return b ?? throw new RawConvException($"{op}: no input tensor");
    }

    /// <summary>Checks that a tensor is float32 and 4-D (N, C, H, W).</summary>
    public static void Nchw(string op, string name, Tensor t)
    {
        Float(op, name, t);
        if (t.Shape.Rank != 4) throw new RawConvException($"{op}: {name} must be 4-D (N, C, H, W), got {t.Shape} on {t.Backend.Name}");
    }

    /// <summary>Checks that a tensor is float32.</summary>
    public static void Float(string op, string name, Tensor t)
    {
        if (t.DType != DType.Float32) throw new RawConvException($"{op}: {name} must be Float32, got {t.DType} {t.Shape}");
    }

    /// <summary>Checks that two tensors have the same shape.</summary>
    public static void SameShape(string op, string a, Tensor ta, string b, Tensor tb)
    {
        if (ta.Shape != tb.Shape) throw new RawConvException($"{op}: {a} {ta.Shape} and {b} {tb.Shape} must have the same shape (device {ta.Backend.Name})");
    }

    /// <summary>Throws if <paramref name="ok"/> is false, with the op name prefixed.</summary>
    public static void That(bool ok, string op, string message)
    {
        if (!ok) throw new RawConvException($"{op}: {message}");
    }

    /// <summary>When <see cref="CheckNaN"/> is on, throws if the tensor holds NaN or ±Inf.</summary>
    public static void Finite(string op, string name, Tensor? t)
    {
        if (!CheckNaN || t is null || t.DType != DType.Float32) return;
        var a = t.ToArray();
        for (long i = 0; i < a.LongLength; i++)
            if (!float.IsFinite(a[i]))
                throw new RawConvException($"{op}: {name} {t.Shape} holds {a[i]} at flat index {i} (device {t.Backend.Name})");
    }
}
