namespace RawConv;

/// <summary>Element types a buffer can hold.</summary>
public enum DType
{
    /// <summary>IEEE float32: activations, weights, gradients.</summary>
    Float32,
    /// <summary>int32: pooling switches, labels, indices.</summary>
    Int32,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this DType t) => 4;
}
