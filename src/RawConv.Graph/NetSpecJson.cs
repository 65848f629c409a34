using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawConv.Graph;

/// <summary>
/// The JSON form of <see cref="NetSpec"/>: <c>{"name", "inputChannels", "inputHeight", "inputWidth", "layers"}</c> for
/// image networks (the form every weights file so far holds, so such files stay byte-for-byte the same), and
/// <c>{"name", "input": [dims…], "layers"}</c> for any other input; <c>"roles"</c> only when overrides are set.
/// Both input forms are read.
/// </summary>
internal sealed class NetSpecJson : JsonConverter<NetSpec>
{
    public override NetSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a network description is a JSON object");
        string? name = null;
        int[]? input = null;
        int? c = null, h = null, w = null;
        List<Layer>? layers = null;
        Dictionary<string, string>? roles = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            switch (key)
            {
                case "name": name = reader.GetString(); break;
                case "input": input = JsonSerializer.Deserialize<int[]>(ref reader, options); break;
                case "inputChannels": c = reader.GetInt32(); break;
                case "inputHeight": h = reader.GetInt32(); break;
                case "inputWidth": w = reader.GetInt32(); break;
                case "layers": layers = JsonSerializer.Deserialize<List<Layer>>(ref reader, options); break;
                case "roles": roles = JsonSerializer.Deserialize<Dictionary<string, string>>(ref reader, options); break;
                default: reader.Skip(); break;
            }
        }
        if (name is null) throw new JsonException("no \"name\"");
        if (layers is null || layers.Any(l => l is null)) throw new JsonException($"{name}: no \"layers\" list");
        if (input is null && c is null && h is null && w is null) throw new JsonException($"{name}: no \"input\" shape");
        if (input is not null && (c ?? h ?? w) is not null) throw new JsonException($"{name}: both \"input\" and \"inputChannels/Height/Width\"");
        Shape shape;
        try { shape = input is not null ? new Shape(input) : new Shape(c ?? 0, h ?? 0, w ?? 0); }
        catch (ArgumentException e) { throw new JsonException($"{name}: {e.Message}"); }
        return new NetSpec(name, shape, layers) { RoleOverrides = roles };
    }

    public override void Write(Utf8JsonWriter writer, NetSpec spec, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("name", spec.Name);
        if (spec.TakesImages)
        {
            writer.WriteNumber("inputChannels", spec.Input[0]);
            writer.WriteNumber("inputHeight", spec.Input[1]);
            writer.WriteNumber("inputWidth", spec.Input[2]);
        }
        else
        {
            writer.WritePropertyName("input");
            JsonSerializer.Serialize(writer, spec.Input.Dims, options);
        }
        writer.WritePropertyName("layers");
        JsonSerializer.Serialize(writer, spec.Layers, options);
        if (spec.RoleOverrides is { Count: > 0 } roles)
        {
            writer.WritePropertyName("roles");
            JsonSerializer.Serialize(writer, roles, options);
        }
        writer.WriteEndObject();
    }
}
