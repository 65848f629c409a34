using System.Globalization;
using System.Text;

namespace RawConv.Graph.Import.Caffe;

/// <summary>The kind of a scalar in protobuf text format.</summary>
public enum PtxKind
{
    /// <summary>A bare word: an enum value (MAX, CONVOLUTION) or true/false.</summary>
    Identifier,
    /// <summary>A quoted string (escapes decoded).</summary>
    String,
    /// <summary>A number, kept as written.</summary>
    Number,
}

/// <summary>A scalar field value with where it was written, for messages.</summary>
public sealed record PtxScalar(PtxKind Kind, string Text, int Line);

/// <summary>
/// A message in protobuf text format as a generic tree: fields in file order, each a scalar or a
/// nested message; repeated fields simply appear more than once. Typed getters convert on demand and
/// throw naming the file, the line and the field.
/// </summary>
public sealed class PtxMessage
{
    private readonly List<(string Name, object Value)> fields = new();

    internal PtxMessage(string source, int line) { Source = source; Line = line; }

    /// <summary>The file, for messages.</summary>
    public string Source { get; }
    /// <summary>Line where the message opens (1 for the top level).</summary>
    public int Line { get; }
    /// <summary>Every field in file order; values are <see cref="PtxScalar"/> or <see cref="PtxMessage"/>.</summary>
    public IReadOnlyList<(string Name, object Value)> Fields => fields;

    internal void Add(string name, object value) => fields.Add((name, value));

    /// <summary>True when field <paramref name="name"/> occurs.</summary>
    public bool Has(string name) => fields.Any(f => f.Name == name);

    /// <summary>All scalar values of a repeated field.</summary>
    public IReadOnlyList<PtxScalar> Scalars(string name) => fields.Where(f => f.Name == name)
        .Select(f => f.Value as PtxScalar ?? throw Error(name, "is a message, expected a value", (f.Value as PtxMessage)!.Line)).ToList();

    /// <summary>All nested messages of a repeated field.</summary>
    public IReadOnlyList<PtxMessage> Messages(string name) => fields.Where(f => f.Name == name)
        .Select(f => f.Value as PtxMessage ?? throw Error(name, "is a value, expected a message", ((PtxScalar)f.Value).Line)).ToList();

    /// <summary>The nested message <paramref name="name"/>, or null; throws when it occurs twice.</summary>
    public PtxMessage? Message(string name)
    {
        var all = Messages(name);
        if (all.Count > 1) throw Error(name, "occurs more than once", all[1].Line);
        return all.Count == 1 ? all[0] : null;
    }

    /// <summary>The single scalar <paramref name="name"/>, or null (the last one wins, as in protobuf).</summary>
    public PtxScalar? Scalar(string name) => Scalars(name) is { Count: > 0 } s ? s[^1] : null;

    /// <summary>A string (quoted) or identifier field.</summary>
    public string? String(string name) => Scalar(name)?.Text;

    /// <summary>An integer field, or <paramref name="fallback"/>.</summary>
    public long Int(string name, long fallback) => Scalar(name) is { } s ? ToInt(name, s) : fallback;

    /// <summary>All values of a repeated integer field.</summary>
    public long[] Ints(string name) => Scalars(name).Select(s => ToInt(name, s)).ToArray();

    /// <summary>A float field, or <paramref name="fallback"/>.</summary>
    public float Float(string name, float fallback)
    {
        if (Scalar(name) is not { } s) return fallback;
        var t = s.Text.ToLowerInvariant().TrimEnd('f');
        if (s.Kind == PtxKind.Identifier && t is "inf" or "infinity" or "nan") t = t == "nan" ? "NaN" : "Infinity";
        if ((s.Kind == PtxKind.Number || t is "NaN" or "Infinity") && float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        throw Error(name, $"'{s.Text}' is not a number", s.Line);
    }

    /// <summary>A bool field (true/false/1/0), or <paramref name="fallback"/>.</summary>
    public bool Bool(string name, bool fallback) => Scalar(name) switch
    {
        null => fallback,
        { Text: "true" or "True" or "t" or "1" } => true,
        { Text: "false" or "False" or "f" or "0" } => false,
        var s => throw Error(name, $"'{s.Text}' is not a bool", s.Line),
    };

    /// <summary>An exception naming the file, the line and the field.</summary>
    public RawConvException Error(string name, string what, int line) => new($"{Source}:{line}: field '{name}' {what}");

    private long ToInt(string name, PtxScalar s)
    {
        var t = s.Text;
        bool neg = t.StartsWith('-');
        var body = neg ? t[1..] : t;
        long v = 0;
        bool ok = s.Kind == PtxKind.Number && (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v) && v >= 0
            : long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out v));
        if (!ok) throw Error(name, $"'{t}' is not an integer", s.Line);
        return neg ? -v : v;
    }
}

/// <summary>A parser for protobuf text format (Caffe's .prototxt): messages in braces or angle brackets, <c>name: value</c>, quoted strings with C escapes, numbers, enum words, list values <c>[a, b]</c> and <c>#</c> comments.</summary>
public static class Prototxt
{
    private const int MaxDepth = 64;

    /// <summary>Parses the file at <paramref name="path"/>.</summary>
    public static PtxMessage Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static PtxMessage Parse(string text, string source)
    {
        var p = new Parser(text, source);
        var root = new PtxMessage(source, 1);
        p.Body(root, null, 0);
        return root;
    }

    private sealed class Parser(string s, string source)
    {
        private int pos, line = 1;

        public void Body(PtxMessage msg, char? close, int depth)
        {
            if (depth > MaxDepth) throw Error($"messages nested deeper than {MaxDepth}");
            while (true)
            {
                SkipSpace();
                if (pos >= s.Length)
                {
                    if (close is null) return;
                    throw Error($"end of file inside the message opened on line {msg.Line} (missing '{close}')");
                }
                char c = s[pos];
                if (close is not null && c == close) { pos++; return; }
                if (c is ';' or ',') { pos++; continue; }
                string name = Word() ?? throw Error($"expected a field name, found '{Show(c)}'");
                SkipSpace();
                bool colon = Peek(':');
                if (colon) { pos++; SkipSpace(); }
                if (Peek('{') || Peek('<'))
                {
                    char end = s[pos] == '{' ? '}' : '>';
                    var sub = new PtxMessage(source, line);
                    pos++;
                    Body(sub, end, depth + 1);
                    msg.Add(name, sub);
                }
                else if (!colon) throw Error($"expected ':' or '{{' after '{name}'");
                else if (Peek('['))
                {
                    pos++;
                    while (true)
                    {
                        SkipSpace();
                        if (Peek(']')) { pos++; break; }
                        msg.Add(name, Value());
                        SkipSpace();
                        if (Peek(',')) pos++;
                        else if (!Peek(']')) throw Error($"expected ',' or ']' in the list of '{name}'");
                    }
                }
                else msg.Add(name, Value());
            }
        }

        private PtxScalar Value()
        {
            if (pos >= s.Length) throw Error("expected a value, found the end of the file");
            char c = s[pos];
            if (c is '"' or '\'')
            {
                var sb = new StringBuilder();
                // Adjacent string literals concatenate, as in protobuf.
                while (pos < s.Length && s[pos] is '"' or '\'')
                {
                    sb.Append(Quoted(s[pos]));
                    SkipSpace();
                }
                return new PtxScalar(PtxKind.String, sb.ToString(), line);
            }
            if (c is '-' or '+' or '.' || char.IsAsciiDigit(c))
            {
                int start = pos++;
                while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] is '.' || s[pos] is '+' or '-' && s[pos - 1] is 'e' or 'E')) pos++;
                var text = s[start..pos].TrimStart('+');
                if (text is "-" or "" || text.StartsWith('-') && text.Length > 1 && char.IsAsciiLetter(text[1]))
                    return new PtxScalar(PtxKind.Identifier, text, line);
                return new PtxScalar(PtxKind.Number, text, line);
            }
            var w = Word() ?? throw Error($"expected a value, found '{Show(c)}'");
            return new PtxScalar(PtxKind.Identifier, w, line);
        }

        private string Quoted(char q)
        {
            int startLine = line;
            pos++;
            var bytes = new List<byte>();
            while (true)
            {
                if (pos >= s.Length || s[pos] == '\n') throw Error($"unterminated string starting on line {startLine}");
                char c = s[pos++];
                if (c == q) break;
                if (c != '\\') { bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString())); continue; }
                if (pos >= s.Length) throw Error("unterminated escape");
                char e = s[pos++];
                switch (e)
                {
                    case 'n': bytes.Add((byte)'\n'); break;
                    case 't': bytes.Add((byte)'\t'); break;
                    case 'r': bytes.Add((byte)'\r'); break;
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'v': bytes.Add(11); break;
                    case '\\' or '\'' or '"' or '?': bytes.Add((byte)e); break;
                    case 'x' or 'X':
                    {
                        int v = 0, n = 0;
                        while (n < 2 && pos < s.Length && char.IsAsciiHexDigit(s[pos])) { v = v * 16 + Convert.ToInt32(s[pos++].ToString(), 16); n++; }
                        if (n == 0) throw Error("\\x escape without hex digits");
                        bytes.Add((byte)v);
                        break;
                    }
                    case >= '0' and <= '7':
                    {
                        int v = e - '0', n = 1;
                        while (n < 3 && pos < s.Length && s[pos] is >= '0' and <= '7') { v = v * 8 + (s[pos++] - '0'); n++; }
                        bytes.Add((byte)(v & 0xFF));
                        break;
                    }
                    default: throw Error($"unknown escape '\\{Show(e)}'");
                }
            }
            return Encoding.UTF8.GetString(bytes.ToArray());
        }

        private string? Word()
        {
            if (pos >= s.Length || !(char.IsAsciiLetter(s[pos]) || s[pos] == '_')) return null;
            int start = pos;
            while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] is '_' or '.')) pos++;
            return s[start..pos];
        }

        private bool Peek(char c) => pos < s.Length && s[pos] == c;

        private void SkipSpace()
        {
            while (pos < s.Length)
            {
                char c = s[pos];
                if (c == '\n') { line++; pos++; }
                else if (char.IsWhiteSpace(c)) pos++;
                else if (c == '#') { while (pos < s.Length && s[pos] != '\n') pos++; }
                else break;
            }
        }

        private static string Show(char c) => char.IsControl(c) || c > '~' ? $"\\u{(int)c:x4}" : c.ToString();

        private RawConvException Error(string what) => new($"{source}:{line}: {what}");
    }
}
