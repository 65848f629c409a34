/* gram.cl — Gram matrices of feature maps (texture synthesis, style transfer) and their backward.
 *
 * gram_forward:  x (N, C, HW) → G (N, C, C), G[n,c,d] = scale · Σ_k x[n,c,k] · x[n,d,k]
 * gram_backward: dx[n,c,k] = scale · Σ_d (dG[n,c,d] + dG[n,d,c]) · x[n,d,k]
 * Both are small GEMMs (X·Xᵀ and S·X with S = dG + dGᵀ), tiled GT×GT in local memory.
 * Launch: 3-D, local (GT, GT, 1); forward global (C, C, N) rounded up — dim 0 = d, dim 1 = c;
 * backward global (HW, C, N) rounded up — dim 0 = k, dim 1 = c. Out-of-range tiles load zeros.
 * Must match RawConv.Ops.Reference.GramRef (up to summation order).
 */
#include "common.h"

#define GT 16

__kernel void gram_forward(__global float* restrict G, __global const float* restrict x,
                           int C, int HW, float scale)
{
    __local float xc[GT][GT + 1];
    __local float xd[GT][GT + 1];
    int ld = (int)get_local_id(0), lc = (int)get_local_id(1);
    int d = (int)get_global_id(0), c = (int)get_global_id(1), n = (int)get_global_id(2);
    int c0 = (int)get_group_id(1) * GT, d0 = (int)get_group_id(0) * GT;
    __global const float* xn = x + (long)n * C * HW;
    float acc = 0.0f;
    for (int k0 = 0; k0 < HW; k0 += GT) {
        int k = k0 + ld;
        xc[lc][ld] = (c0 + lc < C && k < HW) ? xn[(c0 + lc) * HW + k] : 0.0f;
        xd[lc][ld] = (d0 + lc < C && k < HW) ? xn[(d0 + lc) * HW + k] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < GT; kk++) acc += xc[lc][kk] * xd[ld][kk];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (c < C && d < C) G[((long)n * C + c) * C + d] = scale * acc;
}

__kernel void gram_backward(__global float* restrict dx, __global const float* restrict x,
                            __global const float* restrict dG, int C, int HW, float scale)
{
    __local float sm[GT][GT + 1];
    __local float xs[GT][GT + 1];
    int lk = (int)get_local_id(0), lc = (int)get_local_id(1);
    int k = (int)get_global_id(0), c = (int)get_global_id(1), n = (int)get_global_id(2);
    int c0 = (int)get_group_id(1) * GT;
    __global const float* xn = x + (long)n * C * HW;
    __global const float* gn = dG + (long)n * C * C;
    float acc = 0.0f;
    for (int d0 = 0; d0 < C; d0 += GT) {
        int cc = c0 + lc, dd = d0 + lk;
        sm[lc][lk] = (cc < C && dd < C) ? gn[cc * C + dd] + gn[dd * C + cc] : 0.0f;
        xs[lc][lk] = (d0 + lc < C && k < HW) ? xn[(d0 + lc) * HW + k] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int j = 0; j < GT; j++) acc += sm[lc][j] * xs[j][lk];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (c < C && k < HW) dx[((long)n * C + c) * HW + k] = scale * acc;
}
