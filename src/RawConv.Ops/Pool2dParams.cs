using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// 2-D pooling window: kernel, stride, symmetric zero/−∞ padding, ceil mode (Caffe) and dilation.
/// Output size is floor((in + 2·pad − ((k − 1)·dilation + 1)) / stride) + 1, or ceil(...) + 1 with
/// <see cref="CeilMode"/>, where in ceil mode the last window must start inside the input or the left
/// padding (PyTorch/ONNX: if (out − 1)·stride ≥ in + pad then out −= 1).
/// </summary>
public sealed record Pool2dParams(int KernelH, int KernelW, int StrideH, int StrideW,
    int PadH = 0, int PadW = 0, bool CeilMode = false, int DilationH = 1, int DilationW = 1)
{
    /// <summary>Square window k×k with stride s and padding p (AlexNet: 3, 2, 0).</summary>
    public static Pool2dParams Square(int k, int s, int p = 0, bool ceilMode = false) => new(k, k, s, s, p, p, ceilMode);

    /// <summary>Output length of one axis, or throws naming <paramref name="op"/>.</summary>
    internal static int OutLength(string op, string axis, int input, int k, int s, int pad, int d, bool ceil)
    {
        int ek = (k - 1) * d + 1;
        if (input + 2 * pad < ek)
            throw new RawConvException($"{op}: window {ek} (kernel {k}, dilation {d}) is larger than the padded input {axis} {input} + 2·{pad}");
        int span = input + 2 * pad - ek;
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= input + pad) o--;
        return o;
    }

    /// <summary>Checks the parameters themselves (positive sizes, non-negative padding; ONNX allows padding past kernel/2, so do we, as long as every window touches the input).</summary>
    internal void Validate(string op)
    {
        Guard.That(KernelH >= 1 && KernelW >= 1, op, $"kernel {KernelH}×{KernelW} must be ≥ 1");
        Guard.That(StrideH >= 1 && StrideW >= 1, op, $"stride {StrideH}×{StrideW} must be ≥ 1");
        Guard.That(DilationH >= 1 && DilationW >= 1, op, $"dilation {DilationH}×{DilationW} must be ≥ 1");
        Guard.That(PadH >= 0 && PadW >= 0, op, $"padding {PadH}×{PadW} must be ≥ 0");
    }

    /// <summary>Output shape (N, C, OH, OW) of a 4-D input, validating everything.</summary>
    internal Shape Output(string op, Shape x)
    {
        Validate(op);
        Guard.That(x.Rank == 4, op, $"input must be 4-D (N, C, H, W), got {x}");
        Guard.That(x.H + PadH + StrideH <= Planes.MaxSide && x.W + PadW + StrideW <= Planes.MaxSide, op,
            $"input {x} with padding {PadH}×{PadW} and stride {StrideH}×{StrideW} exceeds the kernels' side limit {Planes.MaxSide}");
        Guard.That((long)x.H * x.W <= int.MaxValue, op, $"an (n, c) plane of {x} has more elements than int32 switches can index");
        int oh = OutLength(op, "height", x.H, KernelH, StrideH, PadH, DilationH, CeilMode);
        int ow = OutLength(op, "width", x.W, KernelW, StrideW, PadW, DilationW, CeilMode);
        return new Shape(x.N, x.C, oh, ow);
    }

    /// <summary>The int kernel arguments H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW in the order every pool kernel takes them.</summary>
    internal KernelArg[] Args(Shape x, Shape y) =>
        [x.H, x.W, y.H, y.W, KernelH, KernelW, StrideH, StrideW, PadH, PadW, DilationH, DilationW];
}

/// <summary>Validation of pooling switches (Int32 indices into an (n, c) plane) before any kernel trusts them.</summary>
internal static class Switches
{
    /// <summary>
    /// Throws unless <paramref name="idx"/> is Int32 with every value in [0, H·W) of <paramref name="plane"/>
    /// and, when <paramref name="p"/> is given, inside the window of its output position. On a kernel
    /// backend a kernel sets an error flag (one int comes back); only on failure are the indices downloaded
    /// to name the first bad one.
    /// </summary>
    public static void Check(string op, Tensor idx, Shape plane, Pool2dParams? p)
    {
        Guard.That(idx.DType == DType.Int32, op, $"indices must be Int32, got {idx.DType} {idx.Shape}");
        Guard.That(idx.Shape.Rank == 4, op, $"indices must be 4-D (N, C, H, W), got {idx.Shape}");
        var s = idx.Shape;
        if (s.Count == 0) return;
        if (idx.Backend.AsKernel() is { } k)
        {
            using var flag = Tensor.Zeros(k, new Shape(1), DType.Int32);
            var q = p ?? new Pool2dParams(1, 1, 1, 1);
            // With a row block (CPUs) window checks of rows at least that wide run a block at a time.
            if (p is not null && Planes.RowBlock(k, s.W) is int v and > 1)
                Planes.Run(k, "maxpool2d", op, $"pool2d_check_switches_v{v}", (s.W + v - 1) / v, s.H, (long)s.N * s.C, [flag, idx, .. q.Args(plane, s)]);
            else
                Planes.Run(k, "maxpool2d", op, "pool2d_check_switches", s.W, s.H, (long)s.N * s.C, [flag, idx, .. q.Args(plane, s), p is null ? 0 : 1]);
            if (flag.ToIntArray()[0] == 0) return;
        }
        var bad = Pool2dRef.FirstBadSwitch(idx.ToIntArray(), s.H, s.W, plane.H, plane.W, p);
        if (bad is not null) throw new RawConvException($"{op}: indices {s} on {idx.Backend.Name}: {bad}");
        if (idx.Backend.AsKernel() is not null)
            throw new RawConvException($"{op}: the switch check kernel flagged indices {s} that the host check accepts ({idx.Backend.Name})");
    }
}

/// <summary>
/// Launches of the pool kernels: dim 0 along W, dim 1 along H, dim 2 over (n, c) planes, in chunks of at
/// most 65535 planes (CUDA's grid z limit) with the first plane appended as the last argument.
/// </summary>
internal static class Planes
{
    /// <summary>Largest H + pad + stride (and W + ...) the kernels' division-free index math handles exactly.</summary>
    public const int MaxSide = 1 << 20;

    private const int MaxChunk = 65535;

    /// <summary>CUDA's largest block along z.</summary>
    private const int MaxLocalZ = 64;

    /// <summary>The tuning's pooling row block when a row of <paramref name="w"/> is at least that wide, else 1 (the scalar kernels).</summary>
    public static int RowBlock(IKernelBackend k, int w) => w >= k.Tuning.PoolRowBlock ? k.Tuning.PoolRowBlock : 1;

    /// <summary>Runs kernels/<paramref name="program"/>.cl:<paramref name="kernel"/> over nx × ny × planes work-items.</summary>
    public static void Run(IKernelBackend k, string program, string op, string kernel, int nx, int ny, long planes, KernelArg[] args)
    {
        int total = Kernels.Int(op, planes);
        Kernels.Int(op, (long)nx * ny);
        if (total == 0 || nx == 0 || ny == 0) return;
        var t = k.Tuning;
        int lx = Math.Min(t.PlaneGroupWidth, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)nx));
        // Small planes: a work-group spans whole columns (ly = ny, no idle rows) and several planes, a power
        // of two dividing the chunk so dim 2 stays exact; PoCL pays a few microseconds per work-group, which
        // one plane per group (2,048 groups for pool2 of the mini-AlexNet at batch 32) made the larger cost.
        int ly = Math.Min(ny, t.PlaneGroupArea / lx);
        Guard.That(LaunchGeometry.RoundUp(ny, ly) / ly <= MaxChunk, op, $"{ny} rows exceed the launch limit of {MaxChunk} groups of {ly}");
        for (int p0 = 0; p0 < total; p0 += MaxChunk)
        {
            int chunk = Math.Min(MaxChunk, total - p0), lz = 1;
            while (lz < MaxLocalZ && lx * ly * lz * 2 <= t.PlaneGroupSize && chunk % (lz * 2) == 0) lz *= 2;
            k.Run(program, kernel, LaunchGeometry.Grid3(nx, ny, chunk, lx, ly, lz), [.. args, p0]);
        }
    }
}
