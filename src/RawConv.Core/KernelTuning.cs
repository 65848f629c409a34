namespace RawConv;

/// <summary>
/// Launch shapes and kernel variants the ops choose on one device: GEMM tile and work-group, reduction slice,
/// convolution column budget, LRN and pooling blocking, plane launches. The defaults depend only on the
/// device class (<see cref="Cpu"/>: the OpenCL-on-PoCL choices; <see cref="Gpu"/>: the CUDA choices); a
/// per-device JSON file (<see cref="Load"/>) overrides any of them. Fields that pick a kernel variant accept
/// only the variants the kernel files stamp out (the *Variants lists, checked against kernels/ by the tests).
/// </summary>
public sealed partial record KernelTuning
{
    /// <summary>Environment variable naming a tuning file that every kernel backend reads when opened.</summary>
    public const string FileVariable = "RAWCONV_TUNING";

    /// <summary>Rows of C one gemm_nn work-item holds (kernel gemm_nn_{GemmTileM}x{GemmTileN} in kernels/gemm.cl).</summary>
    public int GemmTileM { get; init; } = 8;

    /// <summary>Columns of C one gemm_nn work-item holds (two float16 vectors).</summary>
    public int GemmTileN { get; init; } = 32;

    /// <summary>Work-items along dim 0 of a gemm_nn work-group: 1 on CPUs (PoCL would vectorize across them), a warp on GPUs.</summary>
    public int GemmLocalX { get; init; } = 1;

    /// <summary>Longest reduction one gemm_nn launch runs; longer ones accumulate slice by slice so the panels stay in cache.</summary>
    public int GemmKSlice { get; init; } = 512;

    /// <summary>Largest batch a fully connected forward runs as matrix-vector products (gemv_nt, at most 4); 0 always uses the GEMM.</summary>
    public int GemvMaxBatch { get; init; } = 4;

    /// <summary>Largest im2col column buffer (floats) one convolution pass allocates; images run in chunks that fit.</summary>
    public long ConvColumnBudget { get; init; } = 1L << 25;

    /// <summary>Consecutive pixels one LRN work-item owns (kernels lrn_forward_{LrnPixels}, lrn_backward_{LrnPixels}).</summary>
    public int LrnPixels { get; init; } = 16;

    /// <summary>Outputs of a row one max-pooling work-item computes (1: the scalar kernels; 8: the *_v8 kernels for rows of at least 8).</summary>
    public int PoolRowBlock { get; init; } = 8;

    /// <summary>Most work-items of a plane launch (pooling, LRN) along a row.</summary>
    public int PlaneGroupWidth { get; init; } = 64;

    /// <summary>Most work-items of a plane launch's group over rows × columns (rows = this / width, capped at the rows).</summary>
    public int PlaneGroupArea { get; init; } = 128;

    /// <summary>Most work-items of a plane launch's group including the planes it spans.</summary>
    public int PlaneGroupSize { get; init; } = 256;

    /// <summary>gemm_nn tile heights kernels/gemm.cl stamps out.</summary>
    public static IReadOnlyList<int> GemmTileMVariants { get; } = [4, 8];

    /// <summary>gemm_nn tile widths kernels/gemm.cl stamps out.</summary>
    public static IReadOnlyList<int> GemmTileNVariants { get; } = [32];

    /// <summary>Pixel blockings kernels/lrn.cl stamps out.</summary>
    public static IReadOnlyList<int> LrnPixelsVariants { get; } = [1, 16];

    /// <summary>Row blockings of max pooling (1: maxpool2d_*, 8: maxpool2d_*_v8).</summary>
    public static IReadOnlyList<int> PoolRowBlockVariants { get; } = [1, 8];

    /// <summary>CPU defaults (OpenCL on PoCL, the reference backend).</summary>
    public static KernelTuning Cpu { get; } = new();

    /// <summary>GPU defaults: warp-wide GEMM groups, no matrix-vector path, one pixel or output per work-item.</summary>
    public static KernelTuning Gpu { get; } = new() { GemmLocalX = 32, GemvMaxBatch = 0, LrnPixels = 1, PoolRowBlock = 1 };

    /// <summary>The defaults for a device class.</summary>
    public static KernelTuning For(DeviceClass c) => c == DeviceClass.Gpu ? Gpu : Cpu;

    /// <summary>
    /// The tuning a backend opening <paramref name="info"/> uses: <paramref name="explicitTuning"/> when given,
    /// else the entry for this device in the tuning file <paramref name="file"/> (default: the file named by
    /// <see cref="FileVariable"/>), else the class defaults.
    /// </summary>
    public static KernelTuning Resolve(DeviceInfo info, KernelTuning? explicitTuning = null, string? file = null)
    {
        if (explicitTuning is not null) return explicitTuning.Validated($"tuning of {info.Name}");
        file ??= Environment.GetEnvironmentVariable(FileVariable);
        return string.IsNullOrEmpty(file) ? For(info.Class) : Load(file, info.Name, info.Class);
    }

    /// <summary>Throws a <see cref="RawConvException"/> naming <paramref name="where"/> and the field if a value is out of range; returns this.</summary>
    public KernelTuning Validated(string where)
    {
        Variant(where, "gemmTileM", GemmTileM, GemmTileMVariants);
        Variant(where, "gemmTileN", GemmTileN, GemmTileNVariants);
        Variant(where, "lrnPixels", LrnPixels, LrnPixelsVariants);
        Variant(where, "poolRowBlock", PoolRowBlock, PoolRowBlockVariants);
        Range(where, "gemmLocalX", GemmLocalX, 1, 1024);
        Range(where, "gemmKSlice", GemmKSlice, 1, int.MaxValue);
        Range(where, "gemvMaxBatch", GemvMaxBatch, 0, 4);
        Range(where, "convColumnBudget", ConvColumnBudget, 1, int.MaxValue);
        Range(where, "planeGroupWidth", PlaneGroupWidth, 1, 1024);
        Range(where, "planeGroupArea", PlaneGroupArea, PlaneGroupWidth, 1024);
        Range(where, "planeGroupSize", PlaneGroupSize, PlaneGroupArea, 1024);
        return this;
    }

    private static void Variant(string where, string field, int value, IReadOnlyList<int> allowed)
    {
        if (!allowed.Contains(value))
            throw new RawConvException($"{where}: field {field} = {value} is not a kernel variant; expected one of {string.Join(", ", allowed)}");
    }

    private static void Range(string where, string field, long value, long lo, long hi)
    {
        if (value < lo || value > hi)
            throw new RawConvException($"{where}: field {field} = {value} is outside [{lo}, {hi}]");
    }
}
