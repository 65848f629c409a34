using RawConv.Graph;

namespace RawConv.Algorithms;

/// <summary>
/// The memory a batch of forward passes needs, checked before anything is allocated: every layer output of the
/// batch (float32) must fit in half the device's memory, and the largest one in a single allocation.
/// </summary>
public static class BatchMemory
{
    /// <summary>Bytes of the layer outputs of one image (the input included), and of the largest of them.</summary>
    public static (long Total, long Largest) PerImage(NetSpec spec)
    {
        var shapes = spec.Shapes(1);
        return (shapes.Sum(s => s.Count) * sizeof(float), shapes.Max(s => s.Count) * sizeof(float));
    }

    /// <summary>The largest batch that passes <see cref="Check(NetSpec, DeviceInfo, int, string)"/> on <paramref name="device"/> (at least 0).</summary>
    public static int MaxBatch(NetSpec spec, DeviceInfo device)
    {
        var (total, largest) = PerImage(spec);
        long byTotal = device.GlobalMemoryBytes / 2 / Math.Max(1, total), byLargest = device.MaxAllocationBytes / Math.Max(1, largest);
        return (int)Math.Min(int.MaxValue, Math.Min(byTotal, byLargest));
    }

    /// <summary>
    /// Throws unless <paramref name="batch"/> images fit through <paramref name="net"/> at once; the message names
    /// <paramref name="setting"/> (e.g. "--batch" or "top-k: batch size"), the bytes needed and the device's limit.
    /// </summary>
    public static void Check(Net net, int batch, string setting) => Check(net.Spec, net.Backend.Info, batch, setting);

    /// <summary>As <see cref="Check(Net, int, string)"/> for <paramref name="spec"/> on the device <paramref name="info"/> describes.</summary>
    public static void Check(NetSpec spec, DeviceInfo info, int batch, string setting)
    {
        if (batch < 1) throw new RawConvException($"{setting}: {batch} — give at least 1");
        var (total, largest) = PerImage(spec);
        double need = (double)total * batch, biggest = (double)largest * batch;
        long limit = info.GlobalMemoryBytes / 2;
        if (need <= limit && biggest <= info.MaxAllocationBytes) return;
        int max = MaxBatch(spec, info);
        string what = need > limit
            ? $"{need:N0} bytes of layer outputs, over the {limit:N0} bytes (half of {info.Name}'s memory) allowed"
            : $"{biggest:N0} bytes for its largest layer output, over {info.Name}'s single-allocation limit of {info.MaxAllocationBytes:N0} bytes";
        throw new RawConvException($"{setting}: {batch} images at once through {spec.Name} need {what} — give at most {max}");
    }
}
