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

    private static void CheckFlow(string op, Tensor flow, int n, string other)
    {
        Guard.Float(op, "flow", flow);
        Guard.That(n <= 65535, op, $"batch {n} of {other} exceeds 65535, the largest grid z of a CUDA launch");
        Guard.That(flow.Shape.Rank == 4 && flow.Shape.N == n && flow.Shape.C == 2, op,
            $"flow {flow.Shape} must be (N, 2, H, W) with N = {n} of {other} on {flow.Backend.Name}");
    }
}
