using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RawConv.Cli;

/// <summary>
/// The one JSON serializer of the command line (sidecars, --json): camelCase, indented, and never a NaN or an
/// infinity, which JSON cannot hold. A non-finite number is written as <c>null</c> with a sibling field
/// <c>NAMENote</c> saying what it was (e.g. <c>"loss": null, "lossNote": "non-finite (NaN)"</c>); in an array the
/// element is null and the array's note counts them (<c>"valuesNote": "2 non-finite values (NaN) written as null"</c>).
/// </summary>
internal static class SafeJson
{
    /// <summary>Marks a non-finite number on its way from the serializer to <see cref="Annotate"/>; no real string starts with U+0000.</summary>
    private const string Marker = "\u0000non-finite:";

    /// <summary>The options every writer uses.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new DoubleConverter(), new FloatConverter() },
    };

    /// <summary><paramref name="payload"/> as a JSON tree, non-finite numbers replaced as the class describes.</summary>
    public static JsonNode? ToNode(object? payload)
    {
        var node = JsonSerializer.SerializeToNode(payload, Options);
        return node is null ? null : Annotate(node, null, null);
    }

    /// <summary><paramref name="payload"/> as indented JSON text, non-finite numbers replaced as the class describes.</summary>
    public static string Serialize(object? payload) => ToNode(payload)?.ToJsonString(Options) ?? "null";

    /// <summary>What <paramref name="v"/> is: "NaN", "+Inf" or "−Inf".</summary>
    private static string Kind(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";

    /// <summary>Replaces marked values under <paramref name="node"/>; returns the node to keep in its place.</summary>
    private static JsonNode? Annotate(JsonNode? node, JsonObject? parent, string? name)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var replaced = Annotate(obj[key], obj, key);
                    if (!ReferenceEquals(replaced, obj[key])) obj[key] = replaced;
                }
                return obj;
            case JsonArray arr:
                var kinds = new SortedSet<string>();
                int count = 0;
                for (int i = 0; i < arr.Count; i++)
                {
                    if (Marked(arr[i]) is { } kind)
                    {
                        arr[i] = null;
                        kinds.Add(kind);
                        count++;
                    }
                    else if (arr[i] is { } child)
                    {
                        var replaced = Annotate(child, null, null);
                        if (!ReferenceEquals(replaced, child)) arr[i] = replaced;
                    }
                }
                if (count > 0 && parent is not null && name is not null)
                    parent[name + "Note"] = $"{count} non-finite value{(count == 1 ? "" : "s")} ({string.Join(", ", kinds)}) written as null";
                return arr;
            default:
                if (Marked(node) is not { } k) return node;
                if (parent is not null && name is not null) parent[name + "Note"] = $"non-finite ({k})";
                return null;
        }
    }

    private static string? Marked(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out string? s) && s.StartsWith(Marker, StringComparison.Ordinal) ? s[Marker.Length..] : null;

    private sealed class DoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteStringValue(Marker + Kind(value));
        }
    }

    private sealed class FloatConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteStringValue(Marker + Kind(value));
        }
    }
}
