using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>The rules `deconv --rules` knows, by their command-line names.</summary>
    private static readonly (string Name, ReluRule Rule)[] DeconvRules =
        [("deconvnet", ReluRule.Deconvnet), ("gradient", ReluRule.Standard), ("guided", ReluRule.Guided)];

    public static Command Deconv() => new DeconvnetVerb().Command;

    /// <summary>--unit / --strongest / --whole-map as a unit choice.</summary>
    internal static UnitChoice Choice(string layer, int? unit, bool strongest, bool wholeMap)
    {
        if (unit is { } c)
        {
            if (strongest) throw new RawConvException("deconv: give --unit C or --strongest, not both");
            return wholeMap ? UnitChoice.WholeMap(layer, c) : UnitChoice.Unit(layer, c);
        }
        if (wholeMap) throw new RawConvException("deconv: --whole-map needs --unit C (which feature map to keep)");
        return UnitChoice.Strongest(layer);
    }

    internal static (string Name, ReluRule Rule)[] ParseRules(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) throw new RawConvException("deconv: --rules is empty; use deconvnet, gradient, guided");
        return names.Select(n => DeconvRules.FirstOrDefault(r => r.Name == n) is { Name: not null } r ? r
            : throw new RawConvException($"deconv: unknown rule '{n}'; use deconvnet, gradient, guided")).ToArray();
    }

    internal static string ModeName(UnitMode mode) => mode switch
    {
        UnitMode.Strongest => "strongest",
        UnitMode.Unit => "unit",
        UnitMode.WholeMap => "whole-map",
        _ => "at",
    };

    /// <summary>OUT for one image; OUT-i.EXT for image i of several.</summary>
    internal static string PerImagePath(string outPath, int i, int n) =>
        n == 1 ? outPath : Path.Combine(Path.GetDirectoryName(outPath) ?? "", $"{Path.GetFileNameWithoutExtension(outPath)}-{i}{Path.GetExtension(outPath)}");

    /// <summary>Nearest-neighbour upscaling so small inputs (e.g. 40×40 → ×4) are visible; 1 from 160 pixels up.</summary>
    internal static int UpscaleFor(int h, int w) => Math.Clamp(160 / Math.Max(1, Math.Max(h, w)), 1, 8);

    /// <summary>Tiles side by side, upscaled by nearest neighbour, 2 white pixels apart; RGBA tiles are composited on white first.</summary>
    internal static Image Strip(IReadOnlyList<Image> tiles, int upscale) =>
        Grid.Images(tiles.Select(OnWhite).ToList(), new GridOptions { Rows = 1, Padding = 2, Upscale = upscale });

    private static Image OnWhite(Image img)
    {
        if (img.Channels != 4 || img.BitDepth != 8) return img;
        var o = new Image(img.Width, img.Height, 3);
        for (int p = 0; p < img.Width * img.Height; p++)
        {
            float a = img.Data[p * 4 + 3] / 255f;
            for (int c = 0; c < 3; c++) o.Data[p * 3 + c] = (ushort)MathF.Round(img.Data[p * 4 + c] * a + 255 * (1 - a));
        }
        return o;
    }
}
