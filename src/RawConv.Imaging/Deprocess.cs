namespace RawConv.Imaging;

/// <summary>How <see cref="Deprocess.Normalize(ReadOnlySpan{float}, NormalizeMode, float)"/> maps values to [0, 1].</summary>
public enum NormalizeMode
{
    /// <summary>Low end ↦ 0, high end ↦ 1.</summary>
    MinMax,
    /// <summary>0 ↦ 0.5, ±max|v| ↦ 0 and 1 (for signed maps such as gradients).</summary>
    Symmetric,
}

/// <summary>Tensors back to images: the exact inverse of <see cref="Preprocess"/>, and display normalization of arbitrary maps.</summary>
public static class Deprocess
{
    /// <summary>Undoes std, mean, scale and channel order of a (1, C, H, W) or (C, H, W) tensor, C = 1 or 3; rounds and clamps to 8 bits, RGB.</summary>
    public static Image ToImage(Tensor t, Preprocessing o)
    {
        var s = t.Shape;
        bool ok = s.Rank == 4 && s.N == 1 || s.Rank == 3;
        int c = s.Rank == 4 ? s.C : s[0], h = s[-2], w = s[-1];
        if (!ok || c is not (1 or 3)) throw new RawConvException($"deprocess: tensor {t.Shape} is not (1, C, H, W) or (C, H, W) with C = 1 or 3");
        return ToImage(t.ToArray(), c, h, w, o);
    }

    /// <summary>As <see cref="ToImage(Tensor, Preprocessing)"/> on planar floats (C, H, W).</summary>
    public static Image ToImage(float[] planes, int channels, int h, int w, Preprocessing o)
    {
        if (planes.Length != (long)channels * h * w) throw new RawConvException($"deprocess: {planes.Length} values for ({channels}, {h}, {w})");
        Preprocess.Validate(o, channels);
        var mean = Preprocess.MeanPlanes(o, h, w);
        int plane = h * w;
        var img = new Image(w, h, channels);
        for (int c = 0; c < channels; c++)
        {
            int dst = o.ChannelOrder == ChannelOrder.BGR && channels == 3 ? 2 - c : c;
            bool noStd = o.Std.Length == 0;
            float sd = noStd ? 1f : o.Std.Length == 1 ? o.Std[0] : o.Std[c];
            for (int p = 0; p < plane; p++)
            {
                float y = planes[c * plane + p];
                float v = ((noStd ? y : y * sd) + mean(c, p)) / o.Scale;
                img.Data[p * channels + dst] = To8(v);
            }
        }
        return img;
    }

    /// <summary>
    /// Maps values to [0, 1] for display. <paramref name="clipPercent"/> (0–50) clips outliers: the ends are the
    /// clipPercent and (100 − clipPercent) percentiles (of |v| for <see cref="NormalizeMode.Symmetric"/>), numpy's
    /// linear-interpolation percentile. A constant map gives 0 (MinMax) or 0.5 (Symmetric). NaN stays NaN.
    /// </summary>
    public static float[] Normalize(ReadOnlySpan<float> values, NormalizeMode mode = NormalizeMode.MinMax, float clipPercent = 0)
    {
        if (clipPercent is < 0 or >= 50 || float.IsNaN(clipPercent)) throw new RawConvException($"normalize: clip percent {clipPercent} must be in [0, 50)");
        var r = new float[values.Length];
        if (values.Length == 0) return r;
        if (mode == NormalizeMode.MinMax)
        {
            double lo = Percentile(values, clipPercent), hi = Percentile(values, 100 - clipPercent);
            for (int i = 0; i < r.Length; i++)
                r[i] = hi > lo ? (float)Math.Clamp((values[i] - lo) / (hi - lo), 0, 1) : float.IsNaN(values[i]) ? float.NaN : 0f;
        }
        else
        {
            var abs = new float[values.Length];
            for (int i = 0; i < abs.Length; i++) abs[i] = Math.Abs(values[i]);
            double m = Percentile(abs, 100 - clipPercent);
            for (int i = 0; i < r.Length; i++)
                r[i] = m > 0 ? (float)(0.5 + 0.5 * Math.Clamp(values[i] / m, -1, 1)) : float.IsNaN(values[i]) ? float.NaN : 0.5f;
        }
        return r;
    }

    /// <summary>Normalizes each image of a batch (N, …) on its own; the result lives on the same backend.</summary>
    public static Tensor Normalize(Tensor t, NormalizeMode mode = NormalizeMode.MinMax, float clipPercent = 0)
    {
        var f = t.ToArray();
        int n = t.Shape.Rank == 4 ? t.Shape.N : 1;
        long per = f.Length / n;
        for (int i = 0; i < n; i++) Normalize(f.AsSpan((int)(i * per), (int)per), mode, clipPercent).CopyTo(f, i * per);
        return Tensor.FromArray(t.Backend, t.Shape, f);
    }

    /// <summary>A (1, C, H, W) or (C, H, W) map, C = 1 or 3, normalized over all its values and shown as an 8-bit grey or RGB image.</summary>
    public static Image MapToImage(Tensor t, NormalizeMode mode = NormalizeMode.MinMax, float clipPercent = 0)
    {
        var s = t.Shape;
        int c = s.Rank == 4 && s.N == 1 ? s.C : s.Rank == 3 ? s[0] : s.Rank == 2 ? 1 : -1;
        if (c is not (1 or 3)) throw new RawConvException($"deprocess: map {t.Shape} is not (1, C, H, W), (C, H, W) or (H, W) with C = 1 or 3");
        int h = s[-2], w = s[-1], plane = h * w;
        var f = Normalize(t.ToArray(), mode, clipPercent);
        var img = new Image(w, h, c);
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < plane; p++) img.Data[p * c + ch] = To8(f[ch * plane + p] * 255f);
        return img;
    }

    /// <summary>numpy's default percentile (linear interpolation between order statistics), NaN ignored; q in [0, 100].</summary>
    public static double Percentile(ReadOnlySpan<float> values, double q)
    {
        var s = new List<float>(values.Length);
        foreach (var v in values) if (!float.IsNaN(v)) s.Add(v);
        if (s.Count == 0) return double.NaN;
        s.Sort();
        double pos = q / 100 * (s.Count - 1);
        int i = (int)Math.Floor(pos);
        if (i >= s.Count - 1) return s[^1];
        return s[i] + (pos - i) * ((double)s[i + 1] - s[i]);
    }

    internal static ushort To8(float v) => (ushort)(float.IsNaN(v) ? 0 : Math.Clamp(MathF.Round(v), 0, 255));
}
