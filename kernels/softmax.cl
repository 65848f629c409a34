/* softmax.cl — softmax and log-softmax along one axis and their backward passes (RawConv.Ops.Softmax).
 *
 * Layout: the tensor is viewed as (outer, dim, inner) (ONNX-13 single-axis semantics); a "row" is the
 * dim elements x[o, 0..dim-1, i], at stride inner. Rows are numbered r = o·inner + i.
 *
 * softmax_forward:   y = exp(x − max) / Σ exp(x − max);  log = 1: y = x − max − log Σ exp(x − max)
 * softmax_backward:  log = 0: dx = y·(dy − Σ dy·y);      log = 1 (y = log-softmax): dx = dy − exp(y)·Σ dy
 *
 * Launch: one work-group of SM_LOCAL work-items per row, global = rows·SM_LOCAL; each work-item
 * strides over the row, then a tree reduction in local memory (max, then sum). Deterministic.
 * Must match RawConv.Ops.Reference.SoftmaxRef.
 */
#include "common.h"
#include "softmax.h"

__kernel void softmax_forward(__global float* restrict y, __global const float* restrict x,
                              int dim, int inner, int logmode)
{
    __local float red[SM_LOCAL];
    int row = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    int base = (row / inner) * dim * inner + row % inner;
    float m = -INFINITY;
    for (int j = lid; j < dim; j += SM_LOCAL) m = fmax(m, x[base + j * inner]);
    red[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    TREE_REDUCE(red, lid, fmax)
    m = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    float s = 0.0f;
    for (int j = lid; j < dim; j += SM_LOCAL) s += exp(x[base + j * inner] - m);
    red[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    TREE_REDUCE(red, lid, RC_ADD)
    s = red[0];
    float ls = log(s);
    float inv = 1.0f / s;
    for (int j = lid; j < dim; j += SM_LOCAL) {
        float v = x[base + j * inner] - m;
        y[base + j * inner] = logmode ? v - ls : exp(v) * inv;
    }
}

__kernel void softmax_backward(__global float* restrict dx, __global const float* restrict y,
                               __global const float* restrict dy, int dim, int inner, int logmode)
{
    __local float red[SM_LOCAL];
    int row = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    int base = (row / inner) * dim * inner + row % inner;
    float s = 0.0f;
    for (int j = lid; j < dim; j += SM_LOCAL) {
        int k = base + j * inner;
        s += logmode ? dy[k] : dy[k] * y[k];
    }
    red[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    TREE_REDUCE(red, lid, RC_ADD)
    s = red[0];
    for (int j = lid; j < dim; j += SM_LOCAL) {
        int k = base + j * inner;
        dx[k] = logmode ? dy[k] - exp(y[k]) * s : y[k] * (dy[k] - s);
    }
}
