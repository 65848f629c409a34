/* avgpool2d.cl — 2-D average pooling, forward and backward (RawConv.Ops.AvgPool2d).
 *
 * Window, layouts, gather backward and launch geometry: pool2d.h. Divisor as PyTorch: the window clipped
 * to the padded input, or with includePad = 0 to the input.
 * Must match RawConv.Ops.Reference.Pool2dRef.
 */
#include "common.h"
#include "pool2d.h"

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
