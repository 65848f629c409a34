/* gram.cl — Gram matrices of feature maps (texture synthesis, style transfer).
 *
 * gram_xxt: G[n,c,d] = scale · Σ_k x[n,c,k] · x[n,d,k], x (N, C, K) and G (N, C, C) float32, K = H·W.
 *   Both operands run along k, so no transpose is needed: each work-item holds a 4 × 4 block of G as
 *   16 float16 partial sums (8 float16 loads feed 16 vector FMAs per step of 16 k), reduced at the end;
 *   the last K % 16 run scalar. Launch: 3-D, dim 0 = block of 4 d, dim 1 = block of 4 c (ceil(C/4) each,
 *   rounded up to the local size and bounds-checked), dim 2 = n (exact).
 * gram_sym: S[n,c,d] = dG[n,c,d] + dG[n,d,c], dG and S (N, C, C) float32: the seed of the backward
 *   dx = scale · S·X, which runs on gemm.cl's gemm_nn (see RawConv.Ops.Gram). Launch: 3-D, dim 0 = d < C,
 *   dim 1 = c < C (both rounded up to the local size and bounds-checked), dim 2 = n (exact).
 * Must match RawConv.Ops.Reference.GramRef (up to summation order).
 */
#include "common.h"

__kernel void gram_sym(__global float* restrict S, __global const float* restrict dG, int C)
{
    int d = (int)get_global_id(0), c = (int)get_global_id(1);
    if (d >= C || c >= C) return;
    size_t g = get_global_id(2) * (size_t)C * C;
    S[g + (size_t)c * C + d] = dG[g + (size_t)c * C + d] + dG[g + (size_t)d * C + c];
}

#define G_ROW(i) __global const float* rc##i = xn + (size_t)min(c0 + i, C - 1) * K; \
                 __global const float* rd##i = xn + (size_t)min(d0 + i, C - 1) * K;
#define G_LOADC(i) float16 vc##i = vload16(0, rc##i + k);
#define G_LOADD(i) float16 vd##i = vload16(0, rd##i + k);
#define G_FMA(i) a##i##0 += vc##i * vd0; a##i##1 += vc##i * vd1; a##i##2 += vc##i * vd2; a##i##3 += vc##i * vd3;
#define G_ZERO(i) float16 a##i##0 = (float16)(0.0f), a##i##1 = a##i##0, a##i##2 = a##i##0, a##i##3 = a##i##0;
#define G_FOUR(X) X(0) X(1) X(2) X(3)

RC_FN float gram_hsum(float16 v)
{
    float8 h = v.lo + v.hi;
    float4 q = h.lo + h.hi;
    return (q.x + q.y) + (q.z + q.w);
}

/* One finished element: vector partial sum, scalar tail, scale, store when inside G. */
#define G_STORE(i, j) if (c0 + i < C && d0 + j < C) {                                             \
        float t = gram_hsum(a##i##j);                                                              \
        for (int k = kv; k < K; k++) t += rc##i[k] * rd##j[k];                                     \
        gn[(size_t)(c0 + i) * C + d0 + j] = scale * t; }
#define G_STORE_ROW(i) G_STORE(i, 0) G_STORE(i, 1) G_STORE(i, 2) G_STORE(i, 3)

__kernel void gram_xxt(__global float* restrict G, __global const float* restrict x, int C, int K, float scale)
{
    int d0 = (int)get_global_id(0) * 4, c0 = (int)get_global_id(1) * 4;
    if (d0 >= C || c0 >= C) return;
    __global const float* xn = x + get_global_id(2) * (size_t)C * K;
    __global float* gn = G + get_global_id(2) * (size_t)C * C;
    G_FOUR(G_ROW)
    G_FOUR(G_ZERO)
    int kv = K - K % 16;
    for (int k = 0; k < kv; k += 16) {
        G_FOUR(G_LOADC)
        G_FOUR(G_LOADD)
        G_FOUR(G_FMA)
    }
    G_FOUR(G_STORE_ROW)
}
