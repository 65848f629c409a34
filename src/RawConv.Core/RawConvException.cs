namespace RawConv;

/// <summary>A failure inside RawConv: bad shapes, bad parameters, device or build errors.</summary>
public class RawConvException : Exception
{
    public RawConvException(string message) : base(message) { }
    public RawConvException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A device (OpenCL, CUDA) reported an error or could not be opened.</summary>
public sealed class DeviceException : RawConvException
{
    public DeviceException(string message) : base(message) { }
    public DeviceException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A kernel failed to compile or load; the message carries the build log.</summary>
public sealed class KernelBuildException : RawConvException
{
    public KernelBuildException(string message) : base(message) { }
}
