using RawConv.Ops.Reference;

namespace RawConv.Ops;

/// <summary>
/// Spatial crop of (N, C, H, W) maps and its adjoint (kernels/crop.cl): forward keeps the Height×Width window at
/// (top, left) of every plane; backward puts the gradient back in that window with zeros around it.
/// </summary>
public static class Crop
{
    /// <summary>y = x[:, :, top : top + height, left : left + width].</summary>
    public static Tensor Forward(Tensor x, int top, int left, int height, int width)
    {
        const string op = "crop.forward";
        var b = Guard.SameBackend(op, x);
        Guard.Nchw(op, "x", x);
        Check(op, x.Shape, top, left, height, width);
        Guard.Finite(op, "x", x);
        var s = x.Shape;
        var y = Tensor.Uninitialized(b, new Shape(s.N, s.C, height, width));
        if (b.AsKernel() is { } k)
        {
            int planes = Kernels.Int(op, (long)s.N * s.C);
            int n = Kernels.Int(op, y.Count);
            _ = Kernels.Int(op, x.Count);   // the kernel indexes x in int as well
            k.Run("crop", "crop_forward", LaunchGeometry.Linear(n), y, x, planes, s.H, s.W, height, width, top, left);
        }
        else CropRef.Forward<float>(ReferenceBackend.Floats(x.Buffer), ReferenceBackend.Floats(y.Buffer), s, height, width, top, left);
        return y;
    }

    /// <summary>dx of shape <paramref name="xShape"/>: dy inside the window at (top, left), zeros elsewhere.</summary>
    public static Tensor Backward(Tensor dy, Shape xShape, int top, int left)
    {
        const string op = "crop.backward";
        var b = Guard.SameBackend(op, dy);
        Guard.Nchw(op, "dy", dy);
        Guard.That(xShape.Rank == 4 && xShape.N == dy.Shape.N && xShape.C == dy.Shape.C, op,
            $"x {xShape} and dy {dy.Shape} must share N and C on {b.Name}");
        Check(op, xShape, top, left, dy.Shape.H, dy.Shape.W);
        Guard.Finite(op, "dy", dy);
        var dx = Tensor.Uninitialized(b, xShape);
        if (b.AsKernel() is { } k)
        {
            int planes = Kernels.Int(op, (long)xShape.N * xShape.C);
            int n = Kernels.Int(op, dx.Count);
            k.Run("crop", "crop_backward", LaunchGeometry.Linear(n), dx, dy, planes, xShape.H, xShape.W, dy.Shape.H, dy.Shape.W, top, left);
        }
        else CropRef.Backward<float>(ReferenceBackend.Floats(dy.Buffer), ReferenceBackend.Floats(dx.Buffer), xShape, dy.Shape.H, dy.Shape.W, top, left);
        return dx;
    }

    private static void Check(string op, Shape x, int top, int left, int height, int width) =>
        Guard.That(height >= 1 && width >= 1 && top >= 0 && left >= 0 && top + height <= x.H && left + width <= x.W, op,
            $"a {height}×{width} window at ({top}, {left}) does not fit inside the {x.H}×{x.W} planes of {x}");
}
