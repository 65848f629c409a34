namespace RawConv;

/// <summary>A shaped buffer on one backend. Owns its buffer; dispose to free device memory.</summary>
public sealed class Tensor : IDisposable
{
    private Tensor(IBackend backend, Shape shape, DeviceBuffer buffer)
    {
        Backend = backend;
        Shape = shape;
        Buffer = buffer;
    }

    /// <summary>The backend holding the data.</summary>
    public IBackend Backend { get; }
    /// <summary>The shape.</summary>
    public Shape Shape { get; }
    /// <summary>The device memory.</summary>
    public DeviceBuffer Buffer { get; }
    /// <summary>Element type.</summary>
    public DType DType => Buffer.Type;
    /// <summary>Number of elements.</summary>
    public long Count => Shape.Count;

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(IBackend backend, Shape shape, DType type = DType.Float32) =>
        new(backend, shape, backend.Allocate(type, shape.Count));

    /// <summary>
    /// A tensor whose contents are unspecified until written (the backend may skip the zero fill of
    /// <see cref="Zeros"/>): for op outputs whose kernels write every element.
    /// </summary>
    public static Tensor Uninitialized(IBackend backend, Shape shape, DType type = DType.Float32) =>
        new(backend, shape, backend.AllocateUninitialized(type, shape.Count));

    /// <summary>A float tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(IBackend backend, Shape shape, ReadOnlySpan<float> data)
    {
        CheckLength(shape, data.Length);
        var t = Uninitialized(backend, shape);
        backend.Upload(t.Buffer, data);
        return t;
    }

    /// <summary>An int tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromInts(IBackend backend, Shape shape, ReadOnlySpan<int> data)
    {
        CheckLength(shape, data.Length);
        var t = Uninitialized(backend, shape, DType.Int32);
        backend.Upload(t.Buffer, data);
        return t;
    }

    /// <summary>Overwrites the float data with <paramref name="data"/> (one value per element).</summary>
    public void CopyFrom(ReadOnlySpan<float> data)
    {
        if (DType != DType.Float32) throw new RawConvException($"tensor {Shape} holds {DType}, not Float32");
        CheckLength(Shape, data.Length);
        Backend.Upload(Buffer, data);
    }

    /// <summary>Copies the float data to the host.</summary>
    public float[] ToArray()
    {
        if (DType != DType.Float32) throw new RawConvException($"tensor {Shape} holds {DType}, not Float32");
        var a = new float[Count];
        Backend.Download<float>(Buffer, a);
        return a;
    }

    /// <summary>Copies the int data to the host.</summary>
    public int[] ToIntArray()
    {
        if (DType != DType.Int32) throw new RawConvException($"tensor {Shape} holds {DType}, not Int32");
        var a = new int[Count];
        Backend.Download<int>(Buffer, a);
        return a;
    }

    /// <summary>A copy of this tensor on another backend (or the same one).</summary>
    public Tensor To(IBackend backend) => DType == DType.Float32
        ? FromArray(backend, Shape, ToArray())
        : FromInts(backend, Shape, ToIntArray());

    /// <summary>A new tensor holding a copy of this one's data under <paramref name="shape"/> (same element count).</summary>
    public Tensor CopyAs(Shape shape)
    {
        if (shape.Count != Count) throw new RawConvException($"copy: {Shape} has {Count} elements, {shape} has {shape.Count}");
        var t = Uninitialized(Backend, shape, DType);
        Backend.Copy(Buffer, 0, t.Buffer, 0, Count);
        return t;
    }

    /// <summary>A new tensor holding a copy of this one (same shape, same backend).</summary>
    public Tensor Clone() => CopyAs(Shape);

    public void Dispose() => Buffer.Dispose();

    public override string ToString() => $"Tensor{Shape} {DType} on {Backend.Name}";

    private static void CheckLength(Shape shape, int length)
    {
        if (length != shape.Count) throw new RawConvException($"tensor {shape} needs {shape.Count} elements, got {length}");
    }
}
