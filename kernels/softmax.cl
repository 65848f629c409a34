/* softmax.cl — softmax and log-softmax along one axis, their backward passes, and softmax
 * cross-entropy on logits.
 *
 * Layout: the tensor is viewed as (outer, dim, inner) (ONNX-13 single-axis semantics); a "row" is the
 * dim elements x[o, 0..dim-1, i], at stride inner. Rows are numbered r = o·inner + i.
 *
 * softmax_forward:   y = exp(x − max) / Σ exp(x − max);  log = 1: y = x − max − log Σ exp(x − max)
 * softmax_backward:  log = 0: dx = y·(dy − Σ dy·y);      log = 1 (y = log-softmax): dx = dy − exp(y)·Σ dy
 * ce_forward:        logits (N, C), labels int (N): loss[r] = log Σ exp(x − max) + max − x[label]
 * ce_backward:       dx = (softmax(x) − onehot(label)) / N
 *
 * Launch: one work-group of SM_LOCAL work-items per row, global = rows·SM_LOCAL; each work-item
 * strides over the row, then a tree reduction in local memory (max, then sum). Deterministic.
 * Must match RawConv.Ops.Reference.SoftmaxRef and CrossEntropyRef.
 */
#include "common.h"

#define SM_LOCAL 128

/* Tree reduction of red[0..SM_LOCAL) into red[0]; every work-item of the group must call it. */
#define TREE_REDUCE(red, lid, OP)                                              \
    for (int s_ = SM_LOCAL / 2; s_ > 0; s_ >>= 1) {                            \
        if ((lid) < s_) red[lid] = OP(red[lid], red[(lid) + s_]);               \
        barrier(CLK_LOCAL_MEM_FENCE);                                          \
    }

#define RC_ADD(a, b) ((a) + (b))

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

/* Shared by ce_forward and ce_backward: max and Σ exp(x − max) of row `row` of (N, C) logits. */
#define ROW_MAX_SUM(x, row, C, lid, red, m, s)                                 \
    m = -INFINITY;                                                             \
    for (int j = lid; j < C; j += SM_LOCAL) m = fmax(m, x[row * C + j]);       \
    red[lid] = m;                                                              \
    barrier(CLK_LOCAL_MEM_FENCE);                                              \
    TREE_REDUCE(red, lid, fmax)                                                \
    m = red[0];                                                                \
    barrier(CLK_LOCAL_MEM_FENCE);                                              \
    s = 0.0f;                                                                  \
    for (int j = lid; j < C; j += SM_LOCAL) s += exp(x[row * C + j] - m);      \
    red[lid] = s;                                                              \
    barrier(CLK_LOCAL_MEM_FENCE);                                              \
    TREE_REDUCE(red, lid, RC_ADD)                                              \
    s = red[0];

__kernel void ce_forward(__global float* restrict loss, __global const float* restrict x,
                         __global const int* restrict labels, int C)
{
    __local float red[SM_LOCAL];
    int row = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    float m, s;
    ROW_MAX_SUM(x, row, C, lid, red, m, s)
    if (lid == 0) loss[row] = log(s) + m - x[row * C + labels[row]];
}

__kernel void ce_backward(__global float* restrict dx, __global const float* restrict x,
                          __global const int* restrict labels, int C, float invN)
{
    __local float red[SM_LOCAL];
    int row = (int)get_group_id(0);
    int lid = (int)get_local_id(0);
    float m, s;
    ROW_MAX_SUM(x, row, C, lid, red, m, s)
    float inv = 1.0f / s;
    int label = labels[row];
    for (int j = lid; j < C; j += SM_LOCAL) {
        float p = exp(x[row * C + j] - m) * inv;
        dx[row * C + j] = (p - (j == label ? 1.0f : 0.0f)) * invN;
    }
}
