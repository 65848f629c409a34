using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>--display names (Captum's visualize_image_attr methods) in strip order.</summary>
    internal static readonly string[] DisplayModes = ["original_image", "heat_map", "blended_heat_map", "masked_image", "alpha_scaling"];

    public static Command Saliency() => new SaliencyVerb().Command;

    internal static SaliencyMethod ParseMethod(string text) => text.ToLowerInvariant() switch
    {
        "gradient" => SaliencyMethod.Gradient,
        "deconvnet" => SaliencyMethod.Deconvnet,
        "guided" => SaliencyMethod.Guided,
        "smoothgrad" => SaliencyMethod.SmoothGrad,
        _ => throw new RawConvException($"saliency: unknown --method '{text}'; use gradient, deconvnet, guided or smoothgrad"),
    };

    internal static ReluRule ParseBase(string text) => text.ToLowerInvariant() switch
    {
        "gradient" => ReluRule.Standard,
        "deconvnet" => ReluRule.Deconvnet,
        "guided" => ReluRule.Guided,
        _ => throw new RawConvException($"saliency: unknown --base '{text}'; use gradient, deconvnet or guided"),
    };

    internal static OverlaySign ParseSign(string text) => text.ToLowerInvariant() switch
    {
        "absolute_value" => OverlaySign.AbsoluteValue,
        "positive" => OverlaySign.Positive,
        "negative" => OverlaySign.Negative,
        "all" => OverlaySign.All,
        _ => throw new RawConvException($"saliency: unknown --sign '{text}'; use absolute_value, positive, negative or all"),
    };

    internal static OverlayMethod OverlayOf(string display) => display switch
    {
        "heat_map" => OverlayMethod.HeatMap,
        "masked_image" => OverlayMethod.MaskedImage,
        "alpha_scaling" => OverlayMethod.AlphaScaling,
        _ => OverlayMethod.BlendedHeatMap,
    };

    /// <summary>Nearest-neighbour upscaling that keeps every channel (for an RGBA alpha_scaling picture on its own).</summary>
    internal static Image Upscale(Image img, int k)
    {
        if (k == 1) return img;
        var o = new Image(img.Width * k, img.Height * k, img.Channels, img.BitDepth);
        for (int y = 0; y < o.Height; y++)
            for (int x = 0; x < o.Width; x++)
                for (int c = 0; c < img.Channels; c++)
                    o.Data[(y * o.Width + x) * img.Channels + c] = img.Data[(y / k * img.Width + x / k) * img.Channels + c];
        return o;
    }
}
