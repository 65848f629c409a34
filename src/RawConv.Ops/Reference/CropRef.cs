using System.Numerics;

namespace RawConv.Ops.Reference;

/// <summary>Reference crop and its adjoint: plain loops, generic so tests can run them in float64.</summary>
public static class CropRef
{
    /// <summary>y[n, c, i, j] = x[n, c, i + top, j + left] for a (N, C, height, width) y.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, Shape xs, int height, int width, int top, int left) where T : IFloatingPointIeee754<T>
    {
        for (int p = 0; p < xs.N * xs.C; p++)
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++)
                    y[(p * height + i) * width + j] = x[(p * xs.H + i + top) * xs.W + j + left];
    }

    /// <summary>dx (shape <paramref name="xs"/>) = dy inside the window at (top, left), zero elsewhere.</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, Span<T> dx, Shape xs, int height, int width, int top, int left) where T : IFloatingPointIeee754<T>
    {
        dx.Clear();
        for (int p = 0; p < xs.N * xs.C; p++)
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++)
                    dx[(p * xs.H + i + top) * xs.W + j + left] = dy[(p * height + i) * width + j];
    }
}
