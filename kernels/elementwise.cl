/* elementwise.cl — flat elementwise helpers on float arrays of n elements (any shape).
 *
 * ew_axpy:      y += a·x (in place)
 * ew_add:       z = a + b
 * ew_mul:       z = a · b
 * ew_scale:     y = s·x (y may alias x: in place)
 * ew_clamp:     y = min(max(x, lo), hi)
 * ew_clamp_backward: dx = dy · [lo ≤ x ≤ hi] (the gradient passes on the closed interval, as in PyTorch)
 * ew_fill:      x = value
 * Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.ElementwiseRef.
 */
#include "common.h"

__kernel void ew_axpy(__global float* y, __global const float* x, float a, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) y[i] = fma(a, x[i], y[i]);
}

__kernel void ew_add(__global float* restrict z, __global const float* a, __global const float* b, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) z[i] = a[i] + b[i];
}

__kernel void ew_mul(__global float* restrict z, __global const float* a, __global const float* b, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) z[i] = a[i] * b[i];
}

__kernel void ew_scale(__global float* y, __global const float* x, float s, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) y[i] = s * x[i];
}

__kernel void ew_clamp(__global float* restrict y, __global const float* restrict x, float lo, float hi, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) y[i] = fmin(fmax(x[i], lo), hi);
}

__kernel void ew_clamp_backward(__global float* restrict dx, __global const float* restrict x,
                                __global const float* restrict dy, float lo, float hi, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) dx[i] = (x[i] >= lo && x[i] <= hi) ? dy[i] : 0.0f;
}

__kernel void ew_fill(__global float* x, float value, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) x[i] = value;
}
