using RawConv.Algorithms;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>Turns --image files or an --input .npy into the network's input tensor.</summary>
internal static class Inputs
{
    /// <summary>(tensor (N, C, H, W), one display name per image).</summary>
    public static (Tensor X, string[] Names) Load(string[]? images, string? npy, LoadedModel m, IBackend b)
    {
        var spec = m.Net.Spec;
        if (npy != null)
        {
            if (images is { Length: > 0 }) throw new RawConvException("give either --image or --input, not both");
            var t = Npy.ReadTensor(b, npy);
            var want = spec.InputShape(t.Shape.Rank == 4 ? t.Shape.N : 1);
            if (t.Shape.Rank == 3) t = t.CopyAs(new Shape(1, t.Shape[0], t.Shape[1], t.Shape[2]));
            if (t.Shape != want)
                throw new RawConvException($"{npy}: tensor {t.Shape} does not fit the input {spec.InputShape()} of {spec.Name} (expected (N, {spec.InputChannels}, {spec.InputHeight}, {spec.InputWidth}), already preprocessed)");
            return (t, Enumerable.Range(0, t.Shape.N).Select(i => t.Shape.N == 1 ? npy : $"{npy}[{i}]").ToArray());
        }
        if (images is not { Length: > 0 }) throw new RawConvException("no input: pass --image FILE (repeatable) or --input x.npy");
        return (NetInput.FromImages(images.Select(p => ImageIO.Load(p)).ToList(), m.Preprocessing, spec.InputChannels, b), images);
    }
}
