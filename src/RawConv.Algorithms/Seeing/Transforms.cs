using RawConv.Ops;

namespace RawConv.Algorithms.Seeing;

/// <summary>What lies outside the source image when a transform pulls pixels from beyond its edge.</summary>
public enum FillMode
{
    /// <summary>0 in the normalized input: the mean colour for mean-subtracted inputs, the black canvas for Fashion-MNIST.</summary>
    Zero,
    /// <summary>The nearest edge pixel (border replicate).</summary>
    Border,
}

/// <summary>
/// A similarity transform of an input image about its centre c = ((W − 1)/2, (H − 1)/2), pixel centres at
/// integer coordinates, x to the right and y down: output point q = c + Scale·R(Degrees)·(p − c) + (Dx, Dy),
/// where R turns counter-clockwise as seen on screen (like PIL's and scipy's rotate). Scale &gt; 1 enlarges.
/// </summary>
public sealed record InputTransform(double Dx = 0, double Dy = 0, double Scale = 1, double Degrees = 0)
{
    /// <summary>The identity.</summary>
    public static InputTransform Identity => new();
    /// <summary>A shift by (dx, dy) pixels (positive: right, down).</summary>
    public static InputTransform Translate(double dx, double dy) => new(dx, dy);
    /// <summary>A zoom by <paramref name="s"/> about the centre.</summary>
    public static InputTransform Zoom(double s) => new(Scale: s);
    /// <summary>A counter-clockwise rotation by <paramref name="degrees"/> about the centre.</summary>
    public static InputTransform Rotate(double degrees) => new(Degrees: degrees);

    /// <summary>
    /// The inverse map from an output pixel (x, y) to the source point it samples:
    /// sx = A·x + B·y + C, sy = D·x + E·y + F, for an image of <paramref name="h"/>×<paramref name="w"/>.
    /// </summary>
    public (double A, double B, double C, double D, double E, double F) Inverse(int h, int w)
    {
        if (!(Scale > 0) || !double.IsFinite(Scale) || !double.IsFinite(Dx) || !double.IsFinite(Dy) || !double.IsFinite(Degrees))
            throw new RawConvException($"transform: {this} needs a positive finite scale and finite shifts and angle");
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        var (cos, sin) = CosSin(Degrees);
        // p = c + R(−θ)(q − c − d)/s with R(−θ) = [[cos, −sin], [sin, cos]] in (x, y-down) coordinates.
        double a = cos / Scale, b = -sin / Scale, d = sin / Scale, e = cos / Scale;
        double ux = -cx - Dx, uy = -cy - Dy;
        return (a, b, a * ux + b * uy + cx, d, e, d * ux + e * uy + cy);
    }

    /// <summary>
    /// This transform followed by <paramref name="next"/>, as one: both are similarities about the same centre, so
    /// scales multiply, angles add and this shift is scaled and turned by <paramref name="next"/> before its own is added.
    /// </summary>
    public InputTransform Then(InputTransform next)
    {
        var (cos, sin) = CosSin(next.Degrees);
        // R(θ) turns counter-clockwise on screen in (x, y-down) coordinates: [[cos, sin], [−sin, cos]].
        double dx = next.Scale * (cos * Dx + sin * Dy) + next.Dx, dy = next.Scale * (-sin * Dx + cos * Dy) + next.Dy;
        return new InputTransform(dx, dy, Scale * next.Scale, Degrees + next.Degrees);
    }

    /// <summary>
    /// Where each pixel of an <paramref name="outH"/>×<paramref name="outW"/> output reads an <paramref name="h"/>×<paramref name="w"/>
    /// input: the output is this transform of the input, resized (pixel areas aligned) to the output size.
    /// </summary>
    public AffineMap Map(int h, int w, int outH, int outW)
    {
        var (a, b, c, d, e, f) = Inverse(h, w);
        var inverse = new AffineMap(a, b, c, d, e, f);
        return outH == h && outW == w ? inverse : AffineMap.Resize(h, w, outH, outW).Then(inverse);
    }

    private static (double Cos, double Sin) CosSin(double degrees)
    {
        double t = degrees * Math.PI / 180;
        // Whole quarter turns get exact sines and cosines so that 90°, 180°, 360° move pixels exactly.
        return degrees % 90 == 0 ? (Math.Round(Math.Cos(t)), Math.Round(Math.Sin(t))) : (Math.Cos(t), Math.Sin(t));
    }

    public override string ToString() => $"(dx {Dx}, dy {Dy}, scale {Scale}, {Degrees}°)";
}

/// <summary>
/// Input transforms on the tensor's own backend, differentiable: bilinear sampling through the warp op by a flow that
/// a kernel makes from six numbers per image (no field crosses from the host), and its exact adjoint for gradients.
/// Samples outside the image follow <see cref="FillMode"/>: each of the four neighbours outside counts as 0 or as the
/// nearest edge pixel — scipy.ndimage's order-1 'grid-constant' and 'nearest' modes.
/// </summary>
public static class Transforms
{
    /// <summary>Every image of <paramref name="x"/> (N, C, H, W) transformed by <paramref name="t"/>.</summary>
    public static Tensor Apply(Tensor x, InputTransform t, FillMode fill = FillMode.Zero) => Apply(x, [t], fill);

    /// <summary>
    /// Image n of <paramref name="x"/> (N, C, H, W) transformed by <paramref name="t"/>[n] (or all by a single one), then
    /// resized to <paramref name="height"/>×<paramref name="width"/> (0: unchanged) with pixel areas aligned.
    /// </summary>
    public static Tensor Apply(Tensor x, IReadOnlyList<InputTransform> t, FillMode fill = FillMode.Zero, int height = 0, int width = 0)
    {
        var s = Input(x.Shape, "input");
        int h = height > 0 ? height : s.H, w = width > 0 ? width : s.W;
        return Warp.ForwardAffine(x, Maps(t, s, h, w), h, w, Padding(fill));
    }

    /// <summary>The gradient with respect to the untransformed input, given <paramref name="dy"/> = d loss / d <see cref="Apply(Tensor, InputTransform, FillMode)"/>.</summary>
    public static Tensor Backward(Tensor dy, InputTransform t, FillMode fill = FillMode.Zero, Shape? input = null) => Backward(dy, [t], fill, input);

    /// <summary>
    /// The adjoint of <see cref="Apply(Tensor, IReadOnlyList{InputTransform}, FillMode, int, int)"/>: d loss / d x for
    /// an input of shape <paramref name="input"/> (default: dy's), given dy = d loss / d output. Linear in dy, so
    /// ⟨Apply(x), dy⟩ = ⟨x, Backward(dy)⟩.
    /// </summary>
    public static Tensor Backward(Tensor dy, IReadOnlyList<InputTransform> t, FillMode fill = FillMode.Zero, Shape? input = null)
    {
        var s = Input(dy.Shape, "output gradient");
        var xs = input ?? s;
        if (xs.Rank != 4 || xs.N != s.N || xs.C != s.C)
            throw new RawConvException($"transform: input shape {xs} does not match output gradient {s} in N and C");
        Input(xs, "input");
        return Warp.AdjointAffine(dy, Maps(t, xs, s.H, s.W), xs, Padding(fill));
    }

    /// <summary>Every image of <paramref name="x"/> resized to <paramref name="height"/>×<paramref name="width"/>: bilinear, pixel areas aligned, edges replicated (PyTorch's interpolate with align_corners=False, no antialiasing).</summary>
    public static Tensor Resize(Tensor x, int height, int width) => Apply(x, [InputTransform.Identity], FillMode.Border, height, width);

    /// <summary>The adjoint of <see cref="Resize"/>: d loss / d x of shape <paramref name="input"/> given dy = d loss / d resized.</summary>
    public static Tensor ResizeBackward(Tensor dy, Shape input) => Backward(dy, [InputTransform.Identity], FillMode.Border, input);

    private static Shape Input(Shape s, string what)
    {
        if (s.Rank != 4 || s.H <= 0 || s.W <= 0) throw new RawConvException($"transform: {what} {s} is not (N, C, H, W) with a non-empty plane");
        return s;
    }

    private static AffineMap[] Maps(IReadOnlyList<InputTransform> t, Shape x, int h, int w)
    {
        if (h <= 0 || w <= 0) throw new RawConvException($"transform: output size {h}×{w} must be positive");
        if (t.Count != 1 && t.Count != x.N) throw new RawConvException($"transform: {t.Count} transforms for {x.N} images (give one, or one per image)");
        return t.Select(ti => ti.Map(x.H, x.W, h, w)).ToArray();
    }

    private static WarpPadding Padding(FillMode fill) => fill == FillMode.Border ? WarpPadding.Border : WarpPadding.Zeros;
}
