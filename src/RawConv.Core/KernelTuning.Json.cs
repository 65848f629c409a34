using System.Reflection;
using System.Text.Json;

namespace RawConv;

/// <summary>
/// The tuning file: one JSON object keyed by device name (<see cref="DeviceInfo.Name"/>), each value an
/// object of camelCase fields of <see cref="KernelTuning"/> (<c>gemmTileM</c>, <c>gemmLocalX</c>,
/// <c>gemmKSlice</c>, <c>gemvMaxBatch</c>, <c>convColumnBudget</c>, <c>lrnPixels</c>, <c>poolRowBlock</c>,
/// <c>planeGroupWidth</c>, <c>planeGroupArea</c>, <c>planeGroupSize</c>, ...); a field left out keeps the
/// device class default, a device not in the file gets the defaults. Example:
/// <c>{"NVIDIA H100 80GB HBM3": {"gemmTileM": 4, "gemmKSlice": 1024}}</c>.
/// </summary>
public sealed partial record KernelTuning
{
    private static readonly Dictionary<string, PropertyInfo> Fields = typeof(KernelTuning)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.DeclaringType == typeof(KernelTuning))
        .ToDictionary(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);

    /// <summary>The camelCase field names a tuning file may hold.</summary>
    public static IEnumerable<string> FieldNames => Fields.Keys.Order();

    /// <summary>
    /// Reads the entry for <paramref name="deviceName"/> from the tuning file at <paramref name="path"/> over the
    /// defaults of <paramref name="cls"/>; a malformed file or field throws a one-line <see cref="RawConvException"/>
    /// naming the file and the field.
    /// </summary>
    public static KernelTuning Load(string path, string deviceName, DeviceClass cls)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RawConvException($"tuning file {path}: cannot be read ({e.Message.ReplaceLineEndings(" ")})");
        }
        return Parse(text, path, deviceName, cls);
    }

    /// <summary>As <see cref="Load"/> on JSON text; <paramref name="source"/> names it in errors.</summary>
    public static KernelTuning Parse(string json, string source, string deviceName, DeviceClass cls)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new RawConvException($"tuning file {source}: not valid JSON (line {e.LineNumber + 1}): {e.Message.ReplaceLineEndings(" ")}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new RawConvException($"tuning file {source}: must be an object keyed by device name, got {doc.RootElement.ValueKind}");
            var tuning = For(cls);
            if (!doc.RootElement.TryGetProperty(deviceName, out var entry)) return tuning;
            string where = $"tuning file {source}, device \"{deviceName}\"";
            if (entry.ValueKind != JsonValueKind.Object)
                throw new RawConvException($"{where}: must be an object of fields, got {entry.ValueKind}");
            tuning = tuning with { };
            foreach (var field in entry.EnumerateObject())
            {
                if (!Fields.TryGetValue(field.Name, out var prop))
                    throw new RawConvException($"{where}: unknown field {field.Name}; expected one of {string.Join(", ", FieldNames)}");
                prop.SetValue(tuning, Number(where, field, prop.PropertyType));
            }
            return tuning.Validated(where);
        }
    }

    /// <summary>
    /// Writes this tuning as the entry for <paramref name="deviceName"/> into the tuning file at
    /// <paramref name="path"/> (created if missing), keeping the other devices' entries; every field is written.
    /// </summary>
    public void Save(string path, string deviceName)
    {
        var root = new System.Text.Json.Nodes.JsonObject();
        if (File.Exists(path))
        {
            Load(path, deviceName, DeviceClass.Cpu); // refuses to overwrite a malformed file
            root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        }
        var entry = new System.Text.Json.Nodes.JsonObject();
        foreach (var name in FieldNames)
            entry[name] = System.Text.Json.Nodes.JsonValue.Create(Convert.ToInt64(Fields[name].GetValue(this)));
        root[deviceName] = entry;
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static object Number(string where, JsonProperty field, Type type)
    {
        var v = field.Value;
        if (type == typeof(int) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        if (type == typeof(long) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l)) return l;
        throw new RawConvException($"{where}: field {field.Name} must be an integer, got {v.GetRawText()}");
    }
}
