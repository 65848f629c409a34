/* reduce.cl — reductions: whole-tensor partial sums and sums over chosen axes (RawConv.Ops.Reduce).
 *
 * reduce_partial: partials[g] = reduction over the elements i ≡ (g·RD_LOCAL + lid) mod global of x
 *                 (op 0: Σx, 1: Σx², 2: max |x|, 3: Σ|x|). Launch: 1-D, G groups of RD_LOCAL, G chosen from n
 *                 alone, so the summation order is fixed; the host finishes the G partials in double.
 * reduce_axes:    x viewed as (d0, d1, d2, d3) whose dims alternate reduced/kept (d0 reduced iff
 *                 firstReduced); y[kept index] = Σ over the reduced dims. Launch: one group per output,
 *                 local size a power of two ≤ RD_LOCAL; strided loop plus tree reduction.
 * Must match RawConv.Ops.Reference.ReduceRef.
 */
#include "common.h"

#define RD_LOCAL 256

__kernel void reduce_partial(__global float* restrict partials, __global const float* restrict x, int n, int op)
{
    __local float red[RD_LOCAL];
    int lid = (int)get_local_id(0);
    int stride = (int)get_global_size(0);
    float acc = 0.0f;
    for (int i = (int)get_global_id(0); i < n; i += stride) {
        float v = x[i];
        acc = op == 0 ? acc + v : op == 1 ? acc + v * v : op == 3 ? acc + fabs(v) : fmax(acc, fabs(v));
    }
    red[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = RD_LOCAL / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] = op == 2 ? fmax(red[lid], red[lid + s]) : red[lid] + red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partials[get_group_id(0)] = red[0];
}

__kernel void reduce_axes(__global float* restrict y, __global const float* restrict x,
                          int d0, int d1, int d2, int d3, int firstReduced)
{
    __local float red[RD_LOCAL];
    int o = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    int L = (int)get_local_size(0);
    int count = firstReduced ? d0 * d2 : d1 * d3;
    float acc = 0.0f;
    for (int t = lid; t < count; t += L) {
        int i0, i1, i2, i3;
        if (firstReduced) { i0 = t / d2; i2 = t % d2; i1 = o / d3; i3 = o % d3; }
        else { i1 = t / d3; i3 = t % d3; i0 = o / d2; i2 = o % d2; }
        acc += x[((i0 * d1 + i1) * d2 + i2) * d3 + i3];
    }
    red[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[o] = red[0];
}
