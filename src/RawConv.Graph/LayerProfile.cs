using System.Diagnostics;
using System.Text;

namespace RawConv.Graph;

/// <summary>
/// Per-layer wall time of <see cref="Net.Forward"/> and <c>Net.Backward</c>: set
/// <see cref="Net.Profile"/> and every layer is followed by a device synchronize, so each layer's
/// time includes its kernels (and the synchronizes slow the run a little). Not thread-safe.
/// </summary>
public sealed class LayerProfile
{
    private readonly Dictionary<(string Layer, bool Forward), (double Ms, int Calls)> times = new();
    private readonly List<string> order = [];
    private readonly Stopwatch clock = new();

    internal void Start(IBackend backend)
    {
        backend.Synchronize();
        clock.Restart();
    }

    internal void Record(string layer, bool forward, IBackend backend)
    {
        backend.Synchronize();
        double ms = clock.Elapsed.TotalMilliseconds;
        times.TryGetValue((layer, forward), out var t);
        times[(layer, forward)] = (t.Ms + ms, t.Calls + 1);
        if (!order.Contains(layer)) order.Add(layer);
        clock.Restart();
    }

    /// <summary>Total milliseconds and calls of <paramref name="layer"/>'s forward or backward.</summary>
    public (double Ms, int Calls) this[string layer, bool forward] => times.GetValueOrDefault((layer, forward));

    /// <summary>A table: layer, forward ms, backward ms, share of the total, in network order.</summary>
    public string Table()
    {
        double total = times.Values.Sum(t => t.Ms);
        var sb = new StringBuilder($"{"layer",-10} {"fwd ms",10} {"bwd ms",10} {"share",7}\n");
        foreach (var l in order)
        {
            var f = this[l, true]; var b = this[l, false];
            sb.AppendLine($"{l,-10} {f.Ms,10:F1} {b.Ms,10:F1} {(f.Ms + b.Ms) / Math.Max(total, 1e-9),7:P1}");
        }
        sb.Append($"{"total",-10} {times.Where(t => t.Key.Forward).Sum(t => t.Value.Ms),10:F1} {times.Where(t => !t.Key.Forward).Sum(t => t.Value.Ms),10:F1}");
        return sb.ToString();
    }
}
