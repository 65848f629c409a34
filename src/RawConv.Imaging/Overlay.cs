namespace RawConv.Imaging;

/// <summary>Display modes of Captum's <c>visualize_image_attr</c>.</summary>
public enum OverlayMethod
{
    /// <summary>"heat_map": the normalized map through a colormap.</summary>
    HeatMap,
    /// <summary>"blended_heat_map": the heat map at alpha over the image's grey version.</summary>
    BlendedHeatMap,
    /// <summary>"masked_image": the image multiplied by the normalized map.</summary>
    MaskedImage,
    /// <summary>"alpha_scaling": the image with the normalized map as its alpha channel (RGBA).</summary>
    AlphaScaling,
}

/// <summary>Which part of a signed map is shown (Captum's "all", "positive", "negative", "absolute_value").</summary>
public enum OverlaySign
{
    /// <summary>Both signs, normalized to [−1, 1].</summary>
    All,
    /// <summary>Positive values only, [0, 1].</summary>
    Positive,
    /// <summary>Magnitude of negative values only, [0, 1].</summary>
    Negative,
    /// <summary>|v|, [0, 1].</summary>
    AbsoluteValue,
}

/// <summary>Overlay options; <see cref="Colormap"/> null picks Captum's default for the sign (RdWhGn, Greens, Reds, Blues).</summary>
public sealed record OverlayOptions
{
    /// <summary>Display mode.</summary>
    public OverlayMethod Method { get; init; } = OverlayMethod.BlendedHeatMap;
    /// <summary>Sign shown.</summary>
    public OverlaySign Sign { get; init; } = OverlaySign.AbsoluteValue;
    /// <summary>Percent of the map's total |mass| treated as outliers (Captum's outlier_perc, default 2).</summary>
    public float OutlierPercent { get; init; } = 2;
    /// <summary>Heat-map opacity for <see cref="OverlayMethod.BlendedHeatMap"/>.</summary>
    public float Alpha { get; init; } = 0.5f;
    /// <summary>Colormap name, or null for the sign's default.</summary>
    public string? Colormap { get; init; }
    /// <summary>A map that is zero wherever the sign is shown is drawn blank (nothing salient) instead of being an error, as Captum's division by 0 would be.</summary>
    public bool ZeroIsBlank { get; init; }
}

/// <summary>
/// Attribution maps over images, as pure functions on an <see cref="Image"/> and an (H, W) float map, following
/// Captum's <c>visualize_image_attr</c> (normalization by a cumulative-sum threshold, default colormaps, its
/// truncating conversions). A map of another size is resized to the image with antialiased bilinear.
/// </summary>
public static class Overlay
{
    /// <summary>Renders <paramref name="map"/> (mapH × mapW) over <paramref name="img"/> in the chosen mode: RGB, or RGBA for alpha scaling.</summary>
    public static Image Render(Image img, float[] map, int mapH, int mapW, OverlayOptions? o = null)
    {
        o ??= new OverlayOptions();
        var rgb = img.Channels == 3 && img.BitDepth == 8 ? img : img.ToRgb8();
        var m = Fit(map, mapH, mapW, rgb.Height, rgb.Width);
        var norm = NormalizeAttribution(m, o.Sign, o.OutlierPercent, o.ZeroIsBlank);
        if (o.Method is OverlayMethod.MaskedImage or OverlayMethod.AlphaScaling && o.Sign == OverlaySign.All)
            throw new RawConvException($"overlay: {o.Method} needs one sign (Positive, Negative or AbsoluteValue), not All");
        int plane = rgb.Width * rgb.Height;
        switch (o.Method)
        {
            case OverlayMethod.HeatMap:
                return HeatMap(norm, rgb.Height, rgb.Width, o);
            case OverlayMethod.BlendedHeatMap:
                return Blend(GreyBase(rgb), HeatMap(norm, rgb.Height, rgb.Width, o), o.Alpha);
            case OverlayMethod.MaskedImage:
                var masked = new Image(rgb.Width, rgb.Height, 3);
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++) masked.Data[p * 3 + c] = Trunc8(rgb.Data[p * 3 + c] * norm[p]);
                return masked;
            default:
                var rgba = new Image(rgb.Width, rgb.Height, 4);
                for (int p = 0; p < plane; p++)
                {
                    for (int c = 0; c < 3; c++) rgba.Data[p * 4 + c] = rgb.Data[p * 3 + c];
                    rgba.Data[p * 4 + 3] = Trunc8(norm[p] * 255f);
                }
                return rgba;
        }
    }

    /// <summary>
    /// Captum's _normalize_attr on one map: keep the sign's part, divide by the cumulative-sum threshold of |part|
    /// at (100 − outlierPercent)%, clip to [−1, 1]. Negative gives magnitudes in [0, 1]. A map that is zero wherever
    /// the sign is shown (Captum would divide by 0) is an error, or normalizes to zeros with <paramref name="zeroIsBlank"/>.
    /// </summary>
    public static float[] NormalizeAttribution(ReadOnlySpan<float> map, OverlaySign sign, float outlierPercent = 2, bool zeroIsBlank = false)
    {
        if (outlierPercent is < 0 or > 100 || float.IsNaN(outlierPercent)) throw new RawConvException($"overlay: outlier percent {outlierPercent} must be in [0, 100]");
        var part = new float[map.Length];
        for (int i = 0; i < part.Length; i++)
            part[i] = sign switch
            {
                OverlaySign.All => map[i],
                OverlaySign.Positive => map[i] > 0 ? map[i] : 0,
                OverlaySign.Negative => map[i] < 0 ? map[i] : 0,
                _ => Math.Abs(map[i]),
            };
        var abs = Array.ConvertAll(part, Math.Abs);
        float t = CumulativeSumThreshold(abs, 100 - outlierPercent);
        if (sign == OverlaySign.Negative) t = -t;
        if (t == 0 && zeroIsBlank) return new float[part.Length];
        if (t == 0) throw new RawConvException("overlay: the map is zero where this sign is shown (cannot normalize by 0)");
        return Array.ConvertAll(part, v => Math.Clamp(v / t, -1f, 1f));
    }

    /// <summary>Captum's _cumulative_sum_threshold: the smallest sorted value whose running sum reaches percentile% of the total.</summary>
    public static float CumulativeSumThreshold(ReadOnlySpan<float> nonNegative, float percentile)
    {
        if (nonNegative.Length == 0) throw new RawConvException("overlay: empty map");
        var s = nonNegative.ToArray();
        Array.Sort(s);
        var cum = new double[s.Length];
        double run = 0;
        for (int i = 0; i < s.Length; i++) cum[i] = run += s[i];
        double target = cum[^1] * 0.01 * percentile;
        for (int i = 0; i < s.Length; i++) if (cum[i] >= target) return s[i];
        return s[^1];
    }

    /// <summary>Sums a planar (C, H, W) map over channels (Captum's reduction over the colour axis).</summary>
    public static float[] SumChannels(float[] chw, int channels, int h, int w)
    {
        if (chw.Length != (long)channels * h * w) throw new RawConvException($"overlay: {chw.Length} values for ({channels}, {h}, {w})");
        var r = new float[h * w];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < r.Length; p++) r[p] += chw[c * r.Length + p];
        return r;
    }

    /// <summary>Alpha-composites <paramref name="over"/> on <paramref name="under"/> (same size, RGB): α·over + (1 − α)·under, rounded.</summary>
    public static Image Blend(Image under, Image over, float alpha)
    {
        if (under.Width != over.Width || under.Height != over.Height) throw new RawConvException($"overlay: blend of {under} and {over} (sizes differ)");
        if (alpha is < 0 or > 1 || float.IsNaN(alpha)) throw new RawConvException($"overlay: alpha {alpha} must be in [0, 1]");
        var u = under.Channels == 3 && under.BitDepth == 8 ? under : under.ToRgb8();
        var v = over.Channels == 3 && over.BitDepth == 8 ? over : over.ToRgb8();
        var r = new Image(u.Width, u.Height, 3);
        for (int i = 0; i < r.Data.Length; i++) r.Data[i] = Deprocess.To8(alpha * v.Data[i] + (1 - alpha) * u.Data[i]);
        return r;
    }

    /// <summary>Keeps pixels whose |map| is at or above the given percentile of |map| (numpy's), the rest set to <paramref name="background"/>.</summary>
    public static Image MaskByPercentile(Image img, float[] map, int mapH, int mapW, float percentile, (byte R, byte G, byte B) background = default)
    {
        if (percentile is < 0 or > 100 || float.IsNaN(percentile)) throw new RawConvException($"overlay: percentile {percentile} must be in [0, 100]");
        var rgb = img.Channels == 3 && img.BitDepth == 8 ? img : img.ToRgb8();
        var abs = Array.ConvertAll(Fit(map, mapH, mapW, rgb.Height, rgb.Width), Math.Abs);
        double t = Deprocess.Percentile(abs, percentile);
        var r = new Image(rgb.Width, rgb.Height, 3, 8, (ushort[])rgb.Data.Clone());
        for (int p = 0; p < abs.Length; p++)
            if (!(abs[p] >= t)) { r.Data[p * 3] = background.R; r.Data[p * 3 + 1] = background.G; r.Data[p * 3 + 2] = background.B; }
        return r;
    }

    /// <summary>A signed map on its own: positive red, negative blue, 0 white (bwr), scaled by the cumulative-sum threshold of |map|.</summary>
    public static Image Signed(float[] map, int h, int w, float outlierPercent = 2)
    {
        if (map.Length != (long)h * w) throw new RawConvException($"overlay: {map.Length} values for {h}×{w}");
        return Colormap.Get("bwr").Apply(NormalizeAttribution(map, OverlaySign.All, outlierPercent), h, w, -1f, 1f);
    }

    private static Image HeatMap(float[] norm, int h, int w, OverlayOptions o)
    {
        string name = o.Colormap ?? o.Sign switch
        {
            OverlaySign.All => "rdwhgn",
            OverlaySign.Positive => "greens",
            OverlaySign.Negative => "reds",
            _ => "blues",
        };
        return Colormap.Get(name).Apply(norm, h, w, o.Sign == OverlaySign.All ? -1f : 0f, 1f);
    }

    /// <summary>The image's channel mean shown as imshow(cmap="gray") does: stretched from its min to its max.</summary>
    private static Image GreyBase(Image rgb)
    {
        int plane = rgb.Width * rgb.Height;
        var mean = new float[plane];
        for (int p = 0; p < plane; p++) mean[p] = (rgb.Data[p * 3] + rgb.Data[p * 3 + 1] + rgb.Data[p * 3 + 2]) / 3f;
        return Colormap.Get("grey").Apply(mean, rgb.Height, rgb.Width, mean.Min(), mean.Max());
    }

    private static float[] Fit(float[] map, int h, int w, int outH, int outW)
    {
        if (h <= 0 || w <= 0 || map.Length != (long)h * w) throw new RawConvException($"overlay: {map.Length} values for a {h}×{w} map");
        return h == outH && w == outW ? map : Resize.Bilinear(map, 1, h, w, outH, outW);
    }

    private static ushort Trunc8(float v) => (ushort)(float.IsNaN(v) ? 0 : Math.Clamp((int)v, 0, 255));
}
