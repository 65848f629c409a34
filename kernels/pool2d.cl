/* pool2d.cl — 2-D max pooling with switches, max unpooling, average pooling; forward and backward.
 *
 * Layouts: x (N, C, H, W), y (N, C, OH, OW), float32, row-major; "planes" = N·C.
 * Switches (idx): int32, same shape as y; each is the index h·W + w INSIDE the input's (n, c) plane
 * (Caffe's convention). Padding never wins; ties: the FIRST maximum in row-major window order wins
 * (strict '>' while scanning, starting from the first in-input tap).
 * Window of output (oh, ow): taps h = oh·sH − pH + i·dH (i < kH), w = ow·sW − pW + j·dW (j < kW).
 * Every pool kernel takes, after its buffers, the ints H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW, then
 * its own extras, then plane0.
 *
 * Backward passes are GATHERS: each input pixel scans the output windows that could contain it
 * (oh from ceil((h + pH − (kH−1)·dH) / sH) to floor((h + pH) / sH)) and sums, in (oh, ow) order, the dy
 * whose switch points at it — overlapping windows (AlexNet 3×3 / 2) need no atomics.
 * Launch: 3-D, one work-item per output element (forwards, scatter unpool, check) or per input element
 * (gathers): dim 0 = w (or the flat h·w of a plane for the unpool pair), dim 1 = h, dim 2 = plane − plane0.
 * Dims 0 and 1 are rounded up to the local size and bounds-checked; dim 2 is exact (its local size divides it) and
 * the host launches at most 65535 planes at a time (CUDA's grid z limit), passing the first as plane0.
 * No integer division per work-item (PoCL scalarizes it): the gathers divide by the stride through
 * div_floor_small, exact for dividends < 2^20 (the host checks H + pad + stride and W + pad + stride).
 * Must match RawConv.Ops.Reference.Pool2dRef (which writes the backward passes as scatters).
 */
#include "common.h"

#define POOL_ARGS int H, int W, int OH, int OW, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW

/* floor(a / s) for 0 ≤ a < 2^20, inv ≈ 1/s: (a + ½)/s lies at least ½/s from an integer, far more than
 * the float rounding error of the product (a few a/s · 2^−24); checked exhaustively on the host for
 * a ≤ 2^20 + 64, many s, and inv up to 3 ulp off (OpenCL's division tolerance). */
RC_FN int div_floor_small(int a, float inv) { return (int)(((float)a + 0.5f) * inv); }

/* The output range [*first, *last] along one axis whose windows can reach input position h. */
RC_FN void out_range(int h, int k, int s, int pad, int d, int nOut, int* first, int* last)
{
    float inv = 1.0f / (float)s;
    *first = div_floor_small(max(h + pad - (k - 1) * d, 0) + s - 1, inv);
    *last = min(nOut - 1, div_floor_small(h + pad, inv));
}

/* One max-pool output: value and switch. */
RC_FN void maxpool_one(__global float* y, __global int* idx, __global const float* xp, size_t o, int oh, int ow,
                       int H, int W, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW)
{
    int best = -1;
    float m = 0.0f;
    for (int i = 0; i < kH; i++) {
        int h = oh * sH - pH + i * dH;
        if (h < 0 || h >= H) continue;
        for (int j = 0; j < kW; j++) {
            int w = ow * sW - pW + j * dW;
            if (w < 0 || w >= W) continue;
            float v = xp[h * W + w];
            if (best < 0 || v > m) { m = v; best = h * W + w; }
        }
    }
    y[o] = m;
    idx[o] = best;
}

__kernel void maxpool2d_forward(__global float* restrict y, __global int* restrict idx,
                                __global const float* restrict x, POOL_ARGS, int plane0)
{
    int ow = (int)get_global_id(0), oh = (int)get_global_id(1);
    if (ow >= OW || oh >= OH) return;
    size_t plane = (size_t)plane0 + get_global_id(2);
    maxpool_one(y, idx, x + plane * H * W, (plane * OH + oh) * OW + ow, oh, ow, H, W, kH, kW, sH, sW, pH, pW, dH, dW);
}

#ifndef RAWCONV_CUDA
#define POOL_V8 1
/* Eight taps sW apart from r, none past r[7·sW]. */
RC_FN float8 pool_taps8(__global const float* r, int sW)
{
    if (sW == 1) return vload8(0, r);
    if (sW == 2) return (float8)(vload8(0, r).even, vload8(0, r + 7).odd);
    return (float8)(r[0], r[sW], r[2 * sW], r[3 * sW], r[4 * sW], r[5 * sW], r[6 * sW], r[7 * sW]);
}
#endif

/* maxpool2d_forward for OpenCL on CPUs, OW ≥ 8: 8 neighbouring outputs of a row per work-item in float8
 * vectors (PoCL does not vectorize the tap loops across work-items). Dim 0 = block of 8 outputs, the last
 * shifted left to end at OW (recomputing a few, identically). A block whose taps run past the right edge
 * (ceil mode) gathers from clamped columns and masks the lanes outside, if every lane's first column is
 * inside; blocks touching the left padding take the scalar path. Taps outside the input are skipped as in
 * the scalar kernel, so ties and NaN resolve identically. CUDA: scalar only. */
__kernel void maxpool2d_forward_v8(__global float* restrict y, __global int* restrict idx,
                                   __global const float* restrict x, POOL_ARGS, int plane0)
{
    int b = (int)get_global_id(0) * 8, oh = (int)get_global_id(1);
    if (b >= OW || oh >= OH) return;
    int ow0 = min(b, OW - 8);
    size_t plane = (size_t)plane0 + get_global_id(2);
    __global const float* xp = x + plane * H * W;
    size_t o = (plane * OH + oh) * OW + ow0;
    int wb = ow0 * sW - pW;
#ifdef POOL_V8
    if (wb < 0 || wb + 7 * sW >= W) {
#endif
        for (int l = 0; l < 8; l++)
            maxpool_one(y, idx, xp, o + l, oh, ow0 + l, H, W, kH, kW, sH, sW, pH, pW, dH, dW);
        return;
#ifdef POOL_V8
    }
    int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * sW, best = (int8)(-1);
    float8 m = (float8)(0.0f);
    int first = 1, edge = wb + 7 * sW + (kW - 1) * dW >= W;
    for (int i = 0; i < kH; i++) {
        int h = oh * sH - pH + i * dH;
        if (h < 0 || h >= H) continue;
        for (int j = 0; j < kW; j++) {
            int at = h * W + wb + j * dW;
            int8 col = (int8)(wb + j * dW) + lane, ok = edge ? col < (int8)(W) : (int8)(-1), c = min(col, (int8)(W - 1));
            __global const float* r = xp + h * W;
            float8 v = edge ? (float8)(r[c.s0], r[c.s1], r[c.s2], r[c.s3], r[c.s4], r[c.s5], r[c.s6], r[c.s7]) : pool_taps8(xp + at, sW);
            if (first) { m = v; best = (int8)(at) + lane; first = 0; continue; } /* j = 0: every lane inside */
            int8 t = ok & (v > m);
            m = select(m, v, t);
            best = select(best, (int8)(at) + lane, t);
        }
    }
    vstore8(m, 0, y + o);
    vstore8(best, 0, idx + o);
#endif
}

/* The scalar gather of input pixel (h, w): Σ dy[o] over the windows o holding it whose switch names it. */
RC_FN float maxpool_gather_one(__global const float* dy, __global const int* idx, size_t base, int h, int w,
                               int W, int OH, int OW, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW)
{
    int self = h * W + w, oh0, oh1, ow0, ow1;
    out_range(h, kH, sH, pH, dH, OH, &oh0, &oh1);
    out_range(w, kW, sW, pW, dW, OW, &ow0, &ow1);
    float g = 0.0f;
    for (int oh = oh0; oh <= oh1; oh++)
        for (int ow = ow0; ow <= ow1; ow++) {
            size_t o = base + oh * OW + ow;
            if (idx[o] == self) g += dy[o];
        }
    return g;
}

/* dx (N, C, H, W) from dy and idx (N, C, OH, OW). Also max unpooling with known params. */
__kernel void maxpool2d_backward(__global float* restrict dx, __global const float* restrict dy,
                                 __global const int* restrict idx, POOL_ARGS, int plane0)
{
    int w = (int)get_global_id(0), h = (int)get_global_id(1);
    if (w >= W || h >= H) return;
    size_t plane = (size_t)plane0 + get_global_id(2);
    dx[plane * H * W + h * W + w] = maxpool_gather_one(dy, idx, plane * OH * OW, h, w, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW);
}

/* ONNX MaxUnpool without params: y[plane, idx[i]] = x[i]; dim 0 = i < inHW. y must be zeroed; with
 * repeated indices in a plane which value lands is unspecified (the host documents: unique indices). */
__kernel void maxunpool2d_scatter(__global float* restrict y, __global const float* restrict x,
                                  __global const int* restrict idx, int inHW, int outHW, int plane0)
{
    int i = (int)get_global_id(0);
    if (i >= inHW) return;
    size_t plane = (size_t)plane0 + get_global_id(2), s = plane * inHW + i;
    y[plane * outHW + idx[s]] = x[s];
}

/* Unpooling backward: dx[i] = dy[plane, idx[i]]; dim 0 = i < inHW. */
__kernel void maxunpool2d_backward(__global float* restrict dx, __global const float* restrict dy,
                                   __global const int* restrict idx, int inHW, int outHW, int plane0)
{
    int i = (int)get_global_id(0);
    if (i >= inHW) return;
    size_t plane = (size_t)plane0 + get_global_id(2), s = plane * inHW + i;
    dx[s] = dy[plane * outHW + idx[s]];
}

/* PyTorch's divisor: window clipped to the padded input, or with count_include_pad == 0 to the input. */
RC_FN int avg_divisor(int oh, int ow, int H, int W, int kH, int kW, int sH, int sW, int pH, int pW, int includePad)
{
    int h0 = oh * sH - pH, w0 = ow * sW - pW;
    int h1 = min(h0 + kH, H + pH), w1 = min(w0 + kW, W + pW);
    if (includePad) return (h1 - h0) * (w1 - w0);
    return (min(h1, H) - max(h0, 0)) * (min(w1, W) - max(w0, 0));
}

/* Average pooling (dH = dW = 1, required by the host). */
__kernel void avgpool2d_forward(__global float* restrict y, __global const float* restrict x,
                                POOL_ARGS, int includePad, int plane0)
{
    int ow = (int)get_global_id(0), oh = (int)get_global_id(1);
    if (ow >= OW || oh >= OH) return;
    size_t plane = (size_t)plane0 + get_global_id(2);
    __global const float* xp = x + plane * H * W;
    int h0 = oh * sH - pH, w0 = ow * sW - pW;
    float s = 0.0f;
    for (int h = max(h0, 0); h < min(h0 + kH, H); h++)
        for (int w = max(w0, 0); w < min(w0 + kW, W); w++)
            s += xp[h * W + w];
    y[(plane * OH + oh) * OW + ow] = s / (float)avg_divisor(oh, ow, H, W, kH, kW, sH, sW, pH, pW, includePad);
}

/* Average pooling backward as a gather. */
__kernel void avgpool2d_backward(__global float* restrict dx, __global const float* restrict dy,
                                 POOL_ARGS, int includePad, int plane0)
{
    int w = (int)get_global_id(0), h = (int)get_global_id(1);
    if (w >= W || h >= H) return;
    size_t plane = (size_t)plane0 + get_global_id(2);
    int oh0, oh1, ow0, ow1;
    out_range(h, kH, sH, pH, 1, OH, &oh0, &oh1);
    out_range(w, kW, sW, pW, 1, OW, &ow0, &ow1);
    size_t base = plane * OH * OW;
    float g = 0.0f;
    for (int oh = oh0; oh <= oh1; oh++)
        for (int ow = ow0; ow <= ow1; ow++)
            g += dy[base + oh * OW + ow] / (float)avg_divisor(oh, ow, H, W, kH, kW, sH, sW, pH, pW, includePad);
    dx[plane * H * W + h * W + w] = g;
}

/* Switch validation over idx (planes, OH, OW): flag[0] = 1 if any switch is outside [0, H·W) or, with
 * inWindow, is not one of the in-input taps of its output's window. Every failing work-item writes the
 * same value, so the race is benign. */
RC_FN int switch_bad(int v, int oh, int ow, int H, int W, int kH, int kW, int sH, int sW, int pH, int pW,
                     int dH, int dW, int inWindow)
{
    if (v < 0 || v >= H * W) return 1;
    int found = !inWindow;
    for (int i = 0; i < kH; i++) {
        int h = oh * sH - pH + i * dH;
        for (int j = 0; j < kW; j++) {
            int w = ow * sW - pW + j * dW;
            found |= h >= 0 && h < H && w >= 0 && w < W && v == h * W + w;
        }
    }
    return !found;
}

__kernel void pool2d_check_switches(__global int* flag, __global const int* restrict idx,
                                    POOL_ARGS, int inWindow, int plane0)
{
    int ow = (int)get_global_id(0), oh = (int)get_global_id(1);
    if (ow >= OW || oh >= OH) return;
    int v = idx[(((size_t)plane0 + get_global_id(2)) * OH + oh) * OW + ow];
    if (switch_bad(v, oh, ow, H, W, kH, kW, sH, sW, pH, pW, dH, dW, inWindow)) flag[0] = 1;
}

/* maxpool2d_backward for OpenCL on CPUs, W ≥ 8: each work-item gathers 8 neighbouring input pixels of a
 * row (dim 0 = block of 8, the last shifted left to end at W). It scans the union of their windows in
 * (oh, ow) order and adds dy[o] to the lane whose index equals idx[o]: with switches validated to lie in
 * their own window (the host checks first), a switch can only name a pixel its window holds, so each lane
 * sums exactly the terms of the scalar gather, in the same order (the other terms add +0). In CUDA
 * (never launched there) this and the check below fall back to 8 scalar passes. */
__kernel void maxpool2d_backward_v8(__global float* restrict dx, __global const float* restrict dy,
                                    __global const int* restrict idx, POOL_ARGS, int plane0)
{
    int b = (int)get_global_id(0) * 8, h = (int)get_global_id(1);
    if (b >= W || h >= H) return;
    int w0 = min(b, W - 8);
    size_t plane = (size_t)plane0 + get_global_id(2), base = plane * OH * OW;
#ifdef POOL_V8
    int oh0, oh1, ow0, ow1, unused;
    out_range(h, kH, sH, pH, dH, OH, &oh0, &oh1);
    out_range(w0, kW, sW, pW, dW, OW, &ow0, &unused);
    out_range(w0 + 7, kW, sW, pW, dW, OW, &unused, &ow1);
    int8 self = (int8)(h * W + w0) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    float8 g = (float8)(0.0f);
    for (int oh = oh0; oh <= oh1; oh++)
        for (int ow = ow0; ow <= ow1; ow++) {
            size_t o = base + oh * OW + ow;
            g += select((float8)(0.0f), (float8)(dy[o]), self == (int8)(idx[o]));
        }
    vstore8(g, 0, dx + plane * H * W + h * W + w0);
#else
    for (int l = 0; l < 8; l++)
        dx[plane * H * W + h * W + w0 + l] = maxpool_gather_one(dy, idx, base, h, w0 + l, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW);
#endif
}

/* pool2d_check_switches with inWindow = 1 for OpenCL on CPUs, OW ≥ 8: 8 neighbouring outputs of a row
 * per work-item (dim 0 = block of 8, the last shifted left to end at OW). */
__kernel void pool2d_check_switches_v8(__global int* flag, __global const int* restrict idx,
                                       POOL_ARGS, int plane0)
{
    int b = (int)get_global_id(0) * 8, oh = (int)get_global_id(1);
    if (b >= OW || oh >= OH) return;
    int ow0 = min(b, OW - 8);
    __global const int* ip = idx + (((size_t)plane0 + get_global_id(2)) * OH + oh) * OW + ow0;
#ifdef POOL_V8
    int8 v = vload8(0, ip);
    int8 wl = (int8)(ow0 * sW - pW) + (int8)(0, 1, 2, 3, 4, 5, 6, 7) * sW;
    int8 found = (int8)(0);
    for (int i = 0; i < kH; i++) {
        int h = oh * sH - pH + i * dH;
        if (h < 0 || h >= H) continue;
        for (int j = 0; j < kW; j++) {
            int8 w = wl + j * dW;
            found |= (w >= 0) & (w < W) & (v == (int8)(h * W) + w);
        }
    }
    if (any(found == 0)) flag[0] = 1;
#else
    for (int l = 0; l < 8; l++)
        if (switch_bad(ip[l], oh, ow0 + l, H, W, kH, kW, sH, sW, pH, pW, dH, dW, 1)) flag[0] = 1;
#endif
}
