using RawConv.Ops;

namespace RawConv.Graph;

public sealed partial class Net
{
    /// <summary>
    /// Backpropagates <paramref name="seed"/> (shaped like the output of layer <paramref name="from"/>)
    /// down to the input through a forward pass that reached that layer. ReLU layers use
    /// <paramref name="rule"/> (standard gradient, Zeiler–Fergus deconvnet, guided backprop); max
    /// pooling routes through the recorded switches; convolutions use their transposed filters.
    /// With <paramref name="parameterGradients"/>, weight and bias gradients are returned too. Without
    /// <paramref name="inputGradient"/> (training), the first layer's data gradient is not computed and
    /// <see cref="BackwardPass.InputGradient"/> stays null.
    /// </summary>
    public BackwardPass Backward(ForwardPass forward, string from, Tensor seed, ReluRule rule = ReluRule.Standard,
        bool parameterGradients = false, bool inputGradient = true)
    {
        Profile?.Start(Backend);
        int top = Spec.IndexOf(from);
        var y = forward[from];
        if (seed.Shape != y.Shape)
            throw new RawConvException($"{Spec.Name}: seed {seed.Shape} does not match the output of '{from}' {y.Shape}");
        var result = new BackwardPass();
        Tensor grad = seed.Clone();
        for (int i = top; i >= 0; i--)
        {
            var layer = Spec.Layers[i];
            var x = forward.InputOf(i);
            result.Add(layer.Name, grad);
            Tensor dx;
            switch (layer)
            {
                case ConvLayer c:
                    var cp = parameters[c.Name];
                    if (parameterGradients)
                        result.ParameterGradients[c.Name] = new LayerParams(
                            Conv2d.BackwardFilter(x, grad, cp.Weight.Shape, c.Params),
                            cp.Bias != null ? Conv2d.BackwardBias(grad) : null);
                    if (i == 0 && !inputGradient)
                    {
                        Profile?.Record(layer.Name, forward: false, Backend);
                        return result;
                    }
                    dx = Conv2d.BackwardData(grad, cp.Weight, x.Shape, c.Params);
                    break;
                case ReluLayer:
                    dx = Relu.Backward(x, grad, rule);
                    break;
                case LrnLayer n:
                    dx = Lrn.Backward(x, forward[n.Name], grad, n.Params);
                    break;
                case MaxPoolLayer m:
                    dx = MaxPool2d.Backward(grad, forward.Switches[m.Name], x.Shape, m.Params);
                    break;
                case AvgPoolLayer a:
                    dx = AvgPool2d.Backward(grad, x.Shape, a.Params, a.CountIncludePad);
                    break;
                case FcLayer f:
                    var fp = parameters[f.Name];
                    if (parameterGradients)
                        result.ParameterGradients[f.Name] = new LayerParams(
                            Linear.BackwardWeight(x, grad), fp.Bias != null ? Linear.BackwardBias(grad) : null);
                    dx = Linear.BackwardData(grad, fp.Weight, x.Shape);
                    break;
                case DropoutLayer d:
                    dx = forward.Masks.TryGetValue(d.Name, out var mask) ? Dropout.Backward(grad, mask, d.P) : grad.Clone();
                    break;
                case FlattenLayer:
                    dx = grad.CopyAs(x.Shape);
                    break;
                case SoftmaxLayer s:
                    dx = Softmax.Backward(forward[s.Name], grad, 1);
                    break;
                default:
                    throw new RawConvException($"{Spec.Name}: layer '{layer.Name}' of type {layer.GetType().Name} has no backward");
            }
            Profile?.Record(layer.Name, forward: false, Backend);
            grad = dx;
        }
        result.InputGradient = grad;
        return result;
    }
}

/// <summary>The result of <see cref="Net.Backward"/>: the input gradient, each layer's output gradient, parameter gradients.</summary>
public sealed class BackwardPass : IDisposable
{
    private readonly Dictionary<string, Tensor> grads = new();

    private Tensor? inputGradient;

    /// <summary>Gradient with respect to the network input (not computed when Backward was told inputGradient: false).</summary>
    public Tensor InputGradient
    {
        get => inputGradient ?? throw new RawConvException("the input gradient was not computed (Backward with inputGradient: false)");
        internal set => inputGradient = value;
    }

    /// <summary>Weight and bias gradients by layer (when asked for).</summary>
    public Dictionary<string, LayerParams> ParameterGradients { get; } = new();

    /// <summary>Gradient with respect to the output of layer <paramref name="name"/>.</summary>
    public Tensor this[string name] => grads.TryGetValue(name, out var g) ? g
        : throw new RawConvException($"no gradient for layer '{name}'; this pass covered {string.Join(", ", grads.Keys)}");

    internal void Add(string name, Tensor g) => grads[name] = g;

    public void Dispose()
    {
        foreach (var g in grads.Values) g.Dispose();
        inputGradient?.Dispose();
        foreach (var p in ParameterGradients.Values) p.Dispose();
    }
}
