using RawConv.Algorithms;
using RawConv.Graph;
using RawConv.Imaging;

namespace RawConv.Cli;

/// <summary>Turns --image files or an --input .npy into the network's input tensor, refusing empty and non-finite inputs by file.</summary>
internal static class Inputs
{
    /// <summary>(tensor (N, C, H, W), one display name per image).</summary>
    public static (Tensor X, string[] Names) Load(string[]? images, string? npy, LoadedModel m, IBackend b)
    {
        var spec = m.Net.Spec;
        if (npy != null)
        {
            if (images is { Length: > 0 }) throw new RawConvException("give either --image or --input, not both");
            if (!File.Exists(npy)) throw new RawConvException($"--input: {npy}: no such file — give an NCHW float32 .npy");
            var t = Npy.ReadTensor(b, npy);
            try
            {
                var want = spec.InputShape(t.Shape.Rank == 4 ? t.Shape.N : 1);
                if (t.Shape.Rank == 4 && t.Shape.N == 0)
                    throw new RawConvException($"--input: {npy}: tensor {t.Shape} holds no images — give at least one (N ≥ 1)");
                if (t.Shape.Rank == 3)
                {
                    var four = t.CopyAs(new Shape(1, t.Shape[0], t.Shape[1], t.Shape[2]));
                    t.Dispose();
                    t = four;
                }
                if (t.Shape != want)
                    throw new RawConvException($"--input: {npy}: tensor {t.Shape} does not fit the input {spec.InputShape()} of {spec.Name} (expected (N, {spec.InputChannels}, {spec.InputHeight}, {spec.InputWidth}), already preprocessed)");
                if (NonFiniteException.Count(t) is { Total: > 0 } bad)
                    throw new RawConvException($"--input: {npy}: holds {bad} — inputs must be finite");
                return (t, Enumerable.Range(0, t.Shape.N).Select(i => t.Shape.N == 1 ? npy : $"{npy}[{i}]").ToArray());
            }
            catch
            {
                t.Dispose();
                throw;
            }
        }
        if (images is not { Length: > 0 }) throw new RawConvException("no input: pass --image FILE (repeatable) or --input x.npy");
        foreach (var f in images)
            if (!File.Exists(f)) throw new RawConvException($"--image: {f}: no such file — give a PNG, JPEG or PPM/PGM picture");
        return (NetInput.FromImages(images.Select(p => ImageIO.Load(p)).ToList(), m.Preprocessing, spec.InputChannels, b), images);
    }
}
