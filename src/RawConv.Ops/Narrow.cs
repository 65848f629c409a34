namespace RawConv.Ops;

/// <summary>
/// A slice along one axis of a contiguous tensor, read out or written back, by device-to-device copies
/// (<see cref="IBackend.Copy"/>, so every backend runs it without a kernel of its own): the tensor is viewed as
/// (Outer, D, Inner) with Outer the product of the dimensions before <c>axis</c> and Inner of those after it, and the
/// slice [start, start + length) of D is Outer runs of length·Inner contiguous elements. Reading channels of an
/// (N, C, H, W) map is N copies; reading rows of a (K, C, kh, kw) filter bank is one.
/// </summary>
public static class Narrow
{
    /// <summary>x[…, start : start + length, …] along <paramref name="axis"/>, as a new contiguous tensor.</summary>
    public static Tensor Read(Tensor x, int axis, int start, int length)
    {
        const string op = "narrow.read";
        var b = Guard.SameBackend(op, x);
        Guard.Float(op, "x", x);
        Check(op, x.Shape, axis, start, length);
        var dims = x.Shape.Dims;
        dims[axis] = length;
        var y = Tensor.Uninitialized(b, new Shape(dims));
        var (outer, d, inner) = View(x.Shape, axis);
        long run = (long)length * inner;
        for (long o = 0; o < outer; o++)
            b.Copy(x.Buffer, (o * d + start) * inner, y.Buffer, o * run, run);
        return y;
    }

    /// <summary>Writes <paramref name="part"/> into dst[…, start : start + part.dims[axis], …] along <paramref name="axis"/>, in place.</summary>
    public static void Write(Tensor dst, Tensor part, int axis, int start)
    {
        const string op = "narrow.write";
        var b = Guard.SameBackend(op, dst, part);
        Guard.Float(op, "dst", dst);
        Guard.Float(op, "part", part);
        var (s, p) = (dst.Shape, part.Shape);
        Guard.That(s.Rank == p.Rank && axis >= 0 && axis < s.Rank && Enumerable.Range(0, s.Rank).All(i => i == axis || s[i] == p[i]), op,
            $"part {p} does not fit dst {s} along axis {axis} (all other dimensions must agree) on {b.Name}");
        int length = p[axis];
        Check(op, s, axis, start, length);
        var (outer, d, inner) = View(s, axis);
        long run = (long)length * inner;
        for (long o = 0; o < outer; o++)
            b.Copy(part.Buffer, o * run, dst.Buffer, (o * d + start) * inner, run);
    }

    private static (long Outer, int D, long Inner) View(Shape s, int axis)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.Rank; i++) inner *= s[i];
        return (outer, s[axis], inner);
    }

    private static void Check(string op, Shape s, int axis, int start, int length) =>
        Guard.That(axis >= 0 && axis < s.Rank && start >= 0 && length >= 1 && start + length <= s[axis], op,
            $"slice [{start}, {start + length}) of axis {axis} does not fit inside {s}");
}
