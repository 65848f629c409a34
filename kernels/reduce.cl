/* reduce.cl — reductions: whole-tensor partial sums, sums over chosen axes, total variation terms
 * and gradient, and top-k along rows.
 *
 * reduce_partial: partials[g] = reduction over the elements i ≡ (g·RD_LOCAL + lid) mod global of x
 *                 (op 0: Σx, 1: Σx², 2: max |x|). Launch: 1-D, G groups of RD_LOCAL, G chosen from n
 *                 alone, so the summation order is fixed; the host finishes the G partials in double.
 * reduce_axes:    x viewed as (d0, d1, d2, d3) whose dims alternate reduced/kept (d0 reduced iff
 *                 firstReduced); y[kept index] = Σ over the reduced dims. Launch: one group per output,
 *                 local size a power of two ≤ RD_LOCAL; strided loop plus tree reduction.
 * tv_terms:       x (P, H, W) with P = N·C; a = x[h,w+1] − x[h,w], b = x[h+1,w] − x[h,w] (0 past the last
 *                 column / row: replicate padding, as Mahendran–Vedaldi's code); t = (a² + b²)^(β/2).
 * tv_backward:    dx = ∂Σt/∂x, gathering the three terms that touch each pixel; g = (β/2)·s^(β/2−1),
 *                 taken as 0 where s = a² + b² = 0. Launch: 1-D over P·H·W.
 * topk_rows:      x (rows, cols) → values, indices (rows, k), descending, ties by lower index first.
 *                 One group of TK_LOCAL per row; k passes, each picks the best element ordered after the
 *                 previous pick (value desc, index asc) by a strided scan and a tree reduction.
 * Must match RawConv.Ops.Reference.ReduceRef, TotalVariationRef and TopKRef.
 */
#include "common.h"

#define RD_LOCAL 256
#define TK_LOCAL 128

__kernel void reduce_partial(__global float* restrict partials, __global const float* restrict x, int n, int op)
{
    __local float red[RD_LOCAL];
    int lid = (int)get_local_id(0);
    int stride = (int)get_global_size(0);
    float acc = 0.0f;
    for (int i = (int)get_global_id(0); i < n; i += stride) {
        float v = x[i];
        acc = op == 0 ? acc + v : op == 1 ? acc + v * v : fmax(acc, fabs(v));
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

#define TV_AB(p, h, w, a, b)                                                   \
    a = (w) + 1 < W ? x[(p) + (h) * W + (w) + 1] - x[(p) + (h) * W + (w)] : 0.0f; \
    b = (h) + 1 < H ? x[(p) + ((h) + 1) * W + (w)] - x[(p) + (h) * W + (w)] : 0.0f;

/* (β/2)·s^(β/2 − 1), 0 where s = 0. */
RC_FN float rc_tv_g(float s, float beta)
{
    return s > 0.0f ? (beta == 2.0f ? 1.0f : 0.5f * beta * pow(s, 0.5f * beta - 1.0f)) : 0.0f;
}

__kernel void tv_terms(__global float* restrict t, __global const float* restrict x, int H, int W, float beta, int n)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    int p = i / (H * W) * (H * W), h = i / W % H, w = i % W;
    float a, b;
    TV_AB(p, h, w, a, b)
    float s = a * a + b * b;
    t[i] = beta == 2.0f ? s : (s > 0.0f ? pow(s, 0.5f * beta) : 0.0f);
}

__kernel void tv_backward(__global float* restrict dx, __global const float* restrict x, int H, int W, float beta, int n)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    int p = i / (H * W) * (H * W), h = i / W % H, w = i % W;
    float a, b;
    TV_AB(p, h, w, a, b)
    float g = -2.0f * rc_tv_g(a * a + b * b, beta) * (a + b);
    if (w > 0) {
        TV_AB(p, h, w - 1, a, b)
        g += 2.0f * rc_tv_g(a * a + b * b, beta) * a;
    }
    if (h > 0) {
        TV_AB(p, h - 1, w, a, b)
        g += 2.0f * rc_tv_g(a * a + b * b, beta) * b;
    }
    dx[i] = g;
}

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
