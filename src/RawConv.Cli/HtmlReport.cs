using System.Net;
using System.Text;

namespace RawConv.Cli;

/// <summary>A static HTML page of sections, pictures and tables; every picture is a file beside index.html.</summary>
internal sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Starts a section with a heading and an optional explanatory paragraph.</summary>
    public HtmlReport Section(string heading, string? text = null)
    {
        body.Append($"<h2>{E(heading)}</h2>\n");
        if (text != null) body.Append($"<p>{E(text)}</p>\n");
        return this;
    }

    /// <summary>A paragraph of plain text.</summary>
    public HtmlReport Text(string text)
    {
        body.Append($"<p>{E(text)}</p>\n");
        return this;
    }

    /// <summary>A preformatted block (commands, tables of numbers).</summary>
    public HtmlReport Code(string text)
    {
        body.Append($"<pre>{E(text)}</pre>\n");
        return this;
    }

    /// <summary>A picture (path relative to index.html) with a caption; <paramref name="width"/> in CSS pixels, 0 = natural.</summary>
    public HtmlReport Figure(string relativePath, string caption, int width = 0)
    {
        string w = width > 0 ? $" width=\"{width}\"" : "";
        body.Append($"<figure><a href=\"{E(relativePath)}\"><img src=\"{E(relativePath)}\"{w} style=\"image-rendering:pixelated\" alt=\"{E(caption)}\"></a><figcaption>{E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>A row of figures side by side.</summary>
    public HtmlReport Figures(IEnumerable<(string Path, string Caption)> figures, int width = 0)
    {
        body.Append("<div class=\"row\">\n");
        foreach (var (p, c) in figures) Figure(p, c, width);
        body.Append("</div>\n");
        return this;
    }

    /// <summary>A table; cells are text.</summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        body.Append("<table>\n<tr>");
        foreach (var h in headers) body.Append($"<th>{E(h)}</th>");
        body.Append("</tr>\n");
        foreach (var r in rows)
        {
            body.Append("<tr>");
            foreach (var c in r) body.Append($"<td>{E(c)}</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>The whole page, for index.html.</summary>
    public string ToHtml()
    {
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body { font-family: sans-serif; margin: 2em; max-width: 1200px; }
            figure { display: inline-block; margin: 0.4em; vertical-align: top; text-align: center; }
            figcaption { font-size: 0.8em; max-width: 320px; }
            table { border-collapse: collapse; font-size: 0.85em; }
            td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
            pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
            .row { display: flex; flex-wrap: wrap; align-items: flex-start; }
            </style></head>
            <body><h1>{{E(title)}}</h1>
            {{body}}
            </body></html>
            """;
    }
}
