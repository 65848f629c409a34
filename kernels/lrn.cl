/* lrn.cl — local response normalization across channels (Caffe ACROSS_CHANNELS = ONNX LRN).
 *
 * scale[c] = k + (alpha / size) · Σ_{c' = c − lo … c + hi, 0 ≤ c' < C} x[c']²,  lo = (size − 1) / 2 (floor),
 * hi = size / 2 (= ceil((size − 1) / 2), ONNX's window for even sizes);  y[c] = x[c] · scale[c]^(−beta).
 * Backward: dx[c] = dy[c]·scale[c]^(−beta) − (2·alpha·beta / size) · x[c] · Σ_{c'' : c ∈ window(c'')} r[c''],
 * r = dy·y / scale; the c'' whose window holds c are c − hi … c + lo (the transposed window, which
 * differs from the forward one only for even sizes). lrn_backward makes one sweep over the channels of
 * its pixels for size ≤ LRN_RING (r of the last size channels in a private ring; channel c − lo is
 * finished once r[c] exists); longer windows take two sweeps through r, a scratch tensor shaped like x
 * (the host passes dx in its place when it is unused): the first writes r and the first term into dx, the
 * second subtracts the window sums in place. Either way a work-item touches only its own pixel columns.
 * scale^(−beta) is exp2(−beta · log2(scale)) (scale ≥ k > 0), the expression the CUDA prelude's pow
 * expands to; OpenCL's float16 path evaluates it with the polynomials of lrn_pow_neg16 (builtins on the
 * scalar tail). Each element pays one such power.
 * Each window sum is recomputed in ascending channel order (a sliding add/subtract would lose small
 * windows next to large ones); its taps are the same pixels in nearby channels and come from cache.
 * Layout: x, y, dy, dx, r (N, C, HW) float32; HW = H·W (any trailing dims).
 * Launch: 3-D; each work-item owns LV consecutive pixels of one image and walks all C channels:
 * dim 0 = pixel block, ceil(HW / LV) rounded up to the local size and bounds-checked; dim 1 = 1;
 * dim 2 = n − n0 (exact; the host launches at most 65535 images at a time). Variants, both in OpenCL and
 * CUDA: lrn_forward_16 / lrn_backward_16 (LV = 16, explicit float16 vectors: PoCL does not vectorize
 * across work-items through the channel loop; the CPU default) and lrn_forward_1 / lrn_backward_1 (LV = 1,
 * where the warp is the vector; the GPU default). The host picks one by KernelTuning.LrnPixels. A block
 * that runs past HW takes the scalar path.
 * Must match RawConv.Ops.Reference.LrnRef.
 */
#include "common.h"

#define V_LOAD(p) vload16(0, p)
#define V_STORE(v, p) vstore16(v, 0, p)

#ifdef RAWCONV_CUDA
/* CUDA: the float16 variant's power lane by lane, with the scalar expression. */
RC_FN float16 lrn_pow_neg16(float16 s, float beta)
{
    float16 r;
    for (int j = 0; j < 16; j++) r[j] = exp2(-beta * log2(s[j]));
    return r;
}
#else
/* s^(−beta) = exp2(−beta · log2 s) for float16, in polynomials (PoCL's vector exp2 and log2 cost ~6 ns an
 * element, ten times the rest of the op). log2: s = 2^e · m, m in [√½, √2), ln m = 2·atanh(t), t =
 * (m − 1)/(m + 1), |t| ≤ 0.172, series to t⁹ (truncation < 2e−9). exp2: z = n + f, |f| ≤ ½, e^(f·ln 2)
 * Taylor to degree 7 (truncation < 5e−9), times 2^n built in the exponent field. Relative error a few
 * ulp; lanes with s subnormal or infinite, or |z| > 125, fall back to the builtins. */
RC_FN float16 lrn_pow_neg16(float16 s, float beta)
{
    int16 bits = as_int16(s);
    int16 e = ((bits >> 23) & 0xff) - 127;
    float16 m = as_float16((bits & 0x007fffff) | 0x3f800000);
    int16 big = m > (float16)(1.41421356f);
    m = select(m, m * 0.5f, big);
    e -= big;
    float16 t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    float16 ln = 2.0f * t * (1.0f + t2 * (1.0f / 3 + t2 * (1.0f / 5 + t2 * (1.0f / 7 + t2 * (1.0f / 9)))));
    float16 z = -beta * (convert_float16(e) + ln * M_LOG2E_F);
    float16 nf = rint(z), x = (z - nf) * M_LN2_F;
    float16 p = 1.0f + x * (1.0f + x * (0.5f + x * (1.0f / 6 + x * (1.0f / 24 + x * (1.0f / 120
              + x * (1.0f / 720 + x * (1.0f / 5040)))))));
    float16 r = p * as_float16((convert_int16(nf) + 127) << 23);
    int16 bad = (s < FLT_MIN) | isinf(s) | !(fabs(z) <= 125.0f);
    if (any(bad)) return exp2(-beta * log2(s));
    return r;
}
#endif

/* Windows up to LRN_RING channels keep r = dy·y/scale of the last `size` channels in a private ring
 * (one sweep, no scratch tensor); longer ones use the scratch r (two sweeps). */
#define LRN_RING 16

#define S_LOAD(p) (*(p))
#define S_STORE(v, p) (*(p) = (v))
#define S_POW(s, beta) exp2(-(beta) * log2(s))

/* Forward and backward sweeps over the channels of one pixel block (LV pixels of type T) or one pixel. */
#define LRN_SWEEPS(SUF, T, LOAD, STORE, POW)                                                             \
/* scale[c] = k + a · Σ x[c']² over c's window, summed in ascending channel order. */             \
RC_FN T lrn_scale_##SUF(__global const float* xp, int c, int C, int HW, int lo, int hi, float a, float k) \
{                                                                                                   \
    T acc = (T)(0.0f);                                                                              \
    for (int q = max(c - lo, 0); q <= min(c + hi, C - 1); q++) {                                    \
        T t = LOAD(xp + (size_t)q * HW);                                                            \
        acc += t * t;                                                                               \
    }                                                                                               \
    return (T)(k) + a * acc;                                                                        \
}                                                                                                   \
RC_FN void lrn_fwd_##SUF(__global float* yp, __global const float* xp, int C, int HW, int lo, int hi, \
                         float a, float beta, float k)                                              \
{                                                                                                   \
    for (int c = 0; c < C; c++) {                                                                   \
        T s = lrn_scale_##SUF(xp, c, C, HW, lo, hi, a, k);                                          \
        STORE(LOAD(xp + (size_t)c * HW) * POW(s, beta), yp + (size_t)c * HW);                         \
    }                                                                                               \
}                                                                                                   \
RC_FN void lrn_bwd_##SUF(__global float* dxp, __global float* rp, __global const float* xp,        \
                         __global const float* yp, __global const float* dyp, int C, int HW,        \
                         int lo, int hi, float a, float beta, float k, float coef)                  \
{                                                                                                   \
    for (int c = 0; c < C; c++) {                                                                   \
        T s = lrn_scale_##SUF(xp, c, C, HW, lo, hi, a, k);                                          \
        size_t e = (size_t)c * HW;                                                                  \
        T g = LOAD(dyp + e);                                                                        \
        STORE(g * LOAD(yp + e) / s, rp + e);                                                        \
        STORE(g * POW(s, beta), dxp + e);                                                           \
    }                                                                                               \
    for (int c = 0; c < C; c++) {                                                                   \
        T acc = (T)(0.0f);                                                                          \
        for (int q = max(c - hi, 0); q <= min(c + lo, C - 1); q++) acc += LOAD(rp + (size_t)q * HW); \
        size_t e = (size_t)c * HW;                                                                  \
        STORE(LOAD(dxp + e) - coef * LOAD(xp + e) * acc, dxp + e);                                  \
    }                                                                                               \
}                                                                                                   \
RC_FN void lrn_bwd_ring_##SUF(__global float* dxp, __global const float* xp, __global const float* yp, \
                              __global const float* dyp, int C, int HW, int size, int lo, int hi,  \
                              float a, float beta, float k, float coef)                             \
{                                                                                                   \
    T ring[LRN_RING];                                                                               \
    for (int c = 0; c < C + lo; c++) {                                                              \
        if (c < C) {                                                                                \
            T s = lrn_scale_##SUF(xp, c, C, HW, lo, hi, a, k);                                      \
            size_t e = (size_t)c * HW;                                                              \
            T g = LOAD(dyp + e);                                                                    \
            ring[c % size] = g * LOAD(yp + e) / s;                                                  \
            STORE(g * POW(s, beta), dxp + e);                                                       \
        }                                                                                           \
        int t = c - lo;                                                                             \
        if (t < 0) continue;                                                                        \
        int q0 = max(t - hi, 0), q1 = min(c, C - 1), slot = q0 % size;                              \
        T acc = (T)(0.0f);                                                                          \
        for (int q = q0; q <= q1; q++) {                                                            \
            acc += ring[slot];                                                                      \
            slot = slot + 1 == size ? 0 : slot + 1;                                                 \
        }                                                                                           \
        size_t e = (size_t)t * HW;                                                                  \
        STORE(LOAD(dxp + e) - coef * LOAD(xp + e) * acc, dxp + e);                                  \
    }                                                                                               \
}

LRN_SWEEPS(v, float16, V_LOAD, V_STORE, lrn_pow_neg16)
LRN_SWEEPS(s, float, S_LOAD, S_STORE, S_POW)

#define LRN_ARGS int C, int HW, int size, float alpha, float beta, float k, int n0

/* One forward work-item over LV pixels: the VSUF sweep for a whole block, the scalar one past HW. */
#define LRN_FORWARD(LV, VSUF)                                                                         \
    int p0 = (int)get_global_id(0) * LV;                                                            \
    if (p0 >= HW) return;                                                                           \
    size_t base = ((size_t)n0 + get_global_id(2)) * C * HW + p0;                                    \
    int lo = (size - 1) / 2, hi = size / 2;                                                         \
    float a = alpha / (float)size;                                                                  \
    if (p0 + LV <= HW) {                                                                            \
        lrn_fwd_##VSUF(y + base, x + base, C, HW, lo, hi, a, beta, k);                              \
        return;                                                                                     \
    }                                                                                               \
    for (int j = 0; j < HW - p0; j++) lrn_fwd_s(y + base + j, x + base + j, C, HW, lo, hi, a, beta, k);

/* One backward work-item over LV pixels: one sweep with the ring for size ≤ LRN_RING, else two through r. */
#define LRN_BACKWARD(LV, VSUF)                                                                        \
    int p0 = (int)get_global_id(0) * LV;                                                            \
    if (p0 >= HW) return;                                                                           \
    size_t base = ((size_t)n0 + get_global_id(2)) * C * HW + p0;                                    \
    int lo = (size - 1) / 2, hi = size / 2, full = p0 + LV <= HW;                                   \
    float a = alpha / (float)size, coef = 2.0f * alpha * beta / (float)size;                        \
    if (size <= LRN_RING) {                                                                         \
        if (full) lrn_bwd_ring_##VSUF(dx + base, x + base, y + base, dy + base, C, HW, size, lo, hi, a, beta, k, coef); \
        else                                                                                        \
            for (int j = 0; j < HW - p0; j++)                                                       \
                lrn_bwd_ring_s(dx + base + j, x + base + j, y + base + j, dy + base + j, C, HW, size, lo, hi, a, beta, k, coef); \
        return;                                                                                     \
    }                                                                                               \
    if (full) {                                                                                     \
        lrn_bwd_##VSUF(dx + base, r + base, x + base, y + base, dy + base, C, HW, lo, hi, a, beta, k, coef); \
        return;                                                                                     \
    }                                                                                               \
    for (int j = 0; j < HW - p0; j++)                                                               \
        lrn_bwd_s(dx + base + j, r + base + j, x + base + j, y + base + j, dy + base + j, C, HW, lo, hi, a, beta, k, coef);

__kernel void lrn_forward_16(__global float* restrict y, __global const float* restrict x, LRN_ARGS) { LRN_FORWARD(16, v) }
__kernel void lrn_forward_1(__global float* restrict y, __global const float* restrict x, LRN_ARGS) { LRN_FORWARD(1, s) }

__kernel void lrn_backward_16(__global float* restrict dx, __global float* restrict r, __global const float* restrict x,
                              __global const float* restrict y, __global const float* restrict dy, LRN_ARGS) { LRN_BACKWARD(16, v) }
__kernel void lrn_backward_1(__global float* restrict dx, __global float* restrict r, __global const float* restrict x,
                             __global const float* restrict y, __global const float* restrict dy, LRN_ARGS) { LRN_BACKWARD(1, s) }
