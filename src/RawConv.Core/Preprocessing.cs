using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawConv;

/// <summary>Order of the colour channels a network expects.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChannelOrder>))]
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision).</summary>
    RGB,
    /// <summary>Blue, green, red (Caffe).</summary>
    BGR,
}

/// <summary>
/// How an image becomes network input, the one description used by the weights files, the networks and the imaging
/// pipeline: geometry (letterbox onto a <see cref="Height"/>×<see cref="Width"/> canvas, or resize the shorter side to
/// <see cref="ShorterSide"/> and centre-crop <see cref="Height"/>×<see cref="Width"/>; 0 skips a step), channel order,
/// then per channel c: <c>x = (pixel · Scale − Mean[c]) / Std[c]</c> with pixel in 0–255 (one mean or std value
/// serves every channel; an empty array means none).
/// </summary>
public sealed record Preprocessing(ChannelOrder ChannelOrder, float[] Mean, float[] Std, float Scale, int Height, int Width)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Caffe bvlc_alexnet: BGR, 0–255, mean (104, 117, 123), 227×227.</summary>
    public static Preprocessing Caffe { get; } = new(ChannelOrder.BGR, [104f, 117f, 123f], [1f, 1f, 1f], 1f, 227, 227);

    /// <summary>torchvision: RGB scaled to 0–1, ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), 224×224.</summary>
    public static Preprocessing Torchvision { get; } = new(ChannelOrder.RGB, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], 1f / 255f, 224, 224);

    /// <summary>Tensor channels the pipeline makes: 3 (colour, in <see cref="ChannelOrder"/>) or 1 (grey: ITU-R 601 luma of the RGB pixel, as Pillow's "L"). Not stored: it comes from the network (<see cref="For"/>).</summary>
    [JsonIgnore] public int Channels { get; init; } = 3;

    /// <summary>The shorter-side resize when set (0 = none); unset, <see cref="ShorterSide"/> follows the input size. Not stored.</summary>
    [JsonIgnore] public int? ResizeShorter { get; init; }

    /// <summary>A full mean image subtracted after the geometry instead of <see cref="Mean"/>, centre-cropped if larger (Caffe's mean.binaryproto style). Not stored.</summary>
    [JsonIgnore] public MeanImage? MeanImage { get; init; }

    /// <summary>
    /// The shorter side images are resized to before the centre crop: <see cref="ResizeShorter"/> if set; else 0 for
    /// letterboxed inputs, 256 for 227-pixel (Caffe) inputs, and the 256/224 ratio of <see cref="Height"/> otherwise.
    /// </summary>
    [JsonIgnore]
    public int ShorterSide => ResizeShorter ?? (Letterbox > 0 || Height <= 0 ? 0 : Height == 227 ? 256 : (int)Math.Round(Height * 256.0 / 224.0));

    /// <summary>
    /// This preprocessing for a network taking <paramref name="channels"/> input channels: the first mean and std
    /// values, and RGB order for grey.
    /// </summary>
    public Preprocessing For(int channels) => this with
    {
        Channels = channels,
        ChannelOrder = channels == 3 ? ChannelOrder : ChannelOrder.RGB,
        Mean = Mean.Take(channels).ToArray(),
        Std = Std.Take(channels).ToArray(),
    };

    /// <summary>The network input value for 0–255 pixel value <paramref name="pixel"/> of channel <paramref name="channel"/> (in <see cref="ChannelOrder"/>).</summary>
    public float Normalize(float pixel, int channel) => (pixel * Scale - Mean[channel]) / Std[channel];

    /// <summary>Checks lengths and ranges of the stored form (one mean and std per channel, a positive input size); returns this.</summary>
    public Preprocessing Validate()
    {
        if (Mean is null || Std is null || Mean.Length == 0 || Mean.Length != Std.Length)
            throw new RawConvException($"preprocessing: mean and std need one value per channel, got {Mean?.Length ?? 0} and {Std?.Length ?? 0}");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)) || Mean.Any(m => !float.IsFinite(m)))
            throw new RawConvException($"preprocessing: std must be positive and finite, mean finite (mean [{string.Join(", ", Mean)}], std [{string.Join(", ", Std)}])");
        if (!(Scale > 0) || !float.IsFinite(Scale)) throw new RawConvException($"preprocessing: scale {Scale} must be positive");
        if (Height <= 0 || Width <= 0) throw new RawConvException($"preprocessing: input size {Height}×{Width} must be positive");
        if (Letterbox < 0 || Letterbox > Math.Min(Height, Width))
            throw new RawConvException($"preprocessing: letterbox {Letterbox} must lie between 0 and the input size {Height}×{Width}");
        return this;
    }

    /// <summary>
    /// When positive, images are not resized by the shorter side and centre-cropped: they are scaled (aspect kept)
    /// to fit <see cref="Letterbox"/>×<see cref="Letterbox"/> and centred on a black <see cref="Height"/>×<see cref="Width"/>
    /// canvas — how Fashion-MNIST's 28×28 items sit on the default model's 40×40 canvas.
    /// </summary>
    public int Letterbox { get; init; }

    /// <summary>The JSON form stored in weights files.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates the JSON form; errors name <paramref name="source"/>.</summary>
    public static Preprocessing FromJson(string json, string source = "preprocessing")
    {
        try
        {
            return (JsonSerializer.Deserialize<Preprocessing>(json, Json) ?? throw new RawConvException($"{source}: empty")).Validate();
        }
        catch (JsonException e)
        {
            throw new RawConvException($"{source}: not a valid preprocessing description: {e.Message}", e);
        }
        catch (RawConvException e)
        {
            throw new RawConvException($"{source}: {e.Message}", e);
        }
    }

    public bool Equals(Preprocessing? other) => other is not null && ChannelOrder == other.ChannelOrder
        && Mean.AsSpan().SequenceEqual(other.Mean) && Std.AsSpan().SequenceEqual(other.Std)
        && Scale == other.Scale && Height == other.Height && Width == other.Width && Letterbox == other.Letterbox
        && Channels == other.Channels && ResizeShorter == other.ResizeShorter && ReferenceEquals(MeanImage, other.MeanImage);

    public override int GetHashCode() => HashCode.Combine(ChannelOrder, Scale, Height, Width, Mean.Length > 0 ? Mean[0] : 0);
}

/// <summary>A full mean image (C, H, W), planar, in the tensor's channel order (Caffe's mean.binaryproto style).</summary>
public sealed record MeanImage(float[] Data, int Channels, int Height, int Width);
