using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// One named layer of a sequential network. A layer kind is one class (in Layers/) carrying everything
/// the graph needs of it: its JSON name (<see cref="LayerKindAttribute"/>), its shape and parameter rules,
/// its forward and backward passes, and its receptive-field rule. <see cref="Net"/> is a loop over these.
/// </summary>
public abstract record Layer(string Name)
{
    /// <summary>The kind's name in the JSON form ("conv", "relu", …).</summary>
    [JsonIgnore] public string Kind => LayerKinds.NameOf(GetType());

    /// <summary>Output shape for input shape <paramref name="x"/>; throws naming the layer when they do not fit.</summary>
    public abstract Shape OutputShape(Shape x);

    /// <summary>Weight shape for input <paramref name="x"/>, or null for layers without parameters.</summary>
    public virtual Shape? WeightShape(Shape x) => null;

    /// <summary>Bias length, or 0 for none.</summary>
    public virtual int BiasLength => 0;

    /// <summary>Multiply-adds for one forward pass at input shape <paramref name="x"/>.</summary>
    public virtual long MultiplyAdds(Shape x) => 0;

    /// <summary>Short human description ("conv 96×3×11×11 /4").</summary>
    public abstract string Describe();

    /// <summary>The layer's output for input <paramref name="x"/>; state its backward needs (switches, masks) goes to the pass.</summary>
    public abstract Tensor Forward(ForwardContext context, Tensor x);

    /// <summary>
    /// The gradient with respect to the layer's input from <paramref name="dy"/> (the gradient with respect to its
    /// output), or null when <see cref="BackwardContext.InputGradient"/> is false; parameter gradients go to the context.
    /// </summary>
    public abstract Tensor? Backward(BackwardContext context, Tensor dy);

    /// <summary>Checks the layer's own settings (sizes positive, probabilities in range, numbers finite); throws naming the layer.</summary>
    public virtual void Validate() { }

    /// <summary>Throws naming the layer and its kind unless <paramref name="ok"/>.</summary>
    protected void Require(bool ok, string what)
    {
        if (!ok) throw new RawConvException($"layer '{Name}' ({Kind}): {what}");
    }

    /// <summary>How the layer maps receptive fields; kinds without a rule throw, naming the layer.</summary>
    public virtual FieldRule Field() =>
        throw new RawConvException($"layer '{Name}' ({Kind}) has no receptive-field rule");
}

/// <summary>Names a layer kind in the JSON form (the "type" field).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LayerKindAttribute(string name) : Attribute
{
    /// <summary>The "type" value.</summary>
    public string Name { get; } = name;
}

/// <summary>How a layer maps the receptive field of its input units to its output units.</summary>
public abstract record FieldRule
{
    /// <summary>Each output unit sees the input unit at the same place (ReLU, LRN, dropout, softmax).</summary>
    public static readonly FieldRule Identity = new IdentityRule();
    /// <summary>Each output unit sees the whole input (fully connected, flatten).</summary>
    public static readonly FieldRule Global = new GlobalRule();

    /// <summary>A sliding window (convolution, pooling).</summary>
    public sealed record Window(int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW,
        int DilationH = 1, int DilationW = 1) : FieldRule;

    private sealed record IdentityRule : FieldRule;
    private sealed record GlobalRule : FieldRule;
}

/// <summary>What a layer's forward pass may use besides its input.</summary>
public sealed class ForwardContext
{
    internal ForwardContext(ForwardPass pass, LayerParams? parameters, int index, bool training, ulong seed)
    {
        Pass = pass;
        Parameters = parameters;
        Index = index;
        Training = training;
        Seed = seed;
    }

    /// <summary>The pass being built (switches and masks are recorded here).</summary>
    public ForwardPass Pass { get; }
    /// <summary>The layer's weight and bias (null for layers without parameters).</summary>
    public LayerParams? Parameters { get; }
    /// <summary>The layer's position in the network.</summary>
    public int Index { get; }
    /// <summary>True in training (dropout draws masks).</summary>
    public bool Training { get; }
    /// <summary>The pass's random seed (dropout masks derive from it and <see cref="Index"/>).</summary>
    public ulong Seed { get; }

    /// <summary>The layer's parameters; throws naming the layer when it has none.</summary>
    public LayerParams Params(Layer layer) =>
        Parameters ?? throw new RawConvException($"layer '{layer.Name}' has no parameters on this network");
}

/// <summary>What a layer's backward pass may use besides the output gradient.</summary>
public sealed class BackwardContext
{
    internal BackwardContext(ForwardPass pass, LayerParams? parameters, Tensor input, Func<Tensor> output, ReluRule rule,
        bool parameterGradients, bool inputGradient)
    {
        Pass = pass;
        Parameters = parameters;
        Input = input;
        outputOf = output;
        Rule = rule;
        WantsParameterGradients = parameterGradients;
        InputGradient = inputGradient;
    }

    private readonly Func<Tensor> outputOf;

    /// <summary>The forward pass (switches, masks).</summary>
    public ForwardPass Pass { get; }
    /// <summary>The layer's weight and bias (null for layers without parameters).</summary>
    public LayerParams? Parameters { get; }
    /// <summary>The layer's input in the forward pass.</summary>
    public Tensor Input { get; }
    /// <summary>The layer's output in the forward pass (LRN and softmax backward need it).</summary>
    public Tensor Output => outputOf();
    /// <summary>How ReLU-like layers pass gradients back.</summary>
    public ReluRule Rule { get; }
    /// <summary>Whether weight and bias gradients are wanted.</summary>
    public bool WantsParameterGradients { get; }
    /// <summary>Whether the gradient with respect to the input is wanted (false at the bottom of a training sweep).</summary>
    public bool InputGradient { get; }
    /// <summary>The weight and bias gradients the layer computed, when wanted.</summary>
    public LayerParams? ParameterGradients { get; set; }

    /// <summary>The layer's parameters; throws naming the layer when it has none.</summary>
    public LayerParams Params(Layer layer) =>
        Parameters ?? throw new RawConvException($"layer '{layer.Name}' has no parameters on this network");
}

/// <summary>The layer kinds of this assembly by JSON name, found from <see cref="LayerKindAttribute"/>.</summary>
public static class LayerKinds
{
    private static readonly Dictionary<Type, string> Names = typeof(Layer).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract)
        .ToDictionary(t => t, t => t.GetCustomAttribute<LayerKindAttribute>()?.Name
            ?? throw new InvalidOperationException($"layer class {t.Name} has no [LayerKind] attribute"));

    /// <summary>Every kind's JSON name.</summary>
    public static IReadOnlyCollection<string> All => Names.Values;

    /// <summary>The JSON name of layer class <paramref name="t"/>.</summary>
    public static string NameOf(Type t) => Names.TryGetValue(t, out var n) ? n : t.Name;

    /// <summary>A resolver modifier that makes <see cref="Layer"/> polymorphic over every kind, discriminated by "type".</summary>
    internal static void Polymorphic(JsonTypeInfo info)
    {
        if (info.Type != typeof(Layer)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "type" };
        foreach (var (t, n) in Names) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(t, n));
    }
}
