using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RawConv.Ops;

namespace RawConv.Bench;

/// <summary>A benchmark that knows how much work one invocation does, from its parameters alone.</summary>
public interface IRate
{
    /// <summary>FLOP (for compute-bound ops) or bytes moved (for memory-bound ops) per invocation.</summary>
    double Amount();
    /// <summary>"GFLOP/s" or "GB/s".</summary>
    string Unit { get; }
}

/// <summary>Adds a GFLOP/s or GB/s column computed from the mean time and <see cref="IRate.Amount"/>.</summary>
public sealed class RateColumn : IColumn
{
    public string Id => "Rate";
    public string ColumnName => "Rate";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => false;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GFLOP/s (compute-bound ops) or GB/s (memory-bound ops) at the mean time";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase c)
    {
        var stats = summary[c]?.ResultStatistics;
        if (stats == null || Activator.CreateInstance(c.Descriptor.Type) is not IRate rate) return "-";
        foreach (var p in c.Parameters.Items)
            c.Descriptor.Type.GetProperty(p.Name)?.SetValue(rate, p.Value);
        return $"{rate.Amount() / stats.Mean:F1} {rate.Unit}";
    }
}

/// <summary>Short runs (3 warm-ups, 5 iterations) with the rate column; enough for kernels this size.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        // In-process: no per-case rebuild; the device and its compiled kernels are set up once per case anyway.
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
        AddColumn(new RateColumn());
    }
}

/// <summary>Base of the op benchmarks: opens the device named by RAWCONV_BENCH_DEVICE (default opencl).</summary>
[Config(typeof(BenchConfig))]
public abstract class OpBench : IDisposable
{
    private IBackend? backend;
    protected IBackend B => backend ??= Devices.Open(Environment.GetEnvironmentVariable("RAWCONV_BENCH_DEVICE") ?? "opencl");
    protected readonly List<Tensor> Owned = new();

    /// <summary>A seeded random tensor kept until cleanup.</summary>
    protected Tensor Random(Shape s, float scale = 1f, int seed = 1)
    {
        var r = new Random(seed);
        var a = new float[s.Count];
        for (long i = 0; i < a.LongLength; i++) a[i] = scale * (2 * r.NextSingle() - 1);
        var t = Tensor.FromArray(B, s, a);
        Owned.Add(t);
        return t;
    }

    /// <summary>Runs <paramref name="op"/>, synchronizes, frees its result.</summary>
    protected void Sync(Tensor result)
    {
        B.Synchronize();
        result.Dispose();
    }

    public void Dispose()
    {
        foreach (var t in Owned) t.Dispose();
        Owned.Clear();
        backend?.Dispose();
        GC.SuppressFinalize(this);
    }
}
