/* crossentropy.cl — softmax cross-entropy on logits (RawConv.Ops.CrossEntropy).
 *
 * ce_forward:        logits (N, C), labels int (N): loss[r] = log Σ exp(x − max) + max − x[label]
 * ce_backward:       dx = (softmax(x) − onehot(label)) / N
 *
 * Launch: one work-group of SM_LOCAL work-items per row (softmax.h), global = N·SM_LOCAL; each work-item
 * strides over the row, then a tree reduction in local memory (max, then sum). Deterministic.
 * Must match RawConv.Ops.Reference.CrossEntropyRef.
 */
#include "common.h"
#include "softmax.h"

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
