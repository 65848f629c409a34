using System.CommandLine;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>`rawconv topk` (the method cannot be called TopK: Verbs.Run.cs uses the TopK op).</summary>
    public static Command TopKVerb() => new Cli.TopKVerb().Command;

    /// <summary>--out as given when it names a .png or .npy file, else a folder to hold topk-LAYER.png.</summary>
    internal static string TopKOutputPath(string output, string layer)
    {
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is ".png" or ".npy") return Checks.OutFile(output, ".png", ".npy");
        return Path.Combine(Checks.OutFolder(output), $"topk-{layer}.png");
    }

    /// <summary>--rule deconvnet | gradient | guided.</summary>
    internal static ReluRule TopKRule(string rule) => rule.ToLowerInvariant() switch
    {
        "deconvnet" or "deconv" => ReluRule.Deconvnet,
        "gradient" or "standard" => ReluRule.Standard,
        "guided" => ReluRule.Guided,
        _ => throw new RawConvException($"unknown --rule '{rule}'; expected deconvnet, gradient or guided"),
    };

    /// <summary>
    /// A dataset's items (pixels/255 in [0, 1], RGB or grey) as the network's input: channels ordered and
    /// normalized with the model's preprocessing, x = (255·v·Scale − Mean[c]) / Std[c] (the identity for the
    /// default model, which takes [0, 1]).
    /// </summary>
    internal sealed class ModelInputDataset(IDataset inner, Preprocessing pre) : IDataset
    {
        public int Count => inner.Count;
        public IReadOnlyList<string> Classes => inner.Classes;
        public Shape ItemShape => inner.ItemShape;
        public int Label(int index) => inner.Label(index);

        public void CopyItem(int index, Span<float> dst)
        {
            var s = inner.ItemShape;
            int plane = s.H * s.W;
            var raw = new float[s.C * plane];
            inner.CopyItem(index, raw);
            float factor = 255f * pre.Scale;   // exactly 1 for Scale = 1/255: the default model's inputs pass unchanged
            for (int c = 0; c < s.C; c++)
            {
                int src = s.C == 3 && pre.ChannelOrder == ChannelOrder.BGR ? 2 - c : c;
                int mc = Math.Min(c, pre.Mean.Length - 1);
                float mean = pre.Mean[mc], std = pre.Std[mc];
                for (int i = 0; i < plane; i++) dst[c * plane + i] = (raw[src * plane + i] * factor - mean) / std;
            }
        }
    }
}
