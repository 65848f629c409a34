/* conv2d.cl — the data movement around gemm.cl that turns convolution into GEMMs. Family: RawConv.Ops.Conv2d
 * and ConvTranspose2d (transposed convolution is convolution's backward-data); channel_sum also gives
 * Linear its bias gradient (one channel per output feature).
 *
 * Layouts: x (N, C, H, W), y (N, K, OH, OW), P = OH·OW; a "column" j = (n − n0)·P + oh·OW + ow
 * indexes the output pixels of a chunk of nb images starting at image n0; a "row"
 * q = (c·R + r)·S + s indexes the C·R·S taps (groups stacked: c = g·C/g + c').
 *
 * im2col: col[q·qStride + j·jStride] = x[n, c, oh·sh − ph + r·dh, ow·sw − pw + s·dw] (0 outside).
 *   jStride = 1, qStride = nb·P gives (taps × pixels): the B of forward, the A of backward-filter
 *   (qStride = 1, jStride = C·R·S would give pixels × taps). One work-item per (tap q, image) loops over the
 *   image's P pixels: few, large work-groups (PoCL pays per work-group). Dim 0 over q, dim 1 over
 *   images of the chunk. Launch: global (C·R·S, nb).
 * col2im: the adjoint, as a gather (no atomics): dx[n, c, h, w] = Σ_{r,s} col[q, j] over the taps
 *   whose output pixel (oh, ow) exists, plus bias[c] when useBias. Dim 0 over (n − n0, c, h, w)
 *   flattened. Launch: global nb·C·H·W.
 * nchw_to_rows: out[k·ld + (n − n0)·P + p] = in[((n·K + k)·P + p], the (K × nb·P) matrix of an
 *   NCHW tensor. Dim 0 over p, dim 1 over k, dim 2 over n − n0.
 * flip_filters: wf[g·C/g + c, k', R−1−r, S−1−s] = w[g·K/g + k', c, r, s], wf (C, K/g, R, S): with
 *   stride 1, dx = conv(dy, wf) with padding dil·(R−1) − pad, so backward-data runs as a forward
 *   convolution (one long GEMM reduction instead of a wide column buffer and col2im). Dim 0 over
 *   the K·C/g filter planes of w.
 * channel_sum: out[k] = beta·out[k] + Σ_{n,p} in[(n·K + k)·P + p]; one work-item per k.
 * Must match RawConv.Ops.Reference.Conv2dRef.
 */
#include "common.h"

__kernel void im2col(__global float* restrict col, __global const float* restrict x,
                     int n0, int nb, int C, int H, int W, int R, int S, int OH, int OW,
                     int sh, int sw, int ph, int pw, int dh, int dw, int qStride, int jStride)
{
    int q = (int)get_global_id(0);
    int nl = (int)get_global_id(1);
    if (q >= C * R * S || nl >= nb) return;
    int s = q % S, r = (q / S) % R, c = q / (R * S);
    const __global float* in = x + ((n0 + nl) * C + c) * H * W;
    __global float* out = col + q * qStride + nl * OH * OW * jStride;
    for (int oh = 0; oh < OH; oh++) {
        int ih = oh * sh - ph + r * dh;
        bool rowIn = ih >= 0 && ih < H;
        const __global float* inRow = in + ih * W;
        for (int ow = 0; ow < OW; ow++) {
            int iw = ow * sw - pw + s * dw;
            out[(oh * OW + ow) * jStride] = rowIn && iw >= 0 && iw < W ? inRow[iw] : 0.0f;
        }
    }
}

__kernel void col2im(__global float* restrict dx, __global const float* restrict col,
                     __global const float* restrict bias, int useBias,
                     int n0, int nb, int C, int H, int W, int R, int S, int OH, int OW,
                     int sh, int sw, int ph, int pw, int dh, int dw)
{
    int i = (int)get_global_id(0);
    if (i >= nb * C * H * W) return;
    int w = i % W, h = (i / W) % H, c = (i / (W * H)) % C, nl = i / (W * H * C);
    int P = OH * OW, ld = nb * P;
    float acc = useBias ? bias[c] : 0.0f;
    /* Only the output rows/columns whose window covers (h, w): oh·sh = h + ph − r·dh, 0 ≤ r < R. */
    int hp = h + ph, wp = w + pw;
    int ohLo = hp - dh * (R - 1) <= 0 ? 0 : DIV_UP(hp - dh * (R - 1), sh), ohHi = min(OH - 1, hp / sh);
    int owLo = wp - dw * (S - 1) <= 0 ? 0 : DIV_UP(wp - dw * (S - 1), sw), owHi = min(OW - 1, wp / sw);
    const __global float* base = col + c * R * S * ld + nl * P;
    for (int oh = ohLo; oh <= ohHi; oh++) {
        int th = hp - oh * sh;
        if (th % dh != 0) continue;
        const __global float* rowBase = base + (th / dh) * S * ld + oh * OW;
        for (int ow = owLo; ow <= owHi; ow++) {
            int tw = wp - ow * sw;
            if (tw % dw != 0) continue;
            acc += rowBase[(tw / dw) * ld + ow];
        }
    }
    dx[n0 * C * H * W + i] = acc;
}

__kernel void nchw_to_rows(__global float* restrict out, __global const float* restrict in,
                           int n0, int nb, int K, int P)
{
    int p = (int)get_global_id(0);
    int k = (int)get_global_id(1);
    int nl = (int)get_global_id(2);
    if (p >= P || k >= K || nl >= nb) return;
    out[k * nb * P + nl * P + p] = in[((n0 + nl) * K + k) * P + p];
}

__kernel void channel_sum(__global float* restrict out, __global const float* restrict in, int N, int K, int P, float beta)
{
    int k = (int)get_global_id(0);
    if (k >= K) return;
    float acc = 0.0f;
    for (int n = 0; n < N; n++) {
        const __global float* row = in + (n * K + k) * P;
        for (int p = 0; p < P; p++) acc += row[p];
    }
    out[k] = beta * out[k] + acc;
}

__kernel void flip_filters(__global float* restrict wf, __global const float* restrict w, int K, int Cg, int R, int S, int G)
{
    /* One work-item per (k, c) filter plane: the plane is copied reversed. */
    int i = (int)get_global_id(0);
    if (i >= K * Cg) return;
    int c = i % Cg, k = i / Cg, Kg = K / G, g = k / Kg, kk = k % Kg, RS = R * S;
    const __global float* src = w + i * RS;
    __global float* dst = wf + ((g * Cg + c) * Kg + kk) * RS + RS - 1;
    for (int t = 0; t < RS; t++) dst[-t] = src[t];
}
