using System.Xml.Linq;

namespace RawConv.Imaging;

/// <summary>Turns ScottPlot's SVG of one chart into a part of a larger document that names its series.</summary>
internal static class ChartSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";

    /// <summary>
    /// Prefixes every id (charts in one document would clash), trims the indentation Skia writes inside
    /// &lt;text&gt;, and marks each series' group with data-series="name".
    /// </summary>
    public static void Tidy(XElement root, string prefix, IReadOnlyList<ChartSeries> series)
    {
        foreach (var e in root.DescendantsAndSelf())
            foreach (var a in e.Attributes())
            {
                if (a.Name == "id") a.Value = prefix + a.Value;
                else if (a.Value.Contains("url(#")) a.Value = a.Value.Replace("url(#", "url(#" + prefix);
                else if (a.Name == XLink + "href" && a.Value.StartsWith('#')) a.Value = "#" + prefix + a.Value[1..];
            }
        foreach (var t in root.Descendants(Svg + "text"))
            if (!t.HasElements) t.Value = t.Value.Trim();
        MarkSeries(root, series);
    }

    /// <summary>
    /// ScottPlot draws each plottable, in order, under its own clip to the data area, which Skia writes as one
    /// clipped &lt;g&gt;; the legend's group is the one with text. A series with nothing to draw (all points not
    /// finite) has no group: it gets an empty one so every series is named.
    /// </summary>
    private static void MarkSeries(XElement root, IReadOnlyList<ChartSeries> series)
    {
        var groups = root.Descendants(Svg + "g").Where(g => g.Attribute("clip-path") != null && !g.Descendants(Svg + "text").Any()).ToList();
        int next = 0;
        XElement? last = null;
        for (int i = 0; i < series.Count; i++)
        {
            var (r, g, b) = Chart.Palette[i % Chart.Palette.Count];
            string hex = $"#{r:X2}{g:X2}{b:X2}";
            // Groups in another colour (the data area's background) are passed over.
            int found = groups.FindIndex(next, g => g.Descendants().Any(e => Is(e, "stroke", hex) || Is(e, "fill", hex)));
            if (found >= 0)
            {
                last = groups[found];
                next = found + 1;
                last.SetAttributeValue("data-series", series[i].Name);
                continue;
            }
            var empty = new XElement(Svg + "g", new XAttribute("data-series", series[i].Name));
            if (last != null) last.AddAfterSelf(empty);
            else if (next < groups.Count) groups[next].AddBeforeSelf(empty);
            else root.Add(empty);
            last = empty;
        }
    }

    private static bool Is(XElement e, string attr, string hex) => string.Equals((string?)e.Attribute(attr), hex, StringComparison.OrdinalIgnoreCase);
}
