/* dropout.cl — inverted dropout with a counter-based mask.
 *
 * dropout_forward:  keep[i] = (hash(seed, i) >> 8) >= threshold; mask[i] = keep ? 1 : 0; y = x · mask · scale
 * dropout_backward: dx = dy · mask · scale
 * threshold = round(p · 2^24) and scale = 1 / (1 − p) are computed on the host, so the drop
 * probability is threshold / 2^24 exactly. The hash is three rounds of the PCG-RXS-M-XS 32-bit output
 * permutation mixing the element index with both halves of the 64-bit seed; it uses only 32-bit
 * unsigned arithmetic, so OpenCL, CUDA and the C# reference produce bit-identical masks.
 * Layout: flat arrays of n floats. Launch: 1-D, one element per work-item, global ≥ n.
 * Must match RawConv.Ops.Reference.DropoutRef (DropoutRef.Hash).
 */
#include "common.h"

RC_FN uint rc_pcg(uint v)
{
    uint state = v * 747796405u + 2891336453u;
    uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

RC_FN uint rc_dropout_hash(uint seedLo, uint seedHi, uint i)
{
    return rc_pcg(rc_pcg(rc_pcg(i) ^ seedLo) + seedHi);
}

__kernel void dropout_forward(__global float* restrict y, __global float* restrict mask,
                              __global const float* restrict x, int n, int seedLo, int seedHi,
                              int threshold, float scale)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    uint h = rc_dropout_hash((uint)seedLo, (uint)seedHi, (uint)i);
    float keep = (h >> 8) >= (uint)threshold ? 1.0f : 0.0f;
    mask[i] = keep;
    y[i] = x[i] * keep * scale;
}

__kernel void dropout_backward(__global float* restrict dx, __global const float* restrict dy,
                               __global const float* restrict mask, int n, float scale)
{
    int i = (int)get_global_id(0);
    if (i >= n) return;
    dx[i] = dy[i] * mask[i] * scale;
}
