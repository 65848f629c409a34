/* leakyrelu.cl — leaky ReLU backward under the three rules (the forward is relu.cl's relu_forward with the slope).
 *
 * Forward (relu_forward): y = x > 0 ? x : slope·x, 0 ≤ slope < 1.
 * leaky_relu_backward: rule 0 Standard  dx = dy · (x > 0 ? 1 : slope)              (the true gradient)
 *                      rule 1 Deconvnet dx = dy > 0 ? dy : slope·dy                 (the unit's own leaky
 *                                       nonlinearity applied to the signal, as Zeiler & Fergus rectify it)
 *                      rule 2 Guided    dx = dy > 0 ? dy · (x > 0 ? 1 : slope) : 0   (Springenberg et al.)
 *   Unlike relu_backward's deconvnet rule (max(dy, 0) whatever the slope), the deconvnet rule here leaks
 *   the negative signal by the same slope the forward leaks negative inputs. Leak terms are 0 + slope·v,
 *   so slope 0 gives +0, never −0, and each rule reduces to plain ReLU's bit for bit.
 * Layout: flat arrays of n floats (any shape). Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.LeakyReluRef.
 */
#include "common.h"

__kernel void leaky_relu_backward(__global float* restrict dx, __global const float* restrict x,
                                  __global const float* restrict dy, int n, int rule, float slope)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float g = dy[i];
    float through = x[i] > 0.0f ? g : 0.0f + slope * g;
    dx[i] = rule == 1 ? (g > 0.0f ? g : 0.0f + slope * g)
          : rule == 2 ? (g > 0.0f ? through : 0.0f)
          : through;
}
