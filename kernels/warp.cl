/* warp.cl — bilinear warping of feature maps by a dense flow, its adjoint (backward w.r.t. x) and
 * its gradient w.r.t. the flow.
 *
 * Layouts: x (N, C, Hx, Wx); flow (N, 2, H, W) with channel 0 = horizontal displacement, channel 1 =
 * vertical; y and dy (N, C, H, W). Output pixel (h, w) samples x at (sy, sx) = (h + flow1, w + flow0):
 * taps (y0, x0) (y0, x0+1) (y0+1, x0) (y0+1, x0+1) with y0 = floor(sy), x0 = floor(sx), weights
 * (1−ay)(1−ax), (1−ay)ax, ay(1−ax), ay·ax. border = 0: taps outside x read 0; border = 1: tap indices
 * are clamped to the edge. Sample coordinates are first clamped to [−2, Hx+1] × [−2, Wx+1], which
 * changes no value (all taps there are outside, or clamp to one edge pixel) and keeps floor() in range.
 *
 * warp_forward:  y[n,c,h,w] = Σ_taps weight · x[n,c,tap].       Launch 1-D over count = N·C·H·W.
 * warp_adjoint:  dx[n,c,i,j] = Σ_{h,w,taps: tap = (i,j)} weight · dy[n,c,h,w] — a GATHER, deterministic and
 *                atomic-free: every output pixel's taps lie within R + 1 of (h, w), R = ceil(max |flow|), so
 *                input pixel (i, j) scans output rows i−R−2 .. i+R+2 (and columns likewise), recomputing
 *                each candidate's taps exactly as warp_forward does, and adds weight · dy for every channel
 *                (in a fixed order: candidates row-major, so the result is deterministic). With border padding
 *                an edge input pixel also collects every sample clamped onto it, so its scan extends to the
 *                output's edge. Launch (Wx, Hx, N), local (16, 16, 1) (N ≤ 65535: CUDA's grid z limit).
 * warp_backward_flow: dflow[n,0,h,w] = Σ_c dy · ∂y/∂sx, dflow[n,1,h,w] = Σ_c dy · ∂y/∂sy.
 *                Launch (W, H, N), local (16, 16, 1) (N ≤ 65535).
 *
 * Affine sampling (input transforms: shifts, zooms, rotations, resizes). theta (M, 6), M = N, or M = 1 with
 * stride 0 for one map shared by the batch, holds each map about the output centre (ocx, ocy) = ((W−1)/2, (H−1)/2):
 * with u = w − ocx, v = h − ocy,  flow0 = t0·u + t1·v + t2,  flow1 = t3·u + t4·v + t5  (both as fma chains, so the
 * reference reproduces them bit for bit), i.e. sample = (ocx + t2 + (1+t0)·u + t1·v, ocy + t5 + t3·u + (1+t4)·v).
 * Centred coordinates keep the products small: a shift has t0 = t1 = t3 = t4 = 0 and moves pixels exactly.
 * warp_affine_flow: writes that flow (N, 2, H, W); then warp_forward applies it. Launch 1-D over N·H·W.
 * warp_adjoint_affine: warp_adjoint for such a flow, with the scan bounded by the map instead of by max |flow|:
 *                input pixel (i, j) is tapped only by samples in (j−1, j+1) × (i−1, i+1) (unbounded towards the
 *                outside at an edge under border padding, where clamped taps land), whose preimage under the map
 *                is a parallelogram: rows from its corners, then per row the columns where both coordinates lie
 *                in their windows. Bounds are widened by 1/64 px on both sides; each candidate's weight is then
 *                recomputed from the flow buffer exactly as warp_forward samples, so the bounds decide the cost,
 *                never the value. Zoom-ins and rotations scan a few pixels per input pixel where the radius
 *                gather would scan (2·max|flow| + 5)². Launch (Wx, Hx, N), local (16, 16, 1).
 * Must match RawConv.Ops.Reference.WarpRef.
 */
#include "common.h"

RC_FN float rc_warp_tap(__global const float* p, int Hx, int Wx, int yy, int xx, int border)
{
    if (border) {
        yy = clamp(yy, 0, Hx - 1);
        xx = clamp(xx, 0, Wx - 1);
    } else if (yy < 0 || yy >= Hx || xx < 0 || xx >= Wx) {
        return 0.0f;
    }
    return p[yy * Wx + xx];
}

/* The weight with which a sample at flow-displaced position (sx, sy) taps input pixel (i, j), exactly as warp_forward. */
RC_FN float rc_warp_weight(float sx, float sy, int i, int j, int Hx, int Wx, int border)
{
    sx = clamp(sx, -2.0f, (float)(Wx + 1));
    sy = clamp(sy, -2.0f, (float)(Hx + 1));
    float fx0 = floor(sx), fy0 = floor(sy);
    int x0 = (int)fx0, y0 = (int)fy0, x1 = x0 + 1, y1 = y0 + 1;
    float ax = sx - fx0, ay = sy - fy0;
    if (border) {
        x0 = clamp(x0, 0, Wx - 1); x1 = clamp(x1, 0, Wx - 1);
        y0 = clamp(y0, 0, Hx - 1); y1 = clamp(y1, 0, Hx - 1);
    }
    return ((y0 == i ? 1.0f - ay : 0.0f) + (y1 == i ? ay : 0.0f)) *
           ((x0 == j ? 1.0f - ax : 0.0f) + (x1 == j ? ax : 0.0f));
}

__kernel void warp_forward(__global float* restrict y, __global const float* restrict x,
                           __global const float* restrict flow, int C, int Hx, int Wx, int H, int W,
                           int border, int count)
{
    int idx = (int)get_global_id(0);
    if (idx >= count) return;
    int plane = H * W;
    int w = idx % W, h = idx / W % H, nc = idx / plane;
    int n = nc / C;
    float sx = clamp((float)w + flow[(n * 2) * plane + h * W + w], -2.0f, (float)(Wx + 1));
    float sy = clamp((float)h + flow[(n * 2 + 1) * plane + h * W + w], -2.0f, (float)(Hx + 1));
    float fx0 = floor(sx), fy0 = floor(sy);
    int x0 = (int)fx0, y0 = (int)fy0;
    float ax = sx - fx0, ay = sy - fy0;
    __global const float* p = x + (long)nc * Hx * Wx;
    float v00 = rc_warp_tap(p, Hx, Wx, y0, x0, border), v01 = rc_warp_tap(p, Hx, Wx, y0, x0 + 1, border);
    float v10 = rc_warp_tap(p, Hx, Wx, y0 + 1, x0, border), v11 = rc_warp_tap(p, Hx, Wx, y0 + 1, x0 + 1, border);
    y[(long)nc * plane + h * W + w] = (1.0f - ay) * ((1.0f - ax) * v00 + ax * v01) + ay * ((1.0f - ax) * v10 + ax * v11);
}

__kernel void warp_adjoint(__global float* restrict dx, __global const float* restrict dy,
                           __global const float* restrict flow, int C, int Hx, int Wx, int H, int W,
                           int border, int R)
{
    int j = (int)get_global_id(0), i = (int)get_global_id(1), n = (int)get_global_id(2);
    if (j >= Wx || i >= Hx) return;
    int plane = H * W, xplane = Hx * Wx;
    int hlo = border && i == 0 ? 0 : max(0, i - R - 2);
    int hhi = border && i == Hx - 1 ? H - 1 : min(H - 1, i + R + 2);
    int wlo = border && j == 0 ? 0 : max(0, j - R - 2);
    int whi = border && j == Wx - 1 ? W - 1 : min(W - 1, j + R + 2);
    __global const float* fx = flow + (long)(n * 2) * plane;
    __global const float* fy = fx + plane;
    __global float* d = dx + (long)n * C * xplane + i * Wx + j;
    __global const float* g = dy + (long)n * C * plane;
    for (int c = 0; c < C; c++) d[c * xplane] = 0.0f;
    /* The weights depend on the flow only: find each candidate's weight once, then add it for every channel. */
    for (int h = hlo; h <= hhi; h++) {
        for (int w = wlo; w <= whi; w++) {
            float wgt = rc_warp_weight((float)w + fx[h * W + w], (float)h + fy[h * W + w], i, j, Hx, Wx, border);
            if (wgt != 0.0f)
                for (int c = 0; c < C; c++) d[c * xplane] += wgt * g[c * plane + h * W + w];
        }
    }
}

__kernel void warp_backward_flow(__global float* restrict dflow, __global const float* restrict x,
                                 __global const float* restrict flow, __global const float* restrict dy,
                                 int C, int Hx, int Wx, int H, int W, int border, int N)
{
    int w = (int)get_global_id(0), h = (int)get_global_id(1), n = (int)get_global_id(2);
    if (w >= W || h >= H || n >= N) return;
    int plane = H * W;
    float rawx = (float)w + flow[(n * 2) * plane + h * W + w];
    float rawy = (float)h + flow[(n * 2 + 1) * plane + h * W + w];
    float sx = clamp(rawx, -2.0f, (float)(Wx + 1));
    float sy = clamp(rawy, -2.0f, (float)(Hx + 1));
    float fx0 = floor(sx), fy0 = floor(sy);
    int x0 = (int)fx0, y0 = (int)fy0;
    float ax = sx - fx0, ay = sy - fy0;
    float gx = 0.0f, gy = 0.0f;
    for (int c = 0; c < C; c++) {
        __global const float* p = x + (long)(n * C + c) * Hx * Wx;
        float v00 = rc_warp_tap(p, Hx, Wx, y0, x0, border), v01 = rc_warp_tap(p, Hx, Wx, y0, x0 + 1, border);
        float v10 = rc_warp_tap(p, Hx, Wx, y0 + 1, x0, border), v11 = rc_warp_tap(p, Hx, Wx, y0 + 1, x0 + 1, border);
        float g = dy[(long)(n * C + c) * plane + h * W + w];
        gx += g * ((1.0f - ay) * (v01 - v00) + ay * (v11 - v10));
        gy += g * ((1.0f - ax) * (v10 - v00) + ax * (v11 - v01));
    }
    /* The coordinate clamp has zero derivative outside its range. */
    dflow[(n * 2) * plane + h * W + w] = rawx == sx ? gx : 0.0f;
    dflow[(n * 2 + 1) * plane + h * W + w] = rawy == sy ? gy : 0.0f;
}

/* Slack of the affine scan bounds, in pixels of the input (windows) and of the output (rows, columns): far above the
 * float rounding of coordinates below 2^16 (≤ 1/128), so no tapping sample is missed. */
#define RC_WARP_SLACK (1.0f / 64.0f)

__kernel void warp_affine_flow(__global float* restrict flow, __global const float* restrict theta, int stride,
                               int H, int W, int count)
{
    int idx = (int)get_global_id(0);
    if (idx >= count) return;
    int plane = H * W;
    int p = idx % plane, n = idx / plane;
    __global const float* t = theta + n * stride;
    float u = (float)(p % W) - 0.5f * (float)(W - 1), v = (float)(p / W) - 0.5f * (float)(H - 1);
    flow[(long)(n * 2) * plane + p] = fma(t[0], u, fma(t[1], v, t[2]));
    flow[(long)(n * 2 + 1) * plane + p] = fma(t[3], u, fma(t[4], v, t[5]));
}

/* Narrows columns [*first, *last] to those whose centred u = w − ocx puts k + a·u inside (lo, hi), 1/64 column wider. */
RC_FN void rc_affine_cols(float a, float k, float lo, float hi, float ocx, int W, int* first, int* last)
{
    if (a == 0.0f) {
        if (!(lo < k && k < hi)) { *first = W; *last = -1; }
        return;
    }
    float p = (lo - k) / a, q = (hi - k) / a;
    /* Clamped as floats first: a steep map sends the bounds far past the int range. */
    *first = max(*first, (int)clamp(ceil(fmin(p, q) + ocx - RC_WARP_SLACK), -1.0f, (float)W));
    *last = min(*last, (int)clamp(floor(fmax(p, q) + ocx + RC_WARP_SLACK), -1.0f, (float)W));
}

__kernel void warp_adjoint_affine(__global float* restrict dx, __global const float* restrict dy,
                                  __global const float* restrict flow, __global const float* restrict theta, int stride,
                                  int C, int Hx, int Wx, int H, int W, int border)
{
    int j = (int)get_global_id(0), i = (int)get_global_id(1), n = (int)get_global_id(2);
    if (j >= Wx || i >= Hx) return;
    int plane = H * W, xplane = Hx * Wx;
    __global const float* t = theta + n * stride;
    __global const float* fx = flow + (long)(n * 2) * plane;
    __global const float* fy = fx + plane;
    __global float* d = dx + (long)n * C * xplane + i * Wx + j;
    __global const float* g = dy + (long)n * C * plane;
    for (int c = 0; c < C; c++) d[c * xplane] = 0.0f;
    float ocx = 0.5f * (float)(W - 1), ocy = 0.5f * (float)(H - 1);
    float A = 1.0f + t[0], B = t[1], D = t[3], E = 1.0f + t[4];
    float cx = ocx + t[2], cy = ocy + t[5];
    /* Every sample lies within (rx, ry) − 1 of (cx, cy): that closes the windows left open at a border edge. */
    float rx = fabs(A) * ocx + fabs(B) * ocy + 1.0f, ry = fabs(D) * ocx + fabs(E) * ocy + 1.0f;
    float xlo = fmax(border && j == 0 ? -INFINITY : (float)(j - 1), cx - rx) - RC_WARP_SLACK;
    float xhi = fmin(border && j == Wx - 1 ? INFINITY : (float)(j + 1), cx + rx) + RC_WARP_SLACK;
    float ylo = fmax(border && i == 0 ? -INFINITY : (float)(i - 1), cy - ry) - RC_WARP_SLACK;
    float yhi = fmin(border && i == Hx - 1 ? INFINITY : (float)(i + 1), cy + ry) + RC_WARP_SLACK;
    /* Rows: the v-extent of the window's preimage, from its four corners (possibly empty, between two rows); a
     * degenerate map, whose corners come out NaN, scans every row. */
    float det = A * E - B * D;
    float v00 = (A * (ylo - cy) - D * (xlo - cx)) / det, v01 = (A * (ylo - cy) - D * (xhi - cx)) / det;
    float v10 = (A * (yhi - cy) - D * (xlo - cx)) / det, v11 = (A * (yhi - cy) - D * (xhi - cx)) / det;
    float hf = ceil(fmin(fmin(v00, v01), fmin(v10, v11)) + ocy - RC_WARP_SLACK);
    float hl = floor(fmax(fmax(v00, v01), fmax(v10, v11)) + ocy + RC_WARP_SLACK);
    if (isnan(hf) || isnan(hl)) { hf = 0.0f; hl = (float)(H - 1); }
    int h0 = (int)clamp(hf, 0.0f, (float)H), h1 = (int)clamp(hl, -1.0f, (float)(H - 1));
    if (!(xlo < xhi && ylo < yhi)) h1 = -1;
    for (int h = h0; h <= h1; h++) {
        float v = (float)h - ocy;
        int w0 = 0, w1 = W - 1;
        rc_affine_cols(A, fma(B, v, cx), xlo, xhi, ocx, W, &w0, &w1);
        rc_affine_cols(D, fma(E, v, cy), ylo, yhi, ocx, W, &w0, &w1);
        for (int w = w0; w <= w1; w++) {
            float wgt = rc_warp_weight((float)w + fx[h * W + w], (float)h + fy[h * W + w], i, j, Hx, Wx, border);
            if (wgt != 0.0f)
                for (int c = 0; c < C; c++) d[c * xplane] += wgt * g[c * plane + h * W + w];
        }
    }
}
