using SkiaSharp;

namespace RawConv.Imaging;

/// <summary>The typeface charts are lettered in: the first of a few common sans-serif families installed here.</summary>
internal static class ChartFont
{
    // DejaVu Sans comes with Debian's fonts-dejavu-core; SkiaSharp's own fallback there would be DejaVu Serif.
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    /// <summary>The family name charts use.</summary>
    public static string Family { get; } = Resolve();

    private static string Resolve()
    {
        foreach (var f in Preferred)
        {
            using var tf = SKFontManager.Default.MatchFamily(f);
            if (tf != null) return f;
        }
        return ScottPlot.Fonts.Default;
    }

    /// <summary>The typeface, regular or bold.</summary>
    public static SKTypeface Typeface(bool bold) => SKTypeface.FromFamilyName(Family, bold ? SKFontStyle.Bold : SKFontStyle.Normal);

    /// <summary>The advance width of <paramref name="text"/> in pixels at <paramref name="size"/>.</summary>
    public static double Measure(string text, float size, bool bold)
    {
        using var tf = Typeface(bold);
        using var font = new SKFont(tf, size);
        return font.MeasureText(text);
    }

    /// <summary>The cap height in pixels at <paramref name="size"/>, to centre a line of text vertically.</summary>
    public static double CapHeight(float size, bool bold)
    {
        using var tf = Typeface(bold);
        using var font = new SKFont(tf, size);
        double cap = font.Metrics.CapHeight;
        return cap > 0 ? cap : size * 0.72;
    }
}
