/* pool2d.h — what the pooling kernels share: maxpool2d.cl (MaxPool2d and the switch checks MaxUnpool2d
 * also runs), maxunpool2d.cl (MaxUnpool2d), avgpool2d.cl (AvgPool2d).
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
 * Every pooling kernel must match RawConv.Ops.Reference.Pool2dRef (which writes the backward passes as scatters).
 */
#ifndef RAWCONV_POOL2D_H
#define RAWCONV_POOL2D_H

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

#endif
