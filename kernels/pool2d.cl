/* pool2d.cl — 2-D max pooling with switches, max unpooling, average pooling; forward and backward.
 *
 * Layouts: x (N, C, H, W), y (N, C, OH, OW), float32, row-major; "planes" = N·C.
 * Switches (idx): int32, same shape as y; each is the index h·W + w INSIDE the input's (n, c) plane
 * (Caffe's convention). Padding never wins; ties: the FIRST maximum in row-major window order wins
 * (strict '>' while scanning, starting from the first in-input tap).
 * Window of output (oh, ow): taps h = oh·sH − pH + i·dH (i < kH), w = ow·sW − pW + j·dW (j < kW).
 * Every pool kernel takes, after its buffers and n, the ints H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW.
 *
 * Backward passes are GATHERS: each input pixel scans the output windows that could contain it
 * (oh from ceil((h + pH − (kH−1)·dH) / sH) to floor((h + pH) / sH)) and sums, in (oh, ow) order, the dy
 * whose switch points at it — overlapping windows (AlexNet 3×3 / 2) need no atomics.
 * Launch: 1-D, one work-item per output element (forwards, scatter unpool, check) or per input element
 * (gathers), flat NCHW index, so dim 0 runs along W; global ≥ n, rounded up to the local size.
 * Must match RawConv.Ops.Reference.Pool2dRef (which writes the backward passes as scatters).
 */
#include "common.h"

#ifndef RC_FN
#define RC_FN static inline
#endif

#define POOL_ARGS int H, int W, int OH, int OW, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW

/* First output index along one axis whose window can reach input position h. */
#define FIRST_OUT(h, k, s, pad, d) DIV_UP(max((h) + (pad) - ((k) - 1) * (d), 0), (s))

__kernel void maxpool2d_forward(__global float* restrict y, __global int* restrict idx,
                                __global const float* restrict x, int n, POOL_ARGS)
{
    int o = (int)get_global_id(0);
    if (o >= n) return;
    int ow = o % OW, oh = (o / OW) % OH, plane = o / (OW * OH);
    __global const float* xp = x + (size_t)plane * H * W;
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

/* dx (N, C, H, W) from dy and idx (N, C, OH, OW); n = N·C·H·W. Also max unpooling with known params. */
__kernel void maxpool2d_backward(__global float* restrict dx, __global const float* restrict dy,
                                 __global const int* restrict idx, int n, POOL_ARGS)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    int w = i % W, h = (i / W) % H, plane = i / (W * H);
    int self = h * W + w;
    int oh1 = min(OH - 1, (h + pH) / sH), ow1 = min(OW - 1, (w + pW) / sW);
    size_t base = (size_t)plane * OH * OW;
    float g = 0.0f;
    for (int oh = FIRST_OUT(h, kH, sH, pH, dH); oh <= oh1; oh++)
        for (int ow = FIRST_OUT(w, kW, sW, pW, dW); ow <= ow1; ow++) {
            size_t o = base + oh * OW + ow;
            if (idx[o] == self) g += dy[o];
        }
    dx[i] = g;
}

/* ONNX MaxUnpool without params: y[plane, idx[i]] = x[i]; n = N·C·IH·IW. y must be zeroed; with
 * repeated indices in a plane which value lands is unspecified (the host documents: unique indices). */
__kernel void maxunpool2d_scatter(__global float* restrict y, __global const float* restrict x,
                                  __global const int* restrict idx, int n, int inHW, int outHW)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    y[(size_t)(i / inHW) * outHW + idx[i]] = x[i];
}

/* Unpooling backward: dx[i] = dy[plane, idx[i]]; n = N·C·IH·IW. */
__kernel void maxunpool2d_backward(__global float* restrict dx, __global const float* restrict dy,
                                   __global const int* restrict idx, int n, int inHW, int outHW)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    dx[i] = dy[(size_t)(i / inHW) * outHW + idx[i]];
}

/* PyTorch's divisor: window clipped to the padded input, or with count_include_pad == 0 to the input. */
RC_FN int avg_divisor(int oh, int ow, int H, int W, int kH, int kW, int sH, int sW, int pH, int pW, int includePad)
{
    int h0 = oh * sH - pH, w0 = ow * sW - pW;
    int h1 = min(h0 + kH, H + pH), w1 = min(w0 + kW, W + pW);
    if (includePad) return (h1 - h0) * (w1 - w0);
    return (min(h1, H) - max(h0, 0)) * (min(w1, W) - max(w0, 0));
}

/* Average pooling (dD = dW = 1 required by the host); n = N·C·OH·OW. */
__kernel void avgpool2d_forward(__global float* restrict y, __global const float* restrict x, int n,
                                POOL_ARGS, int includePad)
{
    int o = (int)get_global_id(0);
    if (o >= n) return;
    int ow = o % OW, oh = (o / OW) % OH, plane = o / (OW * OH);
    __global const float* xp = x + (size_t)plane * H * W;
    int h0 = oh * sH - pH, w0 = ow * sW - pW;
    float s = 0.0f;
    for (int h = max(h0, 0); h < min(h0 + kH, H); h++)
        for (int w = max(w0, 0); w < min(w0 + kW, W); w++)
            s += xp[h * W + w];
    y[o] = s / (float)avg_divisor(oh, ow, H, W, kH, kW, sH, sW, pH, pW, includePad);
}

/* Average pooling backward as a gather; n = N·C·H·W. */
__kernel void avgpool2d_backward(__global float* restrict dx, __global const float* restrict dy, int n,
                                 POOL_ARGS, int includePad)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    int w = i % W, h = (i / W) % H, plane = i / (W * H);
    int oh1 = min(OH - 1, (h + pH) / sH), ow1 = min(OW - 1, (w + pW) / sW);
    size_t base = (size_t)plane * OH * OW;
    float g = 0.0f;
    for (int oh = FIRST_OUT(h, kH, sH, pH, 1); oh <= oh1; oh++)
        for (int ow = FIRST_OUT(w, kW, sW, pW, 1); ow <= ow1; ow++)
            g += dy[base + oh * OW + ow] / (float)avg_divisor(oh, ow, H, W, kH, kW, sH, sW, pH, pW, includePad);
    dx[i] = g;
}

/* Switch validation: flag[0] = 1 if any idx is outside [0, H·W) or, with inWindow, outside the window of
 * its output position; n = N·C·OH·OW. Every failing work-item writes the same value, so the race is benign. */
__kernel void pool2d_check_switches(__global int* flag, __global const int* restrict idx, int n,
                                    POOL_ARGS, int inWindow)
{
    int o = (int)get_global_id(0);
    if (o >= n) return;
    int v = idx[o];
    int bad = v < 0 || v >= H * W;
    if (!bad && inWindow) {
        int ow = o % OW, oh = (o / OW) % OH;
        int th = v / W + pH - oh * sH, tw = v % W + pW - ow * sW;
        bad = th < 0 || th % dH != 0 || th / dH >= kH || tw < 0 || tw % dW != 0 || tw / dW >= kW;
    }
    if (bad) flag[0] = 1;
}
