using RawConv.Ops;

namespace RawConv.Graph;

/// <summary>
/// Centre crop of every (N, C, H, W) plane to Height×Width (offsets ⌊(H − Height)/2⌋, ⌊(W − Width)/2⌋), as a generator
/// trims its up-sampled output to the image size; backward pads the gradient with zeros. Its offsets depend on the
/// input size, so it has no fixed receptive-field rule.
/// </summary>
[LayerKind("crop")]
public sealed record CropLayer(string Name, int Height, int Width) : Layer(Name)
{
    public override Shape OutputShape(Shape x)
    {
        Require(x.Rank == 4, $"input {x} is not (N, C, H, W)");
        Require(Height <= x.H && Width <= x.W, $"input {x} is smaller than the {Height}×{Width} crop");
        return new Shape(x.N, x.C, Height, Width);
    }

    public override string Describe() => $"crop {Height}×{Width}";

    public override void Validate() => Require(Height >= 1 && Width >= 1, $"crop {Height}×{Width} (each side must be ≥ 1)");

    public override Tensor Forward(ForwardContext c, Tensor x)
    {
        _ = OutputShape(x.Shape);
        return Crop.Forward(x, (x.Shape.H - Height) / 2, (x.Shape.W - Width) / 2, Height, Width);
    }

    public override Tensor? Backward(BackwardContext c, Tensor dy)
    {
        var s = c.Input.Shape;
        return c.InputGradient ? Crop.Backward(dy, s, (s.H - Height) / 2, (s.W - Width) / 2) : null;
    }
}
