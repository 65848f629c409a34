/* relu.cl — ReLU forward and its three backward rules.
 *
 * relu_forward:  y = max(x, 0)
 * relu_backward: rule 0 Standard  dx = dy · [x > 0]
 *                rule 1 Deconvnet dx = max(dy, 0)            (Zeiler & Fergus: rectify the signal)
 *                rule 2 Guided    dx = dy · [x > 0] · [dy > 0] (Springenberg et al.)
 * Layout: flat arrays of n floats (any shape). Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.ReluRef.
 */
#include "common.h"

__kernel void relu_forward(__global float* restrict y, __global const float* restrict x, int n)
{
    int i = (int)get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f);
}

__kernel void relu_backward(__global float* restrict dx, __global const float* restrict x,
                            __global const float* restrict dy, int n, int rule)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float g = dy[i];
    int pass = rule == 1 ? g > 0.0f
             : rule == 2 ? (x[i] > 0.0f && g > 0.0f)
             : x[i] > 0.0f;
    dx[i] = pass ? g : 0.0f;
}
