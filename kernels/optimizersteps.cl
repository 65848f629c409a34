/* optimizersteps.cl — fused per-element optimizer updates (RawConv.Ops.OptimizerSteps), in place on the
 * parameter and its state, in the order of PyTorch's single-tensor torch.optim.Adam:
 *
 * adam_step:  g ← sign·g[i] + decay·p (sign = −1 maximizes; decay is L2 weight decay)
 *             m ← β1·m + c1·g            (c1 = 1 − β1)
 *             v ← β2·v + c2·g·g          (c2 = 1 − β2)
 *             p ← p − step·m / (√v / bc2sqrt + eps)
 *             c1, c2, step = lr / (1 − β1^t) and bc2sqrt = √(1 − β2^t) come from the host, worked out
 *             in double as PyTorch does (t = 1-based step).
 * Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.OptimizerStepsRef.
 */
#include "common.h"

__kernel void adam_step(__global float* restrict p, __global const float* restrict g,
                        __global float* restrict m, __global float* restrict v,
                        float step, float beta1, float c1, float beta2, float c2, float eps, float bc2sqrt,
                        float decay, float sign, int n)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float w = p[i];
    float gi = sign * g[i] + decay * w;
    float mi = beta1 * m[i] + c1 * gi;
    float vi = beta2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = w - step * mi / (sqrt(vi) / bc2sqrt + eps);
}
