using System.Text.RegularExpressions;
using RawConv.OpenCL;
using RawConv.Ops;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Ops;

/// <summary>The kernel variants a tuning can name are exactly the ones the kernel files stamp out.</summary>
public class KernelVariantSourceTests
{
    private static SortedSet<string> Entries(string program, string pattern) =>
        new(Regex.Matches(KernelSource.Load(program + ".cl"), @"__kernel\s+void\s+(\w+)").Select(m => m.Groups[1].Value)
            .Where(n => Regex.IsMatch(n, "^" + pattern + "$")));

    private static SortedSet<string> Names(IEnumerable<string> names) => new(names);

    [Fact]
    public void TuningVariantsAreTheStampedKernels()
    {
        Assert.Equal(Names(KernelTuning.GemmTileMVariants.SelectMany(m => KernelTuning.GemmTileNVariants.Select(n => $"gemm_nn_{m}x{n}"))),
            Entries("gemm", @"gemm_nn_\w+"));
        foreach (var pass in new[] { "forward", "backward" })
            Assert.Equal(Names(KernelTuning.LrnPixelsVariants.Select(v => $"lrn_{pass}_{v}")), Entries("lrn", $@"lrn_{pass}_\w+"));
        foreach (var (program, kernel) in new[] { ("maxpool2d", "maxpool2d_forward"), ("maxpool2d", "maxpool2d_backward"), ("maxpool2d", "pool2d_check_switches") })
            Assert.Equal(Names(KernelTuning.PoolRowBlockVariants.Select(v => v == 1 ? kernel : $"{kernel}_v{v}")), Entries(program, kernel + @"(_v\d+)?"));
    }

    [Fact]
    public void GroupSizesAreTheKernelsLocalMemorySizes()
    {
        static int Define(string file, string macro)
        {
            var m = Regex.Match(KernelSource.Load(file), $@"#define\s+{macro}\s+(\d+)");
            Assert.True(m.Success, $"{file} defines no {macro}");
            return int.Parse(m.Groups[1].Value);
        }
        Assert.Equal(RawConv.Ops.Reduce.GroupSize, Define("reduce.cl", "RD_LOCAL"));
        Assert.Equal(RawConv.Ops.TopK.GroupSize, Define("topk.cl", "TK_LOCAL"));
        Assert.Equal(RawConv.Ops.Softmax.GroupSize, Define("softmax.h", "SM_LOCAL"));
        Assert.Equal(RawConv.Ops.CrossEntropy.GroupSize, Define("softmax.h", "SM_LOCAL"));
    }
}

/// <summary>
/// Every op that reads the tuning gives the reference's numbers on a backend opened with the CPU defaults, the
/// GPU defaults, and the other GEMM tile with a short reduction slice and small plane groups — so each backend
/// runs every kernel variant, whatever its device class.
/// </summary>
public abstract class KernelTuningOpsTests : BackendTest
{
    public static TheoryData<string> Tunings() => new() { "cpu", "gpu", "tile4" };

    private static KernelTuning Pick(string name) => name switch
    {
        "cpu" => KernelTuning.Cpu,
        "gpu" => KernelTuning.Gpu,
        _ => KernelTuning.Gpu with { GemmTileM = 4, GemmKSlice = 37, GemvMaxBatch = 2, PlaneGroupWidth = 16, PlaneGroupArea = 32, PlaneGroupSize = 64 },
    };

    private static (float[] Got, float[] Want) Both(IBackend b, Func<IBackend, Tensor> f)
    {
        using var got = f(b);
        using var want = f(Ref);
        return (got.ToArray(), want.ToArray());
    }

    private static Tensor T(IBackend b, int seed, params int[] dims) => Rand.Tensor(b, seed, dims);

    [SkippableTheory]
    [MemberData(nameof(Tunings))]
    public void GemmAndLinearMatchTheReference(string tuning)
    {
        using var b = Backends.OpenTuned(BackendName, _ => Pick(tuning));
        var (g, gr) = Both(b, d => Gemm.Forward(T(d, 1, 13, 100), T(d, 2, 100, 45), T(d, 3, 45), alpha: 0.5f, beta: 2f));
        Check.Close(g, gr, Check.ForwardAtol, Check.ForwardRtol, $"gemm, tuning {tuning}");
        foreach (int n in new[] { 2, 5 })
        {
            var (y, yr) = Both(b, d => Linear.Forward(T(d, 4, n, 70), T(d, 5, 9, 70), T(d, 6, 9)));
            Check.Close(y, yr, Check.ForwardAtol, Check.ForwardRtol, $"linear batch {n}, tuning {tuning}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Tunings))]
    public void Conv2dMatchesTheReference(string tuning)
    {
        using var b = Backends.OpenTuned(BackendName, _ => Pick(tuning));
        // C = 6 sits between the two tile heights: backward-data takes the flipped-filter path under tile 4 only.
        var xs = new[] { 2, 6, 9, 11 };
        var ws = new[] { 8, 6, 3, 3 };
        var p = new Conv2dParams(PadH: 1, PadW: 1);
        var (y, yr) = Both(b, d => Conv2d.Forward(T(d, 7, xs), T(d, 8, ws), T(d, 9, 8), p));
        Check.Close(y, yr, Check.ForwardAtol, Check.ForwardRtol, $"conv2d forward, tuning {tuning}");
        var (dx, dxr) = Both(b, d => Conv2d.BackwardData(T(d, 10, 2, 8, 9, 11), T(d, 8, ws), new Shape(xs), p));
        Check.Close(dx, dxr, Check.BackwardAtol, Check.BackwardRtol, $"conv2d backward data, tuning {tuning}");
        var (dw, dwr) = Both(b, d => Conv2d.BackwardFilter(T(d, 7, xs), T(d, 10, 2, 8, 9, 11), new Shape(ws), p));
        Check.Close(dw, dwr, Check.BackwardAtol, Check.BackwardRtol, $"conv2d backward filter, tuning {tuning}");
    }

    [SkippableTheory]
    [MemberData(nameof(Tunings))]
    public void LrnAndMaxPoolMatchTheReference(string tuning)
    {
        using var b = Backends.OpenTuned(BackendName, _ => Pick(tuning));
        foreach (var (c, size) in new[] { (7, 5), (20, 17) })
        {
            var lp = new LrnParams(size);
            var (y, yr) = Both(b, d => Lrn.Forward(T(d, 11, 2, c, 5, 7), lp));
            Check.Close(y, yr, Check.ForwardAtol, Check.ForwardRtol, $"lrn size {size} forward, tuning {tuning}");
            var (dx, dxr) = Both(b, d =>
            {
                using var x = T(d, 11, 2, c, 5, 7);
                using var fy = Lrn.Forward(x, lp);
                return Lrn.Backward(x, fy, T(d, 12, 2, c, 5, 7), lp);
            });
            Check.Close(dx, dxr, Check.BackwardAtol, Check.BackwardRtol, $"lrn size {size} backward, tuning {tuning}");
        }
        var pp = Pool2dParams.Square(3, 2, ceilMode: true);
        var (v, vr) = Both(b, d => { var (pv, pi) = MaxPool2d.Forward(T(d, 13, 2, 3, 14, 20), pp); pi.Dispose(); return pv; });
        Check.Close(v, vr, 0, 0, $"maxpool forward, tuning {tuning}");
        var (g, gr) = Both(b, d =>
        {
            var (pv, pi) = MaxPool2d.Forward(T(d, 13, 2, 3, 14, 20), pp);
            using (pv) using (pi) return MaxPool2d.Backward(T(d, 14, 2, 3, 7, 10), pi, new Shape(2, 3, 14, 20), pp);
        });
        Check.Close(g, gr, 0, 0, $"maxpool backward, tuning {tuning}");
    }
}

public sealed class KernelTuningOpsOpenClTests : KernelTuningOpsTests { protected override string BackendName => "opencl"; }
public sealed class KernelTuningOpsCudaTests : KernelTuningOpsTests { protected override string BackendName => "cuda"; }
