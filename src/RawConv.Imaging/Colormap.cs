namespace RawConv.Imaging;

/// <summary>
/// 256-entry colour lookup tables matching matplotlib 3.6: the listed maps viridis, magma, inferno (data in
/// <see cref="ColormapData"/>), and the segmented maps jet, grey (gray), bwr (diverging blue–white–red), Blues,
/// Greens, Reds and RdWhGn (Captum's red–white–green, <c>from_list(["red", "white", "green"])</c>) built with
/// matplotlib's <c>_create_lookup_table</c>. Colours come out as matplotlib's <c>cmap(norm(v), bytes=True)</c>:
/// <c>(lut·255)</c> truncated; values normalized in float32 as <c>Normalize(lo, hi)</c>; below lo takes the first
/// colour, above hi the last, NaN black.
/// </summary>
public sealed class Colormap
{
    private const int N = 256;
    private static readonly Dictionary<string, Lazy<Colormap>> Maps = new(StringComparer.OrdinalIgnoreCase)
    {
        ["viridis"] = new(() => new("viridis", ColormapData.Viridis)),
        ["magma"] = new(() => new("magma", ColormapData.Magma)),
        ["inferno"] = new(() => new("inferno", ColormapData.Inferno)),
        ["jet"] = new(() => Segmented("jet",
            [[0, 0, 0], [0.35, 0, 0], [0.66, 1, 1], [0.89, 1, 1], [1, 0.5, 0.5]],
            [[0, 0, 0], [0.125, 0, 0], [0.375, 1, 1], [0.64, 1, 1], [0.91, 0, 0], [1, 0, 0]],
            [[0, 0.5, 0.5], [0.11, 1, 1], [0.34, 1, 1], [0.65, 0, 0], [1, 0, 0]])),
        ["grey"] = new(() => Segmented("grey", [[0, 0, 0], [1, 1, 1]], [[0, 0, 0], [1, 1, 1]], [[0, 0, 0], [1, 1, 1]])),
        ["bwr"] = new(() => FromList("bwr", [0, 0, 1, 1, 1, 1, 1, 0, 0])),
        ["blues"] = new(() => FromList("blues", ColormapData.Blues)),
        ["greens"] = new(() => FromList("greens", ColormapData.Greens)),
        ["reds"] = new(() => FromList("reds", ColormapData.Reds)),
        ["rdwhgn"] = new(() => FromList("rdwhgn", [1, 0, 0, 1, 1, 1, 0, 128 / 255.0, 0])),
    };

    private readonly byte[] bytes;

    private Colormap(string name, double[] lut)
    {
        Name = name;
        Lut = lut;
        bytes = new byte[lut.Length];
        for (int i = 0; i < lut.Length; i++) bytes[i] = (byte)(lut[i] * 255);
    }

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>The 256 × (r, g, b) table in [0, 1].</summary>
    public IReadOnlyList<double> Lut { get; }

    /// <summary>Every known name ("gray" is accepted for "grey").</summary>
    public static IReadOnlyList<string> Names => [.. Maps.Keys];

    /// <summary>The map called <paramref name="name"/> (case-insensitive).</summary>
    public static Colormap Get(string name)
    {
        if (name.Equals("gray", StringComparison.OrdinalIgnoreCase)) name = "grey";
        return Maps.TryGetValue(name, out var m) ? m.Value
            : throw new RawConvException($"colormap: unknown name '{name}' (known: {string.Join(", ", Maps.Keys)})");
    }

    /// <summary>Colours an h × w map (row-major) with the named colormap, <paramref name="lo"/> ↦ first colour, <paramref name="hi"/> ↦ last.</summary>
    public static Image Apply(float[] values, int h, int w, string name, float lo, float hi) => Get(name).Apply(values, h, w, lo, hi);

    /// <summary>Colours an h × w map (row-major) into an 8-bit RGB image.</summary>
    public Image Apply(ReadOnlySpan<float> values, int h, int w, float lo, float hi)
    {
        if (h <= 0 || w <= 0 || values.Length != (long)h * w) throw new RawConvException($"colormap: {values.Length} values for {h}×{w}");
        if (!(lo <= hi)) throw new RawConvException($"colormap: lo {lo} must be ≤ hi {hi}");
        var img = new Image(w, h, 3);
        for (int p = 0; p < values.Length; p++)
        {
            int i = Index(values[p], lo, hi);
            if (i < 0) continue;
            for (int c = 0; c < 3; c++) img.Data[p * 3 + c] = bytes[i * 3 + c];
        }
        return img;
    }

    /// <summary>The 8-bit colour of one value (black for NaN).</summary>
    public (byte R, byte G, byte B) Color(float value, float lo, float hi)
    {
        int i = Index(value, lo, hi);
        return i < 0 ? ((byte)0, (byte)0, (byte)0) : (bytes[i * 3], bytes[i * 3 + 1], bytes[i * 3 + 2]);
    }

    /// <summary>Table entry for a value as matplotlib picks it (float32 arithmetic), −1 for NaN.</summary>
    private static int Index(float v, float lo, float hi)
    {
        if (float.IsNaN(v)) return -1;
        float r = lo == hi ? 0f : (v - lo) / (hi - lo);
        float x = r * N;
        return x < 0 ? 0 : x >= N ? N - 1 : (int)x;
    }

    /// <summary>Evenly spaced colours (r, g, b triples), as <c>LinearSegmentedColormap.from_list</c>.</summary>
    private static Colormap FromList(string name, double[] rgb)
    {
        int n = rgb.Length / 3;
        var ch = new double[3][][];
        for (int c = 0; c < 3; c++)
        {
            ch[c] = new double[n][];
            for (int i = 0; i < n; i++)
            {
                double x = n == 1 ? 0 : i * (1.0 / (n - 1));
                if (i == n - 1) x = 1;
                ch[c][i] = [x, rgb[i * 3 + c], rgb[i * 3 + c]];
            }
        }
        return Segmented(name, ch[0], ch[1], ch[2]);
    }

    private static Colormap Segmented(string name, double[][] r, double[][] g, double[][] b)
    {
        var lut = new double[N * 3];
        var chans = new[] { r, g, b };
        for (int c = 0; c < 3; c++)
        {
            var t = Lookup(chans[c]);
            for (int i = 0; i < N; i++) lut[i * 3 + c] = t[i];
        }
        return new Colormap(name, lut);
    }

    /// <summary>matplotlib's _create_lookup_table(N, data) for (x, y0, y1) rows, gamma 1.</summary>
    private static double[] Lookup(double[][] data)
    {
        int m = data.Length;
        var x = data.Select(d => d[0] * (N - 1)).ToArray();
        var lut = new double[N];
        lut[0] = data[0][2];
        lut[N - 1] = data[m - 1][1];
        double step = 1.0 / (N - 1);
        for (int i = 1; i < N - 1; i++)
        {
            double xi = (N - 1) * (i * step);
            int k = 0;
            while (k < m && x[k] < xi) k++; // numpy searchsorted, side='left'
            double dist = (xi - x[k - 1]) / (x[k] - x[k - 1]);
            lut[i] = dist * (data[k][1] - data[k - 1][2]) + data[k - 1][2];
        }
        for (int i = 0; i < N; i++) lut[i] = Math.Clamp(lut[i], 0, 1);
        return lut;
    }
}
