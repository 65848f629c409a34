using RawConv.Algorithms.Optimize;

namespace RawConv.Cli;

/// <summary>What the input-optimizing verbs (maximize, invert, dream, adversarial, fool) read the same way.</summary>
internal static class InputOptimizing
{
    /// <summary>--optimizer of the Gram-matrix verbs (texture, style): lbfgs (or l-bfgs) or adam.</summary>
    public static OptimizerKind LbfgsOrAdam(string? name) => (name ?? "").ToLowerInvariant() switch
    {
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        "adam" => OptimizerKind.Adam,
        var o => throw new RawConvException($"--optimizer: unknown optimizer '{o}'; use lbfgs or adam"),
    };

    /// <summary>--out as a picture (x.png) or, where <paramref name="npy"/>, the optimized input (x.npy); refuses anything else.</summary>
    public static string Out(string? path, bool npy = true)
    {
        string p = path ?? "";
        string give = npy ? "x.png or x.npy" : "x.png";
        if (p.Length == 0) throw new RawConvException($"--out: empty path — give {give}");
        if (!OutputWriter.IsPng(p) && !(npy && OutputWriter.IsNpy(p))) throw new RawConvException($"--out {p}: must end in {(npy ? ".png or .npy" : ".png")}");
        return p;
    }

    /// <summary>--clip: pixels (the 0–255 range of the preprocessing) or none.</summary>
    public static PixelClip Clip(string name) => name.ToLowerInvariant() switch
    {
        "pixels" => PixelClip.Pixels,
        "none" => PixelClip.None,
        _ => throw new RawConvException($"--clip: unknown mode '{name}'; use pixels or none"),
    };
}
