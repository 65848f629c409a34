using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawConv.Graph;

/// <summary>A sequential network as data: name, input (C, H, W) and layers in order.</summary>
public sealed record NetSpec(string Name, int InputChannels, int InputHeight, int InputWidth, IReadOnlyList<Layer> Layers)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Input shape for a batch of <paramref name="n"/>.</summary>
    public Shape InputShape(int n = 1) => new(n, InputChannels, InputHeight, InputWidth);

    /// <summary>The layer called <paramref name="name"/>; throws listing the names when absent.</summary>
    public Layer this[string name] => Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new RawConvException($"{Name}: no layer '{name}'; layers are {string.Join(", ", Layers.Select(l => l.Name))}");

    /// <summary>Position of layer <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        _ = this[name];
        return Layers.ToList().FindIndex(l => l.Name == name);
    }

    /// <summary>Input shape of every layer and the output shape of the last, for batch <paramref name="n"/>.</summary>
    public Shape[] Shapes(int n = 1)
    {
        var shapes = new Shape[Layers.Count + 1];
        shapes[0] = InputShape(n);
        for (int i = 0; i < Layers.Count; i++)
        {
            try { shapes[i + 1] = Layers[i].OutputShape(shapes[i]); }
            catch (RawConvException e) { throw new RawConvException($"{Name}: layer '{Layers[i].Name}' cannot take input {shapes[i]}: {e.Message}", e); }
        }
        return shapes;
    }

    /// <summary>Checks names are unique and every shape fits; returns this.</summary>
    public NetSpec Validate()
    {
        var dup = Layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new RawConvException($"{Name}: layer name '{dup.Key}' is used twice");
        if (Layers.Count == 0) throw new RawConvException($"{Name}: no layers");
        _ = Shapes();
        return this;
    }

    /// <summary>Total number of weights and biases.</summary>
    public long ParameterCount()
    {
        var shapes = Shapes();
        long total = 0;
        for (int i = 0; i < Layers.Count; i++)
            total += (Layers[i].WeightShape(shapes[i])?.Count ?? 0) + Layers[i].BiasLength;
        return total;
    }

    /// <summary>Multiply-adds of one forward pass per image.</summary>
    public long MultiplyAdds()
    {
        var shapes = Shapes();
        return Layers.Select((l, i) => l.MultiplyAdds(shapes[i])).Sum();
    }

    /// <summary>The JSON description.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates a JSON description; errors name the source.</summary>
    public static NetSpec FromJson(string json, string source = "network description")
    {
        try
        {
            return (JsonSerializer.Deserialize<NetSpec>(json, Json) ?? throw new RawConvException($"{source}: empty")).Validate();
        }
        catch (JsonException e)
        {
            throw new RawConvException($"{source}: not a valid network description: {e.Message}", e);
        }
    }

    /// <summary>A table of layers, output shapes, parameters and multiply-adds.</summary>
    public string Info()
    {
        var shapes = Shapes();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{Name}: input {InputShape()}");
        sb.AppendLine($"{"layer",-10} {"op",-34} {"output",-20} {"params",12} {"MACs",14}");
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            long p = (l.WeightShape(shapes[i])?.Count ?? 0) + l.BiasLength;
            sb.AppendLine($"{l.Name,-10} {l.Describe(),-34} {shapes[i + 1],-20} {p,12:N0} {l.MultiplyAdds(shapes[i]),14:N0}");
        }
        sb.AppendLine($"total: {ParameterCount():N0} parameters, {MultiplyAdds():N0} multiply-adds per image");
        return sb.ToString();
    }
}
