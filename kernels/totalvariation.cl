/* totalvariation.cl — total variation terms and gradient (RawConv.Ops.TotalVariation; the host sums
 * the terms with reduce.cl).
 *
 * tv_terms:       x (P, H, W) with P = N·C; a = x[h,w+1] − x[h,w], b = x[h+1,w] − x[h,w] (0 past the last
 *                 column / row: replicate padding, as Mahendran–Vedaldi's code); t = (a² + b²)^(β/2).
 * tv_backward:    dx = ∂Σt/∂x, gathering the three terms that touch each pixel; g = (β/2)·s^(β/2−1),
 *                 taken as 0 where s = a² + b² = 0. Launch: 1-D over P·H·W.
 * Must match RawConv.Ops.Reference.TotalVariationRef.
 */
#include "common.h"

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
