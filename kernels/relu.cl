/* relu.cl — ReLU (leaky with a slope) forward and its three backward rules.
 *
 * relu_forward:  y = x > 0 ? x : slope·x, computed as max(x, 0) + slope·min(x, 0) so that slope = 0
 *                (plain ReLU, the default) gives +0 for negative x, bit for bit max(x, 0).
 * relu_backward: rule 0 Standard  dx = dy · (x > 0 ? 1 : slope)             (the true gradient)
 *                rule 1 Deconvnet dx = max(dy, 0)                          (Zeiler & Fergus: rectify the signal)
 *                rule 2 Guided    dx = dy · (x > 0 ? 1 : slope) · [dy > 0]  (Springenberg et al.)
 *   A leaky unit under the deconvnet rule still ignores x and its slope: the rule rectifies the signal
 *   flowing down, whatever the forward did. Under the guided rule the slope enters through the true
 *   gradient's factor and the [dy > 0] guide still drops every negative signal. The leak term is
 *   0 + slope·dy, so slope = 0 gives +0 where the plain rules give 0 (never −0).
 * Layout: flat arrays of n floats (any shape). Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.ReluRef.
 */
#include "common.h"

__kernel void relu_forward(__global float* restrict y, __global const float* restrict x, int n, float slope)
{
    int i = (int)get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f) + slope * fmin(x[i], 0.0f);
}

__kernel void relu_backward(__global float* restrict dx, __global const float* restrict x,
                            __global const float* restrict dy, int n, int rule, float slope)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float g = dy[i];
    float through = x[i] > 0.0f ? g : 0.0f + slope * g;
    dx[i] = rule == 1 ? (g > 0.0f ? g : 0.0f)
          : rule == 2 ? (g > 0.0f ? through : 0.0f)
          : through;
}
