/* crop.cl — a spatial crop of every (n, c) plane and its adjoint (zero padding), as a generator's last layer uses.
 *
 * crop_forward:  y[n, c, i, j] = x[n, c, i + top, j + left],  y (N, C, Hy, Wy), x (N, C, Hx, Wx),
 *                0 ≤ top ≤ Hx − Hy, 0 ≤ left ≤ Wx − Wy.
 * crop_backward: dx[n, c, h, w] = dy[n, c, h − top, w − left] inside the window, 0 outside: a gather over dx,
 *                so every element is written once (no zero fill, no atomics).
 * Layout: NCHW, contiguous. Launch: 1-D, one output element (forward: of y, backward: of dx) per work-item,
 * global ≥ that count; planes = N·C.
 * Must match RawConv.Ops.Reference.CropRef.
 */
#include "common.h"

__kernel void crop_forward(__global float* restrict y, __global const float* restrict x, int planes,
                           int Hx, int Wx, int Hy, int Wy, int top, int left)
{
    int i = (int)get_global_id(0);
    if (i >= planes * Hy * Wy) return;
    int j = i % Wy, r = (i / Wy) % Hy, p = i / (Wy * Hy);
    y[i] = x[(p * Hx + r + top) * Wx + j + left];
}

__kernel void crop_backward(__global float* restrict dx, __global const float* restrict dy, int planes,
                            int Hx, int Wx, int Hy, int Wy, int top, int left)
{
    int i = (int)get_global_id(0);
    if (i >= planes * Hx * Wx) return;
    int w = i % Wx - left, h = (i / Wx) % Hx - top, p = i / (Wx * Hx);
    dx[i] = h >= 0 && h < Hy && w >= 0 && w < Wy ? dy[(p * Hy + h) * Wy + w] : 0.0f;
}
