/* topk.cl — top-k along rows (RawConv.Ops.TopK).
 *
 * topk_rows:      x (rows, cols) → values, indices (rows, k), descending, ties by lower index first.
 *                 One group of TK_LOCAL per row; k passes, each picks the best element ordered after the
 *                 previous pick (value desc, index asc) by a strided scan and a tree reduction.
 * Must match RawConv.Ops.Reference.TopKRef.
 */
#include "common.h"

#define TK_LOCAL 128

__kernel void topk_rows(__global float* restrict values, __global int* restrict indices,
                        __global const float* restrict x, int cols, int k)
{
    __local float rv[TK_LOCAL];
    __local int ri[TK_LOCAL];
    int row = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    __global const float* xr = x + (long)row * cols;
    float pv = 0.0f;
    int pi = -1;
    for (int t = 0; t < k; t++) {
        float bv = 0.0f;
        int bi = -1;
        for (int j = lid; j < cols; j += TK_LOCAL) {
            float v = xr[j];
            int after = pi < 0 || v < pv || (v == pv && j > pi);
            if (after && (bi < 0 || v > bv)) { bv = v; bi = j; }
        }
        rv[lid] = bv;
        ri[lid] = bi;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = TK_LOCAL / 2; s > 0; s >>= 1) {
            if (lid < s) {
                float ov = rv[lid + s];
                int oi = ri[lid + s];
                if (oi >= 0 && (ri[lid] < 0 || ov > rv[lid] || (ov == rv[lid] && oi < ri[lid]))) {
                    rv[lid] = ov;
                    ri[lid] = oi;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        pv = rv[0];
        pi = ri[0];
        if (lid == 0) {
            values[(long)row * k + t] = pv;
            indices[(long)row * k + t] = pi;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
