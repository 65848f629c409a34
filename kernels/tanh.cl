/* tanh.cl — hyperbolic tangent forward and backward (a generator's output nonlinearity).
 *
 * tanh_forward:  y = tanh(x), evaluated as sign(x) · (1 − t) / (1 + t) with t = exp(−2|x|) ∈ (0, 1]: no overflow
 *                for any finite x (large |x| gives t = 0 and y = ±1 exactly), and the same expression on OpenCL
 *                and on CUDA, whose prelude has exp but no tanh without libdevice. Near 0 the subtraction 1 − t
 *                loses relative precision, but the absolute error stays ≈ 1e-7, inside the forward tolerance.
 * tanh_backward: dx = dy · (1 − y²) from the forward output y (cheaper than recomputing from x, as PyTorch does).
 * Layout: flat arrays of n floats (any shape). Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.TanhRef.
 */
#include "common.h"

__kernel void tanh_forward(__global float* restrict y, __global const float* restrict x, int n)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float t = exp(-2.0f * fabs(x[i]));
    y[i] = copysign((1.0f - t) / (1.0f + t), x[i]);
}

__kernel void tanh_backward(__global float* restrict dx, __global const float* restrict y,
                            __global const float* restrict dy, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
