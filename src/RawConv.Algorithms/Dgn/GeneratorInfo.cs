using System.Text.Json;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Algorithms.Dgn;

/// <summary>
/// What a trained generator carries beside its weights (the <c>generator</c> attribute of its weights file): the
/// encoder it inverts (file name and SHA-256), the code layer and its length, the encoder's input range per channel that
/// the generator's tanh output is mapped onto, the code's statistics on real images (per-unit mean and standard
/// deviation, and the percentiles DGN-AM clips the code to), the training settings and the measured reconstruction
/// error.
/// </summary>
public sealed record GeneratorInfo(string Encoder, string EncoderSha256, string CodeLayer, int CodeLength, string FeatureLayer,
    float[] Low, float[] High, float[] CodeMean, float[] CodeStd, float CodeP95, float CodeP99, float CodeMax,
    GeneratorTrainOptions Training, double Seconds, double ImagesPerSecond, double ReconstructionError, int ErrorImages)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    /// <summary>The JSON form stored in the weights file.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the JSON form; errors name <paramref name="source"/>.</summary>
    public static GeneratorInfo FromJson(string json, string source)
    {
        GeneratorInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<GeneratorInfo>(json, Json);
        }
        catch (JsonException e)
        {
            throw new RawConvException($"{source}: the generator description is not valid JSON ({e.Message})");
        }
        if (info is null || info.Low is null || info.High is null || info.CodeMean is null || info.CodeStd is null || info.CodeLayer is null)
            throw new RawConvException($"{source}: the generator description lacks fields (low, high, codeMean, codeStd, codeLayer)");
        if (info.Low.Length == 0 || info.Low.Length != info.High.Length || info.CodeMean.Length != info.CodeLength || info.CodeStd.Length != info.CodeLength)
            throw new RawConvException($"{source}: the generator description's ranges or code statistics do not match its code length {info.CodeLength}");
        if (!(info.CodeP99 >= 0) || !float.IsFinite(info.CodeP99) || info.Low.Concat(info.High).Concat(info.CodeMean).Concat(info.CodeStd).Any(v => !float.IsFinite(v)))
            throw new RawConvException($"{source}: the generator description holds non-finite or negative numbers");
        return info;
    }
}

/// <summary>
/// The affine map from the generator's tanh output t ∈ [−1, 1] onto the encoder's input range per channel,
/// x = lo + (hi − lo)·(t + 1)/2, run on the device as a per-channel 1×1 convolution; <see cref="Backward"/> is its adjoint.
/// </summary>
public sealed class PixelMap : IDisposable
{
    private readonly Tensor weight, bias;

    /// <summary>The map onto [<paramref name="low"/>, <paramref name="high"/>] per channel on <paramref name="backend"/>.</summary>
    public PixelMap(IBackend backend, float[] low, float[] high)
    {
        int c = low.Length;
        weight = Tensor.FromArray(backend, new Shape(c, 1, 1, 1), low.Select((l, i) => (high[i] - l) / 2).ToArray());
        bias = Tensor.FromArray(backend, new Shape(c), low.Select((l, i) => (high[i] + l) / 2).ToArray());
        Channels = c;
    }

    /// <summary>The number of channels.</summary>
    public int Channels { get; }

    /// <summary>x from t (N, C, H, W).</summary>
    public Tensor Forward(Tensor t) => Conv2d.Forward(t, weight, bias, new Conv2dParams(Groups: Channels));

    /// <summary>∂/∂t from ∂/∂x.</summary>
    public Tensor Backward(Tensor dx) => Conv2d.BackwardData(dx, weight, dx.Shape, new Conv2dParams(Groups: Channels));

    /// <summary>Releases the map's tensors.</summary>
    public void Dispose()
    {
        weight.Dispose();
        bias.Dispose();
    }

    /// <summary>The map for <paramref name="info"/>.</summary>
    public static PixelMap For(IBackend backend, GeneratorInfo info) => new(backend, info.Low, info.High);

    /// <summary>The range of pixels 0–255 per channel under <paramref name="pre"/> (for <paramref name="channels"/> channels).</summary>
    public static (float[] Low, float[] High) Range(Preprocessing pre, int channels)
    {
        var p = pre.For(channels);
        var lo = new float[channels];
        var hi = new float[channels];
        for (int c = 0; c < channels; c++) (lo[c], hi[c]) = Optimize.InputSteps.PixelRange(p, c);
        return (lo, hi);
    }
}
