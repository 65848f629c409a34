using System.Globalization;
using RawConv.Algorithms.Optimize;

namespace RawConv.Cli;

/// <summary>`--max-memory SIZE` and the estimate line the input-optimizing verbs print before they run (texture; reusable by style).</summary>
internal static class MemoryLimit
{
    /// <summary>A fresh `--max-memory SIZE` option (one per command, as System.CommandLine wants).</summary>
    public static System.CommandLine.Option<string?> NewOption() =>
        new("--max-memory") { Description = "refuse a run whose estimated peak device memory exceeds SIZE (bytes, or 512M, 2G)" };

    /// <summary>Bytes from "123456", "512K", "512M", "2G", "1.5G", "1T" (binary units; an optional trailing B or iB).</summary>
    public static long Parse(string text, string option = "--max-memory")
    {
        string t = text.Trim().ToUpperInvariant();
        if (t.EndsWith("IB", StringComparison.Ordinal)) t = t[..^2];
        else if (t.EndsWith('B')) t = t[..^1];
        int shift = t.Length > 0 ? t[^1] switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 } : 0;
        if (shift > 0) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) || !(v * Math.Pow(2, shift) >= 1) || v * Math.Pow(2, shift) > 1L << 50)
            throw new RawConvException($"{option}: '{text}' is not a size — give bytes or a number with K, M, G or T, e.g. 512M or 2G");
        return (long)(v * Math.Pow(2, shift));
    }

    /// <summary>"1.5 GiB"-style text of a byte count.</summary>
    public static string Text(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>The estimate line written on stderr before a run.</summary>
    public static string Describe(string verb, RunEstimate e) =>
        $"{verb}: estimated peak device memory {Text(e.DeviceBytes)}" + (e.HostBytes > 0 ? $" (+ {Text(e.HostBytes)} host memory for L-BFGS)" : "")
        + $", time ≈ {e.Seconds:G3} s ({e.MultiplyAdds / 1e9:G3} G multiply-adds at an assumed {e.MultiplyAddsPerSecond / 1e9:G3} G/s — a rough estimate)";

    /// <summary>
    /// Writes <see cref="Describe"/> on stderr when it is a terminal, beside the progress bar; a redirected stderr carries
    /// nothing but a failure's one line, and --json and the sidecar hold the estimate's numbers.
    /// </summary>
    public static void Announce(string verb, RunEstimate e)
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine(Describe(verb, e));
    }

    /// <summary>Throws when <paramref name="e"/> needs more device memory than <paramref name="limit"/>, naming both, the size and what to do.</summary>
    public static void Check(RunEstimate e, long? limit, string what, string remedy)
    {
        if (limit is { } l && e.DeviceBytes > l)
            throw new RawConvException($"--max-memory: {what} needs an estimated {Text(e.DeviceBytes)} ({e.DeviceBytes} bytes) of device memory, over the limit of {Text(l)} ({l} bytes) — {remedy}");
    }
}
