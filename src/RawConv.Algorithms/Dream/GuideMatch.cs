using RawConv.Algorithms.Optimize;
using RawConv.Graph;

namespace RawConv.Algorithms.Dream;

/// <summary>
/// The guided DeepDream objective of the original notebook: for each position i of Φ_l(x), the guide image's feature
/// vector G_j with the largest dot product ⟨Φ_i, G_j⟩; the value is Σ_i max_j ⟨Φ_i, G_j⟩ and its gradient at
/// position i is that G_j. <paramref name="Guide"/> holds the guide's features (C, M) channel-major, M positions.
/// </summary>
public sealed record GuideMatch(string Layer, float[] Guide, int Channels) : ObjectiveTerm
{
    /// <summary>The guide features of <paramref name="guide"/> (1, C, H, W) at <paramref name="layer"/> of <paramref name="net"/> (any input size the layer accepts).</summary>
    public static GuideMatch Of(Net net, string layer, Tensor guide)
    {
        using var pass = net.Forward(guide, layer);
        var a = pass[layer];
        if (a.Shape[0] != 1) throw new RawConvException($"--guide: give one image, got {a.Shape[0]}");
        return new GuideMatch(layer, a.ToArray(), a.Shape[1]);
    }

    /// <inheritdoc/>
    public override string LayerOf(NetSpec spec) => Layer;

    /// <inheritdoc/>
    public override (double Value, Tensor Gradient) Evaluate(Tensor a)
    {
        var s = a.Shape;
        int n = s[0], c = s[1], hw = (int)(a.Count / n / c), m = Guide.Length / Channels;
        if (c != Channels) throw new RawConvException($"{Layer}: {c} channels, the guide's features have {Channels}");
        var v = a.ToArray();
        var g = new float[v.Length];
        double value = 0;
        var dots = new double[m];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++)
            {
                Array.Clear(dots);
                for (int ch = 0; ch < c; ch++)
                {
                    double f = v[(b * c + ch) * hw + i];
                    if (f == 0) continue;
                    for (int j = 0; j < m; j++) dots[j] += f * Guide[ch * m + j];
                }
                int best = 0;
                for (int j = 1; j < m; j++) if (dots[j] > dots[best]) best = j;
                value += dots[best];
                for (int ch = 0; ch < c; ch++) g[(b * c + ch) * hw + i] = Guide[ch * m + best];
            }
        return (value, Tensor.FromArray(a.Backend, s, g));
    }

    /// <inheritdoc/>
    public override string Describe(NetSpec spec) => $"guided match at {Layer}";
}
