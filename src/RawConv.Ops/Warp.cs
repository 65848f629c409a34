using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>How warping reads samples outside the input.</summary>
public enum WarpPadding
{
    /// <summary>Taps outside the input read 0.</summary>
    Zeros = 0,
    /// <summary>Taps outside the input read the nearest edge pixel.</summary>
    Border = 1,
}

/// <summary>
/// An affine sampling map: output pixel (w, h) reads the input at (Ax·w + Bx·h + Cx, Ay·w + By·h + Cy), pixel
/// centres at integer coordinates, x right, y down.
/// </summary>
public readonly record struct AffineMap(double Ax, double Bx, double Cx, double Ay, double By, double Cy)
{
    /// <summary>Every output pixel reads the input pixel at the same position.</summary>
    public static AffineMap Identity => new(1, 0, 0, 0, 1, 0);

    /// <summary>The determinant of the linear part (the input area one output pixel covers).</summary>
    public double Determinant => Ax * By - Bx * Ay;

    /// <summary>Reads this map's input through <paramref name="inner"/>: q ↦ inner(this(q)).</summary>
    public AffineMap Then(AffineMap inner) => new(
        inner.Ax * Ax + inner.Bx * Ay, inner.Ax * Bx + inner.Bx * By, inner.Ax * Cx + inner.Bx * Cy + inner.Cx,
        inner.Ay * Ax + inner.By * Ay, inner.Ay * Bx + inner.By * By, inner.Ay * Cx + inner.By * Cy + inner.Cy);

    /// <summary>
    /// The resize of an Hx×Wx input to H×W with pixel areas aligned (PyTorch's align_corners=False, OpenCV's
    /// INTER_LINEAR): output pixel centre q reads (q + ½)·(input size / output size) − ½.
    /// </summary>
    public static AffineMap Resize(int hx, int wx, int h, int w)
    {
        double sx = (double)wx / w, sy = (double)hx / h;
        return new(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5);
    }

    /// <summary>Whether every coefficient is finite.</summary>
    public bool IsFinite => double.IsFinite(Ax) && double.IsFinite(Bx) && double.IsFinite(Cx) &&
        double.IsFinite(Ay) && double.IsFinite(By) && double.IsFinite(Cy);
}

/// <summary>
/// Bilinear warping by a dense flow: y[n,c,h,w] = bilinear(x[n,c], h + flow[n,1,h,w], w + flow[n,0,h,w]);
/// flow (N, 2, H, W), channel 0 horizontal displacement, channel 1 vertical, in pixels; y is (N, C, H, W).
/// </summary>
public static class Warp
{
    private const int Tile = 16;

    /// <summary>Warps x (N, C, Hx, Wx) by flow (N, 2, H, W) into (N, C, H, W).</summary>
    public static Tensor Forward(Tensor x, Tensor flow, WarpPadding padding = WarpPadding.Zeros)
    {
        const string op = "warp.forward";
        var b = Guard.SameBackend(op, x, flow);
        Guard.Nchw(op, "x", x);
        CheckFlow(op, flow, x.Shape.N, $"x {x.Shape}");
        Guard.That(x.Shape.H > 0 && x.Shape.W > 0, op, $"x {x.Shape} has an empty plane");
        Guard.Finite(op, "flow", flow);
        var s = x.Shape;
        var y = Tensor.Zeros(b, new Shape(s.N, s.C, flow.Shape.H, flow.Shape.W));
        Kernels.Int(op, Math.Max(x.Count, y.Count));
        if (y.Count == 0) return y;
        if (b.AsKernel() is { } k)
            k.Run("warp", "warp_forward", LaunchGeometry.Linear(y.Count),
                y, x, flow, s.C, s.H, s.W, y.Shape.H, y.Shape.W, (int)padding, (int)y.Count);
        else WarpRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(flow.Buffer), ReferenceBackend.Floats(y.Buffer),
            s.N, s.C, s.H, s.W, y.Shape.H, y.Shape.W, padding == WarpPadding.Border);
        return y;
    }

    /// <summary>
    /// The adjoint of <see cref="Forward"/> in x (its backward-data): ⟨Warp(x), dy⟩ = ⟨x, Adjoint(dy)⟩.
    /// On kernel backends a deterministic gather: each input pixel scans the output pixels within
    /// ceil(max |flow|) + 2 of it (and, with border padding, an edge pixel scans to the output's edge).
    /// </summary>
    public static Tensor Adjoint(Tensor dy, Tensor flow, Shape xShape, WarpPadding padding = WarpPadding.Zeros)
    {
        const string op = "warp.adjoint";
        var b = Guard.SameBackend(op, dy, flow);
        Guard.Nchw(op, "dy", dy);
        Guard.That(xShape.Rank == 4 && xShape.N == dy.Shape.N && xShape.C == dy.Shape.C && xShape.H > 0 && xShape.W > 0, op,
            $"x shape {xShape} must be (N, C, Hx, Wx) with N, C of dy {dy.Shape} and a non-empty plane");
        CheckFlow(op, flow, dy.Shape.N, $"dy {dy.Shape}");
        Guard.That(flow.Shape.H == dy.Shape.H && flow.Shape.W == dy.Shape.W, op, $"flow {flow.Shape} and dy {dy.Shape} must share H and W");
        Guard.Finite(op, "flow", flow);
        var dx = Tensor.Zeros(b, xShape);
        Kernels.Int(op, Math.Max(dx.Count, dy.Count));
        if (dx.Count == 0 || dy.Count == 0) return dx;
        if (b.AsKernel() is { } k)
        {
            // Beyond the image sizes the window is clamped anyway; a non-finite flow just scans everything.
            double maxAbs = Reduce.MaxAbs(flow);
            int r = double.IsFinite(maxAbs) ? (int)Math.Min(Math.Ceiling(maxAbs), 1 << 20) : 1 << 20;
            k.Run("warp", "warp_adjoint", LaunchGeometry.Grid3(xShape.W, xShape.H, xShape.N, Tile, Tile, 1),
                dx, dy, flow, xShape.C, xShape.H, xShape.W, dy.Shape.H, dy.Shape.W, (int)padding, r);
        }
        else WarpRef.Adjoint<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(flow.Buffer), ReferenceBackend.Floats(dx.Buffer),
            xShape.N, xShape.C, xShape.H, xShape.W, dy.Shape.H, dy.Shape.W, padding == WarpPadding.Border);
        return dx;
    }

    /// <summary>d loss / d flow (N, 2, H, W) given dy = d loss / d y (one-sided at integer sample positions, the kinks).</summary>
    public static Tensor BackwardFlow(Tensor x, Tensor flow, Tensor dy, WarpPadding padding = WarpPadding.Zeros)
    {
        const string op = "warp.backward_flow";
        var b = Guard.SameBackend(op, x, flow, dy);
        Guard.Nchw(op, "x", x);
        Guard.Nchw(op, "dy", dy);
        CheckFlow(op, flow, x.Shape.N, $"x {x.Shape}");
        var s = x.Shape;
        Guard.That(s.H > 0 && s.W > 0, op, $"x {s} has an empty plane");
        Guard.That(dy.Shape == new Shape(s.N, s.C, flow.Shape.H, flow.Shape.W), op,
            $"dy {dy.Shape} must be (N, C, H, W) = ({s.N}, {s.C}, {flow.Shape.H}, {flow.Shape.W}) for x {s} and flow {flow.Shape}");
        Guard.Finite(op, "flow", flow);
        var dflow = Tensor.Zeros(b, flow.Shape);
        Kernels.Int(op, Math.Max(x.Count, dy.Count));
        if (dflow.Count == 0) return dflow;
        if (b.AsKernel() is { } k)
            k.Run("warp", "warp_backward_flow", LaunchGeometry.Grid3(flow.Shape.W, flow.Shape.H, s.N, Tile, Tile, 1),
                dflow, x, flow, dy, s.C, s.H, s.W, flow.Shape.H, flow.Shape.W, (int)padding, s.N);
        else WarpRef.BackwardFlow<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(flow.Buffer), ReferenceBackend.Floats(dy.Buffer),
            ReferenceBackend.Floats(dflow.Buffer), s.N, s.C, s.H, s.W, flow.Shape.H, flow.Shape.W, padding == WarpPadding.Border);
        return dflow;
    }

    /// <summary>
    /// The flow (N, 2, H, W) that makes <see cref="Forward"/> sample by affine maps: one per image, or one for
    /// all. Made on the device from six numbers per map (kernels/warp.cl: warp_affine_flow).
    /// </summary>
    public static Tensor AffineFlow(IBackend b, IReadOnlyList<AffineMap> maps, int n, int h, int w)
    {
        using var theta = Theta("warp.affine_flow", b, maps, n, h, w);
        return FlowOf(b, theta, n, h, w);
    }

    /// <summary>The flow (N, 2, H, W) of the coefficients <paramref name="theta"/> (M, 6), M = 1 or N.</summary>
    private static Tensor FlowOf(IBackend b, Tensor theta, int n, int h, int w)
    {
        var flow = Tensor.Uninitialized(b, new Shape(n, 2, h, w));
        int count = Kernels.Int("warp.affine_flow", (long)n * h * w);
        if (count == 0) return flow;
        int stride = theta.Shape[0] == 1 ? 0 : 6;
        if (b.AsKernel() is { } k)
            k.Run("warp", "warp_affine_flow", LaunchGeometry.Linear(count), flow, theta, stride, h, w, count);
        else WarpRef.AffineFlow(ReferenceBackend.Floats(theta.Buffer), ReferenceBackend.Floats(flow.Buffer), n, stride, h, w);
        return flow;
    }

    /// <summary>x (N, C, Hx, Wx) sampled by affine maps (one per image, or one for all) into (N, C, H, W).</summary>
    public static Tensor ForwardAffine(Tensor x, IReadOnlyList<AffineMap> maps, int h, int w, WarpPadding padding = WarpPadding.Zeros)
    {
        Guard.Nchw("warp.forward_affine", "x", x);
        using var flow = AffineFlow(x.Backend, maps, x.Shape.N, h, w);
        return Forward(x, flow, padding);
    }

    /// <summary>
    /// The adjoint of <see cref="ForwardAffine"/> in x: the same numbers as <see cref="Adjoint"/> on its flow, with
    /// each input pixel's gather bounded by the preimage of its tap window under the map (a few pixels for zooms,
    /// shifts and rotations of any size) instead of by max |flow|.
    /// </summary>
    public static Tensor AdjointAffine(Tensor dy, IReadOnlyList<AffineMap> maps, Shape xShape, WarpPadding padding = WarpPadding.Zeros)
    {
        const string op = "warp.adjoint_affine";
        var b = Guard.SameBackend(op, dy);
        Guard.Nchw(op, "dy", dy);
        Guard.That(xShape.Rank == 4 && xShape.N == dy.Shape.N && xShape.C == dy.Shape.C && xShape.H > 0 && xShape.W > 0, op,
            $"x shape {xShape} must be (N, C, Hx, Wx) with N, C of dy {dy.Shape} and a non-empty plane");
        using var theta = Theta(op, b, maps, dy.Shape.N, dy.Shape.H, dy.Shape.W);
        using var flow = FlowOf(b, theta, dy.Shape.N, dy.Shape.H, dy.Shape.W);
        var k = b.AsKernel();
        if (k is null || dy.Count == 0) return Adjoint(dy, flow, xShape, padding);
        var dx = Tensor.Uninitialized(b, xShape);
        Kernels.Int(op, Math.Max(dx.Count, dy.Count));
        k.Run("warp", "warp_adjoint_affine", LaunchGeometry.Grid3(xShape.W, xShape.H, xShape.N, Tile, Tile, 1),
            dx, dy, flow, theta, maps.Count == 1 ? 0 : 6, xShape.C, xShape.H, xShape.W, dy.Shape.H, dy.Shape.W, (int)padding);
        return dx;
    }

    /// <summary>The maps as (M, 6) flow coefficients about the output centre (kernels/warp.cl), computed in double.</summary>
    private static Tensor Theta(string op, IBackend b, IReadOnlyList<AffineMap> maps, int n, int h, int w)
    {
        Guard.That(maps.Count == 1 || maps.Count == n, op, $"{maps.Count} affine maps for a batch of {n} (give one, or one per image)");
        Guard.That(n >= 0 && n <= 65535 && h > 0 && w > 0, op, $"output ({n}, {h}, {w}) must have 0 to 65535 images and a non-empty plane");
        var t = new float[maps.Count * 6];
        double ocx = (w - 1) / 2.0, ocy = (h - 1) / 2.0;
        for (int i = 0; i < maps.Count; i++)
        {
            var m = maps[i];
            Guard.That(m.IsFinite && m.Determinant != 0, op, $"affine map {i} {m} must be finite and invertible");
            // flow = sample − position = (A − 1)·u + B·v + (A − 1)·ocx + B·ocy + C, with u = w − ocx, v = h − ocy.
            t[6 * i] = (float)(m.Ax - 1);
            t[6 * i + 1] = (float)m.Bx;
            t[6 * i + 2] = (float)((m.Ax - 1) * ocx + m.Bx * ocy + m.Cx);
            t[6 * i + 3] = (float)m.Ay;
            t[6 * i + 4] = (float)(m.By - 1);
            t[6 * i + 5] = (float)(m.Ay * ocx + (m.By - 1) * ocy + m.Cy);
        }
        return Tensor.FromArray(b, new Shape(maps.Count, 6), t);
    }

    private static void CheckFlow(string op, Tensor flow, int n, string other)
    {
        Guard.Float(op, "flow", flow);
        Guard.That(n <= 65535, op, $"batch {n} of {other} exceeds 65535, the largest grid z of a CUDA launch");
        Guard.That(flow.Shape.Rank == 4 && flow.Shape.N == n && flow.Shape.C == 2, op,
            $"flow {flow.Shape} must be (N, 2, H, W) with N = {n} of {other} on {flow.Backend.Name}");
    }
}
