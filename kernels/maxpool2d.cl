/* maxpool2d.cl — 2-D max pooling with switches, forward and backward (RawConv.Ops.MaxPool2d), and the
 * switch checks every consumer of switches runs first (MaxPool2d, MaxUnpool2d).
 *
 * Layouts, window, tie rule, gather backward and launch geometry: pool2d.h. Kernels, each with a
 * row-block variant *_v8 (8 outputs or pixels of a row per work-item) picked by KernelTuning.PoolRowBlock:
 * maxpool2d_forward (values and switches), maxpool2d_backward (the gather of dy through the switches; also
 * max unpooling with known params), pool2d_check_switches (flag[0] = 1 on a bad switch).
 * Must match RawConv.Ops.Reference.Pool2dRef.
 */
#include "common.h"
#include "pool2d.h"

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

/* maxpool2d_forward, the row-block variant (KernelTuning.PoolRowBlock = 8, the CPU default), OW ≥ 8: 8 neighbouring outputs of a row per work-item in float8
 * vectors (PoCL does not vectorize the tap loops across work-items). Dim 0 = block of 8 outputs, the last
 * shifted left to end at OW (recomputing a few, identically). A block whose taps run past the right edge
 * (ceil mode) gathers from clamped columns and masks the lanes outside, if every lane's first column is
 * inside; blocks touching the left padding take the scalar path. Taps outside the input are skipped as in
 * the scalar kernel, so ties and NaN resolve identically. CUDA lacks the OpenCL vector builtins: there
 * the variant runs as 8 scalar outputs per work-item (same results). */
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

/* maxpool2d_backward, the row-block variant, W ≥ 8: each work-item gathers 8 neighbouring input pixels of a
 * row (dim 0 = block of 8, the last shifted left to end at W). It scans the union of their windows in
 * (oh, ow) order and adds dy[o] to the lane whose index equals idx[o]: with switches validated to lie in
 * their own window (the host checks first), a switch can only name a pixel its window holds, so each lane
 * sums exactly the terms of the scalar gather, in the same order (the other terms add +0). In CUDA this
 * and the check below run 8 scalar passes. */
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

/* pool2d_check_switches with inWindow = 1, the row-block variant, OW ≥ 8: 8 neighbouring outputs of a row
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
