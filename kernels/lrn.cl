/* lrn.cl — local response normalization across channels (Caffe ACROSS_CHANNELS = ONNX LRN).
 *
 * scale[c] = k + (alpha / size) · Σ_{c' = c − lo … c + hi, 0 ≤ c' < C} x[c']²,  lo = (size − 1) / 2 (floor),
 * hi = size / 2 (= ceil((size − 1) / 2), ONNX's window for even sizes);  y[c] = x[c] · scale[c]^(−beta).
 * Backward: dx[c] = dy[c]·scale[c]^(−beta) − (2·alpha·beta / size) · x[c] · Σ_{c'' : c ∈ window(c'')} r[c''],
 * r = dy·y / scale; the c'' whose window holds c are c − hi … c + lo (the transposed window, which
 * differs from the forward one only for even sizes). Two passes: lrn_backward_scale writes r and the
 * first term into dx; lrn_backward_window subtracts the second term in place.
 * scale^(−beta) is written exp2(−beta · log2(scale)) (scale ≥ k > 0), the expression the CUDA prelude's pow
 * expands to, so both backends evaluate the same formula.
 * Layout: x, y, dy, dx, r (N, C, H, W) float32; HW = H·W (any trailing dims). Launch: 3-D, one work-item
 * per element: dim 0 = h·W + w < HW, dim 1 = c < C (both rounded up to the local size and bounds-checked),
 * dim 2 = n − n0 (exact; the host launches at most 65535 images at a time). Window sums run in
 * ascending channel order.
 * Must match RawConv.Ops.Reference.LrnRef.
 */
#include "common.h"

#define LRN_SCALE(xp, c, C, HW, size, alpha, k, s)                               \
    do {                                                                          \
        float acc_ = 0.0f;                                                        \
        for (int q_ = max((c) - ((size) - 1) / 2, 0); q_ <= min((c) + (size) / 2, (C) - 1); q_++) { \
            float v_ = (xp)[(size_t)q_ * (HW)];                                   \
            acc_ += v_ * v_;                                                      \
        }                                                                         \
        (s) = (k) + (alpha) / (float)(size) * acc_;                               \
    } while (0)

/* Sets i (flat element), c and the pointer base of channel 0 at this pixel, or returns when out of range. */
#define LRN_INDEX(C, HW, n0)                                                      \
    int hw = (int)get_global_id(0), c = (int)get_global_id(1);                    \
    if (hw >= (HW) || c >= (C)) return;                                           \
    size_t base = ((size_t)(n0) + get_global_id(2)) * (C) * (HW) + hw;            \
    size_t i = base + (size_t)c * (HW)

__kernel void lrn_forward(__global float* restrict y, __global const float* restrict x, int C, int HW,
                          int size, float alpha, float beta, float k, int n0)
{
    LRN_INDEX(C, HW, n0);
    float s;
    LRN_SCALE(x + base, c, C, HW, size, alpha, k, s);
    y[i] = x[i] * exp2(-beta * log2(s));
}

__kernel void lrn_backward_scale(__global float* restrict dx, __global float* restrict r,
                                 __global const float* restrict x, __global const float* restrict y,
                                 __global const float* restrict dy, int C, int HW,
                                 int size, float alpha, float beta, float k, int n0)
{
    LRN_INDEX(C, HW, n0);
    float s;
    LRN_SCALE(x + base, c, C, HW, size, alpha, k, s);
    r[i] = dy[i] * y[i] / s;
    dx[i] = dy[i] * exp2(-beta * log2(s));
}

__kernel void lrn_backward_window(__global float* restrict dx, __global const float* restrict r,
                                  __global const float* restrict x, int C, int HW,
                                  int size, float alpha, float beta, int n0)
{
    LRN_INDEX(C, HW, n0);
    float acc = 0.0f;
    for (int q = max(c - size / 2, 0); q <= min(c + (size - 1) / 2, C - 1); q++)
        acc += r[base + (size_t)q * HW];
    dx[i] -= 2.0f * alpha * beta / (float)size * x[i] * acc;
}
