// Quick GFLOP/s timing of conv2d (forward, backward-data, backward-filter) and GEMM at the Caffe
// AlexNet shapes on one backend. Usage: dotnet run -c Release --project tools/ConvTiming -- [opencl] [batch ...] [reps]
using System.Diagnostics;
using RawConv;
using RawConv.Ops;


string device = args.Length > 0 ? args[0] : "opencl";
var batches = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [16, 1];
int reps = args.Length > 2 ? int.Parse(args[2]) : 3;
string only = args.Length > 3 ? args[3] : "";
// KSLICE=n: the GEMM's reduction slice, through the tuning of the backend this tool opens.
KernelTuning? tuning = null;
if (Environment.GetEnvironmentVariable("KSLICE") is { } ks)
{
    using var probe = Devices.Open(device);
    tuning = ((IKernelBackend)probe).Tuning with { GemmKSlice = int.Parse(ks) };
}
using var b = Devices.Open(device, tuning: tuning);
Console.WriteLine($"device {b.Name}: {b.Info.Name}");

var layers = new (string Name, int C, int H, int K, int R, Conv2dParams P)[]
{
    ("conv1", 3, 227, 96, 11, new Conv2dParams(4, 4)),
    ("conv2", 96, 27, 256, 5, new Conv2dParams(PadH: 2, PadW: 2, Groups: 2)),
    ("conv3", 256, 13, 384, 3, new Conv2dParams(PadH: 1, PadW: 1)),
    ("conv4", 384, 13, 384, 3, new Conv2dParams(PadH: 1, PadW: 1, Groups: 2)),
    ("conv5", 384, 13, 256, 3, new Conv2dParams(PadH: 1, PadW: 1, Groups: 2)),
};
// LAYERS=mini: the shipped mini-AlexNet (weights/default.h5, conv1 stride 1 on 1×40×40).
if (Environment.GetEnvironmentVariable("LAYERS") == "mini")
    layers =
    [
        ("conv1", 1, 40, 32, 5, new Conv2dParams(PadH: 2, PadW: 2)),
        ("conv2", 32, 20, 64, 5, new Conv2dParams(PadH: 2, PadW: 2, Groups: 2)),
        ("conv3", 64, 10, 96, 3, new Conv2dParams(PadH: 1, PadW: 1)),
        ("conv4", 96, 10, 96, 3, new Conv2dParams(PadH: 1, PadW: 1, Groups: 2)),
        ("conv5", 96, 10, 64, 3, new Conv2dParams(PadH: 1, PadW: 1, Groups: 2)),
    ];

// Best of `reps` wall-clock times. The machine is shared, so with CPUTIME=1 it reports the best
// process CPU time divided by the OpenCL device's compute units instead (what the run would take on
// otherwise idle cores).
bool cpuTime = Environment.GetEnvironmentVariable("CPUTIME") == "1";
var proc = System.Diagnostics.Process.GetCurrentProcess();
double Time(Func<Tensor> f)
{
    f().Dispose(); // warm-up: kernel compilation, workspace
    b.Synchronize();
    var best = double.MaxValue;
    for (int i = 0; i < reps; i++)
    {
        proc.Refresh();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        using var t = f();
        b.Synchronize();
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds / Math.Max(1, b.Info.ComputeUnits);
        best = Math.Min(best, cpuTime ? cpu : wall);
    }
    return best;
}

var rnd = new Random(1);
Tensor Rnd(Shape s) => Tensor.FromArray(b, s, Enumerable.Range(0, (int)s.Count).Select(_ => rnd.NextSingle() - 0.5f).ToArray());

foreach (int n in batches)
{
    Console.WriteLine($"batch {n}: layer | fwd ms GF/s | bwd-data ms GF/s | bwd-filter ms GF/s");
    double totF = 0, totD = 0, totW = 0;
    foreach (var (name, c, hw, k, rs, p) in layers)
    {
        if (only != "" && !only.Contains(name)) continue;
        var xs = new Shape(n, c, hw, hw);
        var ws = new Shape(k, c / p.Groups, rs, rs);
        using var x = Rnd(xs);
        using var w = Rnd(ws);
        using var bias = Rnd(new Shape(k));
        var ys = Conv2d.OutputShape(xs, ws, p);
        using var dy = Rnd(ys);
        double flops = 2.0 * n * k * ys[2] * ys[3] * (c / p.Groups) * rs * rs;
        double tf = Time(() => Conv2d.Forward(x, w, bias, p));
        double td = Time(() => Conv2d.BackwardData(dy, w, xs, p));
        double tw = Time(() => Conv2d.BackwardFilter(x, dy, ws, p));
        totF += tf; totD += td; totW += tw;
        Console.WriteLine($"  {name} | {tf * 1e3,8:F1} {flops / tf / 1e9,6:F1} | {td * 1e3,8:F1} {flops / td / 1e9,6:F1} | {tw * 1e3,8:F1} {flops / tw / 1e9,6:F1}");
    }
    Console.WriteLine($"  total ms: fwd {totF * 1e3:F1}, bwd-data {totD * 1e3:F1}, bwd-filter {totW * 1e3:F1}");
}

if (only == "" || only.Contains("gemm"))
    foreach (int sz in new[] { 1024, 2048 })
    {
        using var a = Rnd(new Shape(sz, sz));
        using var bb = Rnd(new Shape(sz, sz));
        double t = Time(() => Gemm.Forward(a, bb, null));
        Console.WriteLine($"gemm {sz}^3: {t * 1e3:F1} ms {2.0 * sz * sz * sz / t / 1e9:F1} GF/s");
    }

if (only.Contains("gshapes"))
    foreach (var (m, nn, kk) in new[] { (128, 11664, 1200), (384, 2704, 2304), (96, 48400, 363), (1200, 11664, 128), (128, 1200, 11664) })
    {
        using var a = Rnd(new Shape(m, kk));
        using var bb = Rnd(new Shape(kk, nn));
        double t = Time(() => Gemm.Forward(a, bb, null));
        Console.WriteLine($"gemm {m}x{nn}x{kk}: {t * 1e3:F1} ms {2.0 * m * nn * kk / t / 1e9:F1} GF/s");
    }

if (only.Contains("parts"))
    foreach (var (name, c, hw, k, rs, p) in layers)
    {
        int n = batches[0];
        var xs = new Shape(n, c, hw, hw);
        var ws = new Shape(k, c / p.Groups, rs, rs);
        var ys = Conv2d.OutputShape(xs, ws, p);
        using var x = Rnd(xs);
        var kb = (IKernelBackend)b;
        int q = c * rs * rs;
        long cols = (long)n * ys[2] * ys[3];
        // kernels/conv2d.cl im2col with column stride qStride and row stride jStride (the layout Conv2d uses, then transposed).
        Tensor Im2col(int qStride, int jStride)
        {
            var col = Tensor.Zeros(b, new Shape(q, (int)cols));
            kb.Launch("conv2d", "im2col", LaunchGeometry.Grid2(q, n, 16, 1), [col, x, 0, n, c, hw, hw, rs, rs, ys[2], ys[3],
                p.StrideH, p.StrideW, p.PadH, p.PadW, p.DilationH, p.DilationW, qStride, jStride]);
            return col;
        }
        double ti = Time(() => Im2col((int)cols, 1));
        double tt = Time(() => Im2col(1, q));
        double tz = Time(() => Tensor.Zeros(b, new Shape(q, (int)cols)));
        int g = p.Groups, kg = k / g, qg = q / g;
        using var a = Rnd(new Shape(kg, qg));
        using var bb = Rnd(new Shape(qg, (int)cols));
        double tg = Time(() => Gemm.Forward(a, bb, null));
        Console.WriteLine($"{name}: im2col {ti * 1e3:F1} ms, transposed {tt * 1e3:F1} ms (alloc {tz * 1e3:F1}), gemm per group {kg}x{cols}x{qg} {tg * 1e3:F1} ms {2.0 * kg * cols * qg / tg / 1e9:F1} GF/s");
    }

if (only == "" || only.Contains("fc"))
    foreach (int n in batches)
        foreach (var (name, inF, outF) in new[] { ("fc6", 9216, 4096), ("fc7", 4096, 4096), ("fc8", 4096, 1000) })
        {
            using var x = Rnd(new Shape(n, inF));
            using var w = Rnd(new Shape(outF, inF));
            using var dy = Rnd(new Shape(n, outF));
            double fl = 2.0 * n * inF * outF;
            double tf = Time(() => Linear.Forward(x, w, null));
            double td = Time(() => Linear.BackwardData(dy, w, x.Shape));
            double tw = Time(() => Linear.BackwardWeight(x, dy));
            Console.WriteLine($"{name} batch {n}: fwd {tf * 1e3:F1} ms {fl / tf / 1e9:F1} GF/s | bwd-data {td * 1e3:F1} ms {fl / td / 1e9:F1} | bwd-weight {tw * 1e3:F1} ms {fl / tw / 1e9:F1}");
        }

// "elem": the non-convolution layers of the shipped mini-AlexNet at batch `batches[0]` (relu1, norm1, pool1 on
// (n, 32, 40, 40); pool2 on (n, 64, 20, 20)), and relu_forward's launch with several local sizes.
if (only.Contains("elem"))
{
    int n = batches[0];
    using var a1 = Rnd(new Shape(n, 32, 40, 40));
    using var a2 = Rnd(new Shape(n, 64, 20, 20));
    var pool = new Pool2dParams(3, 3, 2, 2, CeilMode: true);
    var lrn = new LrnParams();
    double Ms(Func<Tensor> f) => Time(f) * 1e3;
    Console.WriteLine($"relu1 fwd {Ms(() => Relu.Forward(a1)):F2} ms, bwd {Ms(() => Relu.Backward(a1, a1)):F2}");
    using var l1 = Lrn.Forward(a1, lrn);
    Console.WriteLine($"norm1 fwd {Ms(() => Lrn.Forward(a1, lrn)):F2} ms, bwd {Ms(() => Lrn.Backward(a1, l1, a1, lrn)):F2}");
    var (p1, i1) = MaxPool2d.Forward(a1, pool);
    Console.WriteLine($"pool1 fwd {Ms(() => { var (y, i) = MaxPool2d.Forward(a1, pool); i.Dispose(); return y; }):F2} ms, bwd {Ms(() => MaxPool2d.Backward(p1, i1, a1.Shape, pool)):F2}");
    var (p2, i2) = MaxPool2d.Forward(a2, pool);
    Console.WriteLine($"pool2 fwd {Ms(() => { var (y, i) = MaxPool2d.Forward(a2, pool); i.Dispose(); return y; }):F2} ms, bwd {Ms(() => MaxPool2d.Backward(p2, i2, a2.Shape, pool)):F2}");
    var kb = (IKernelBackend)b;
    int count = (int)a1.Count;
    foreach (int local in new[] { 64, 256, 1024, 4096 })
        Console.WriteLine($"relu_forward local {local}: {Ms(() => { var y = Tensor.Uninitialized(b, a1.Shape); kb.Launch("relu", "relu_forward", LaunchGeometry.Linear(count, local), [y, a1, count, 0f]); return y; }):F2} ms");
}
