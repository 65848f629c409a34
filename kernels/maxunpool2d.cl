/* maxunpool2d.cl — max unpooling without pooling parameters (ONNX MaxUnpool; RawConv.Ops.MaxUnpool2d).
 * With known parameters the unpooling is maxpool2d_backward's gather (maxpool2d.cl).
 *
 * Layouts: x, idx (planes, inHW), y (planes, outHW); idx int32 inside each plane (pool2d.h).
 * Launch: dim 0 = i < inHW rounded up to the local size, dim 2 = plane − plane0 (pool2d.h).
 * Must match RawConv.Ops.Reference.Pool2dRef.
 */
#include "common.h"

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
