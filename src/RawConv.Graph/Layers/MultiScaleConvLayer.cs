using System.Text.Json.Serialization;
using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Parallel filter banks of several square sizes on one input (Ustyuzhaninov et al. 2017's multi-scale layer): bank b
/// is <see cref="FiltersPerBank"/> same-padded stride-1 convolutions of size KernelSizes[b] (odd, strictly increasing),
/// and the output is the banks' maps concatenated along channels, smallest kernel first: (N, F·B, H, W).
/// Parameters are one weight (F·B, C, Kmax, Kmax) — bank b's k×k filters occupy rows [b·F, (b+1)·F), centred at offset
/// (Kmax − k)/2 with zeros around them — and one bias (F·B). The layer is therefore exactly one ordinary Kmax×Kmax
/// convolution with pad (Kmax − 1)/2 on those weights, but it runs each bank as its own k×k convolution on the central
/// slice, which costs Σ k² instead of B·Kmax² per output. Slicing the banks is a few device copies of the weights
/// (small next to the convolutions), so it is redone on every pass rather than cached. Backward sums the banks' input
/// gradients and puts each bank's filter gradient back in the Kmax layout, zeros outside the k×k centre, so a training
/// step leaves those zeros in place.
/// </summary>
[LayerKind("multiscale_conv")]
public sealed record MultiScaleConvLayer(string Name, int FiltersPerBank, int[] KernelSizes, bool Bias = true) : Layer(Name)
{
    /// <summary>The largest kernel side: the side of the stored filters.</summary>
    [JsonIgnore] public int MaxKernel => KernelSizes.Max();

    /// <summary>Output maps over all banks.</summary>
    [JsonIgnore] public int Out => FiltersPerBank * KernelSizes.Length;

    public override Shape WeightShape(Shape x) => new(Out, x.C, MaxKernel, MaxKernel);
    public override int BiasLength => Bias ? Out : 0;

    public override Shape OutputShape(Shape x)
    {
        Require(x.Rank == 4, $"input {x} is not (N, C, H, W)");
        return new Shape(x.N, Out, x.H, x.W);
    }

    public override long MultiplyAdds(Shape x) =>
        KernelSizes.Sum(k => (long)x.N * FiltersPerBank * x.H * x.W * x.C * k * k);

    public override string Describe() => $"multiscale_conv {FiltersPerBank}× {string.Join(",", KernelSizes.Select(k => $"{k}×{k}"))} ({Out} maps)";

    public override void Validate()
    {
        Require(FiltersPerBank >= 1, $"{FiltersPerBank} filters per bank (must be ≥ 1)");
        Require(KernelSizes is { Length: > 0 }, "no kernel sizes — give \"kernelSizes\": [3, 5, …]");
        Require(KernelSizes.All(k => k >= 1 && k % 2 == 1), $"kernel sizes {string.Join(", ", KernelSizes)} must all be odd and ≥ 1 (same padding centres them)");
        Require(KernelSizes.Zip(KernelSizes.Skip(1)).All(p => p.First < p.Second),
            $"kernel sizes {string.Join(", ", KernelSizes)} must be strictly increasing (banks are concatenated smallest first)");
    }

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        var p = c.Params(this);
        var y = Tensor.Uninitialized(x.Backend, OutputShape(x.Shape));
        try
        {
            for (int b = 0; b < KernelSizes.Length; b++)
            {
                using var w = BankWeight(p.Weight, b);
                using var bias = p.Bias is null ? null : Narrow.Read(p.Bias, 0, b * FiltersPerBank, FiltersPerBank);
                using var yb = Conv2d.Forward(x, w, bias, Same(KernelSizes[b]));
                Narrow.Write(y, yb, 1, b * FiltersPerBank);
            }
            return y;
        }
        catch
        {
            y.Dispose();
            throw;
        }
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy)
    {
        var p = c.Params(this);
        Tensor? dx = null, dw = null;
        try
        {
            if (c.WantsParameterGradients) dw = Tensor.Uninitialized(dy.Backend, p.Weight.Shape);
            for (int b = 0; b < KernelSizes.Length; b++)
            {
                int k = KernelSizes[b];
                using var dyb = Narrow.Read(dy, 1, b * FiltersPerBank, FiltersPerBank);
                using var w = BankWeight(p.Weight, b);
                if (c.InputGradient)
                {
                    var d = Conv2d.BackwardData(dyb, w, c.Input.Shape, Same(k));
                    if (dx is null) dx = d;
                    else using (d) Elementwise.Axpy(1f, d, dx);
                }
                if (dw is null) continue;
                using var dwb = Conv2d.BackwardFilter(c.Input, dyb, w.Shape, Same(k));
                int off = (MaxKernel - k) / 2;
                using var embedded = off == 0 ? null : Crop.Backward(dwb, new Shape(FiltersPerBank, w.Shape[1], MaxKernel, MaxKernel), off, off);
                Narrow.Write(dw, embedded ?? dwb, 0, b * FiltersPerBank);
            }
            if (dw is not null) c.ParameterGradients = new LayerParams(dw, p.Bias is not null ? Conv2d.BackwardBias(dy) : null);
            return dx;
        }
        catch
        {
            dx?.Dispose();
            dw?.Dispose();
            throw;
        }
    }

    /// <summary>The same-padded window of the largest bank: what one output unit sees.</summary>
    public override FieldRule Field() => new FieldRule.Window(MaxKernel, MaxKernel, 1, 1, (MaxKernel - 1) / 2, (MaxKernel - 1) / 2);

    public bool Equals(MultiScaleConvLayer? other) =>
        other is not null && base.Equals(other) && FiltersPerBank == other.FiltersPerBank && Bias == other.Bias
        && KernelSizes.AsSpan().SequenceEqual(other.KernelSizes);

    public override int GetHashCode() => HashCode.Combine(Name, FiltersPerBank, Bias, KernelSizes is { Length: > 0 } k ? k[^1] : 0);

    /// <summary>Bank <paramref name="b"/>'s k×k filters (F, C, k, k): its rows of the weight, cropped to the centre.</summary>
    private Tensor BankWeight(Tensor weight, int b)
    {
        int k = KernelSizes[b], off = (MaxKernel - k) / 2;
        var rows = Narrow.Read(weight, 0, b * FiltersPerBank, FiltersPerBank);
        if (off == 0) return rows;
        using (rows) return Crop.Forward(rows, off, off, k, k);
    }

    private static Conv2dParams Same(int k) => new(1, 1, (k - 1) / 2, (k - 1) / 2);
}
