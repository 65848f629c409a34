using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>--display names (Captum's visualize_image_attr methods) in strip order.</summary>
    private static readonly string[] DisplayModes = ["original_image", "heat_map", "blended_heat_map", "masked_image", "alpha_scaling"];

    public static Command Saliency()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption();
        var method = new Option<string>("--method") { Description = "gradient | deconvnet | guided | smoothgrad", DefaultValueFactory = _ => "gradient" };
        var cls = new Option<int?>("--class") { Description = "class K at the logits layer (default: each image's top-scoring class)" };
        var unit = new Option<string?>("--unit") { Description = "LAYER:C — the strongest activation of feature map C of LAYER instead of a class" };
        var samples = new Option<int>("--samples") { Description = "smoothgrad: noisy copies per image", DefaultValueFactory = _ => 25 };
        var noise = new Option<float>("--noise") { Description = "smoothgrad: σ as a fraction of the image's value range (max − min)", DefaultValueFactory = _ => 0.15f };
        var seed = new Option<ulong>("--seed") { Description = "smoothgrad: noise seed (the same seed gives the same map)", DefaultValueFactory = _ => 0UL };
        var baseRule = new Option<string>("--base") { Description = "smoothgrad: the map averaged: gradient | deconvnet | guided", DefaultValueFactory = _ => "gradient" };
        var display = new Option<string>("--display")
        {
            Description = "heat_map | blended_heat_map | masked_image | alpha_scaling | original_image | all (a strip of them)",
            DefaultValueFactory = _ => "blended_heat_map",
        };
        var sign = new Option<string>("--sign") { Description = "absolute_value | positive | negative | all", DefaultValueFactory = _ => "absolute_value" };
        var reduce = new Option<string>("--reduce")
        {
            Description = "channels to one map: sum (Captum's signed channel sum) | max-abs (Simonyan's max over channels of |g|)",
            DefaultValueFactory = _ => "sum",
        };
        var output = new Option<string>("--out")
        {
            Description = "x.png: per image (x-N.png for several) the map shown as --display, JSON sidecar; x.npy: the raw NCHW float32 map and x.json",
            Required = true,
        };
        var cmd = new Command("saliency", "Which input pixels a class score or unit depends on: gradient (Simonyan), deconvnet, guided backprop or SmoothGrad, shown as Captum shows them.")
            { model, proto, pre, device, image, input, method, cls, unit, samples, noise, seed, baseRule, display, sign, reduce, output, json };
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            var target = SaliencyTarget.Parse(p.GetValue(cls), p.GetValue(unit));
            var opts = new SaliencyOptions(ParseMethod(p.GetValue(method)!), p.GetValue(samples), p.GetValue(noise), p.GetValue(seed), ParseBase(p.GetValue(baseRule)!));
            var overlaySign = ParseSign(p.GetValue(sign)!);
            var reduction = p.GetValue(reduce)!.ToLowerInvariant() switch
            {
                "sum" => SaliencyReduction.Sum,
                "max-abs" or "maxabs" => SaliencyReduction.MaxAbs,
                var r => throw new RawConvException($"saliency: unknown --reduce '{r}'; use sum or max-abs"),
            };
            string displayName = p.GetValue(display)!.ToLowerInvariant();
            if (displayName != "all" && !DisplayModes.Contains(displayName))
                throw new RawConvException($"saliency: unknown --display '{displayName}'; use {string.Join(", ", DisplayModes)} or all");
            bool npy = Outputs.IsNpy(outPath);
            if (!npy && !Path.GetExtension(outPath).Equals(".png", StringComparison.OrdinalIgnoreCase))
                throw new RawConvException($"{outPath}: --out must end in .png or .npy");
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            var (x, names) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            {
                int n = x.Shape.N;
                SaliencyMap? result = null;
                int work = opts.Method == SaliencyMethod.SmoothGrad ? n * opts.Samples : 1;
                Progress.Run(opts.Method == SaliencyMethod.SmoothGrad ? "smoothgrad" : "saliency", work,
                    step => result = RawConv.Algorithms.Seeing.Saliency.Compute(m.Net, x, target, opts, step));
                using var map = result!;
                var modes = displayName != "all" ? [displayName]
                    : DisplayModes.Where(d => overlaySign != OverlaySign.All || d is not ("masked_image" or "alpha_scaling")).ToArray();
                var images = Enumerable.Range(0, n).Select(i =>
                {
                    var t = map.Targets[i];
                    return new
                    {
                        image = names[i], target = t.IsClass ? "class" : "unit", layer = t.Layer, @class = t.IsClass ? t.Channel : (int?)null,
                        label = t.IsClass && m.Classes is { } cl && t.Channel < cl.Count ? cl[t.Channel] : null,
                        channel = t.IsClass ? (int?)null : t.Channel, y = t.IsClass ? (int?)null : t.Y, x = t.IsClass ? (int?)null : t.X,
                        score = t.Score, output = npy ? null : PerImagePath(outPath, i, n),
                    };
                }).ToList();
                var options = new
                {
                    method = p.GetValue(method)!.ToLowerInvariant(), samples = opts.Method == SaliencyMethod.SmoothGrad ? opts.Samples : (int?)null,
                    noise = opts.Method == SaliencyMethod.SmoothGrad ? opts.NoiseFraction : (float?)null,
                    seed = opts.Method == SaliencyMethod.SmoothGrad ? opts.Seed : (ulong?)null,
                    @base = opts.Method == SaliencyMethod.SmoothGrad ? p.GetValue(baseRule)!.ToLowerInvariant() : null,
                    display = modes, sign = p.GetValue(sign)!.ToLowerInvariant(), reduce = reduction == SaliencyReduction.Sum ? "sum" : "max-abs",
                };
                var payload = new { model = m.Source, options, images };
                if (npy)
                {
                    Outputs.Npy(outPath, map.Map);
                    Outputs.Sidecar(outPath, payload);
                }
                else
                {
                    var s = x.Shape;
                    for (int i = 0; i < n; i++)
                    {
                        var picture = Display.Input(x, i, m.Preprocessing);
                        var reduced = map.Reduced(i, reduction);
                        var tiles = modes.Select(d => d == "original_image" ? picture
                            : Overlay.Render(picture, reduced, s.H, s.W, new OverlayOptions { Method = OverlayOf(d), Sign = overlaySign })).ToList();
                        int up = UpscaleFor(s.H, s.W);
                        var img = tiles.Count == 1 && tiles[0].Channels == 4 ? Upscale(tiles[0], up) : Strip(tiles, up);
                        Outputs.Png(images[i].output!, img, new
                        {
                            model = m.Source, options, images[i].image, images[i].target, images[i].layer, images[i].@class, images[i].label,
                            images[i].channel, images[i].y, images[i].x, images[i].score,
                        });
                    }
                }
                Print(p.GetValue(json), payload, () =>
                {
                    foreach (var im in images)
                        Console.WriteLine(im.@class is { } k
                            ? $"{im.image}: class {k} {im.label} (score {im.score:G6})" + (im.output is { } o ? $" → {o}" : "")
                            : $"{im.image}: {im.layer} channel {im.channel} at ({im.y}, {im.x}) = {im.score:G6}" + (im.output is { } o2 ? $" → {o2}" : ""));
                    if (npy) Console.WriteLine($"wrote {outPath}");
                });
            }
            return 0;
        });
        return cmd;
    }

    private static SaliencyMethod ParseMethod(string text) => text.ToLowerInvariant() switch
    {
        "gradient" => SaliencyMethod.Gradient,
        "deconvnet" => SaliencyMethod.Deconvnet,
        "guided" => SaliencyMethod.Guided,
        "smoothgrad" => SaliencyMethod.SmoothGrad,
        _ => throw new RawConvException($"saliency: unknown --method '{text}'; use gradient, deconvnet, guided or smoothgrad"),
    };

    private static ReluRule ParseBase(string text) => text.ToLowerInvariant() switch
    {
        "gradient" => ReluRule.Standard,
        "deconvnet" => ReluRule.Deconvnet,
        "guided" => ReluRule.Guided,
        _ => throw new RawConvException($"saliency: unknown --base '{text}'; use gradient, deconvnet or guided"),
    };

    private static OverlaySign ParseSign(string text) => text.ToLowerInvariant() switch
    {
        "absolute_value" => OverlaySign.AbsoluteValue,
        "positive" => OverlaySign.Positive,
        "negative" => OverlaySign.Negative,
        "all" => OverlaySign.All,
        _ => throw new RawConvException($"saliency: unknown --sign '{text}'; use absolute_value, positive, negative or all"),
    };

    private static OverlayMethod OverlayOf(string display) => display switch
    {
        "heat_map" => OverlayMethod.HeatMap,
        "masked_image" => OverlayMethod.MaskedImage,
        "alpha_scaling" => OverlayMethod.AlphaScaling,
        _ => OverlayMethod.BlendedHeatMap,
    };

    /// <summary>Nearest-neighbour upscaling that keeps every channel (for an RGBA alpha_scaling picture on its own).</summary>
    private static Image Upscale(Image img, int k)
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
