using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RawConv.Graph;

/// <summary>
/// A sequential network as data: name, the declared input shape of one item (C, H, W) for images, (D) for
/// codes, and layers in order. Weight shapes follow from the declared input; a network runs on any input
/// its layers accept (<see cref="Shapes(Shape, string?)"/>). <see cref="RoleOverrides"/> names layers for
/// roles (logits, lastConv, penultimate, firstPool) where the structural rules of <see cref="Roles"/> should not decide.
/// </summary>
[JsonConverter(typeof(NetSpecJson))]
public sealed record NetSpec(string Name, Shape Input, IReadOnlyList<Layer> Layers)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LayerKinds.Polymorphic } },
    };

    /// <summary>A network taking (C, H, W) images.</summary>
    public NetSpec(string name, int channels, int height, int width, IReadOnlyList<Layer> layers)
        : this(name, new Shape(channels, height, width), layers) { }

    /// <summary>Layers named for roles, overriding the structural rules (role name → layer name).</summary>
    public IReadOnlyDictionary<string, string>? RoleOverrides { get; init; }

    /// <summary>True when the input is an image (C, H, W).</summary>
    public bool TakesImages => Input.Rank == 3;
    /// <summary>Channels of the declared image input.</summary>
    public int InputChannels => ImageDim(0);
    /// <summary>Height of the declared image input.</summary>
    public int InputHeight => ImageDim(1);
    /// <summary>Width of the declared image input.</summary>
    public int InputWidth => ImageDim(2);

    private int ImageDim(int i) => TakesImages ? Input[i]
        : throw new RawConvException($"{Name}: takes {Input} inputs, not (C, H, W) images");

    /// <summary>Input shape for a batch of <paramref name="n"/>: (n, declared item shape).</summary>
    public Shape InputShape(int n = 1) => new([n, .. Input.Dims]);

    /// <summary>The named layer roles (logits, last convolution, penultimate fully connected, …).</summary>
    public LayerRoles Roles => new(this);

    /// <summary>The layer called <paramref name="name"/>; throws listing the names when absent.</summary>
    public Layer this[string name] => Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new RawConvException($"{Name}: no layer '{name}'; layers are {string.Join(", ", Layers.Select(l => l.Name))}");

    /// <summary>Position of layer <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        _ = this[name];
        return Layers.ToList().FindIndex(l => l.Name == name);
    }

    /// <summary>Input shape of every layer and the output shape of the last, for batch <paramref name="n"/> of the declared input.</summary>
    public Shape[] Shapes(int n = 1) => Shapes(InputShape(n));

    /// <summary>
    /// Input shape of every layer up to <paramref name="until"/> (default: all) and that layer's output shape, for
    /// <paramref name="input"/> (N, …) of any size the layers accept; throws naming the first layer that cannot take
    /// its input. Layers with weights must see the input their weights were declared for.
    /// </summary>
    public Shape[] Shapes(Shape input, string? until = null)
    {
        if (input.Rank != Input.Rank + 1 || (Input.Rank > 0 && input[1] != Input[0]))
            throw new RawConvException($"{Name}: input {input} does not fit the network's input (N, {string.Join(", ", Input.Dims)})"
                + (TakesImages ? $": it needs {Input[0]} channels" : ""));
        int last = until is null ? Layers.Count - 1 : IndexOf(until);
        var declared = input == InputShape(input[0]) ? null : Shapes(input[0]);
        var shapes = new Shape[last + 2];
        shapes[0] = input;
        for (int i = 0; i <= last; i++)
        {
            var l = Layers[i];
            if (declared != null && l.WeightShape(declared[i]) is { } w && l.WeightShape(shapes[i]) != w)
                throw new RawConvException($"{Name}: layer '{l.Name}' has weights {w} for input {declared[i]}, but input {input} "
                    + $"gives it {shapes[i]}" + (i > 0 ? $" (that input is valid up to '{Layers[i - 1].Name}')" : ""));
            try
            {
                shapes[i + 1] = l.OutputShape(shapes[i]);
                if (l.WeightShape(shapes[i]) is { Count: > int.MaxValue } big)
                    throw new RawConvException($"weights {big} hold {big.Count:N0} values, more than the {int.MaxValue:N0} a kernel can index");
            }
            catch (Exception e) when (e is RawConvException or ArgumentException or OverflowException)
            {
                throw new RawConvException($"{Name}: layer '{l.Name}' cannot take input {shapes[i]}: {e.Message}", e);
            }
        }
        return shapes;
    }

    /// <summary>Checks names are unique and every shape fits; returns this.</summary>
    public NetSpec Validate()
    {
        if (Layers.Count == 0) throw new RawConvException($"{Name}: no layers");
        if (Input.Rank == 0 || Input.Count == 0) throw new RawConvException($"{Name}: input {Input} is empty");
        foreach (var l in Layers)
        {
            if (l is null || string.IsNullOrWhiteSpace(l.Name)) throw new RawConvException($"{Name}: a layer has no name");
            try { l.Validate(); }
            catch (RawConvException e) { throw new RawConvException($"{Name}: {e.Message}", e); }
        }
        var dup = Layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new RawConvException($"{Name}: layer name '{dup.Key}' is used twice");
        foreach (var (role, layer) in RoleOverrides ?? new Dictionary<string, string>())
        {
            if (!LayerRoles.Names.Contains(role))
                throw new RawConvException($"{Name}: unknown role '{role}'; roles are {string.Join(", ", LayerRoles.Names)}");
            _ = this[layer];
        }
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
        catch (RawConvException e) when (!e.Message.StartsWith(source))
        {
            throw new RawConvException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>A table of layers, output shapes, parameters and multiply-adds.</summary>
    public string Info()
    {
        var shapes = Shapes();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{Name}: input {InputShape()}");
        int nameWidth = Math.Max(10, Layers.Max(l => l.Name.Length));
        sb.AppendLine($"{"layer".PadRight(nameWidth)} {"op",-34} {"output",-20} {"params",12} {"MACs",14}");
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            long p = (l.WeightShape(shapes[i])?.Count ?? 0) + l.BiasLength;
            sb.AppendLine($"{l.Name.PadRight(nameWidth)} {l.Describe(),-34} {shapes[i + 1],-20} {p,12:N0} {l.MultiplyAdds(shapes[i]),14:N0}");
        }
        sb.AppendLine($"total: {ParameterCount():N0} parameters, {MultiplyAdds():N0} multiply-adds per image");
        return sb.ToString();
    }
}
