/* gram.cl — helper of the Gram-matrix op (texture synthesis, style transfer).
 *
 * Gram forward G = scale · X·Xᵀ and backward dx = scale · (dG + dGᵀ)·X run on gemm.cl's gemm_nn (see
 * RawConv.Ops.Gram); this file only builds the symmetric seed of the backward:
 * gram_sym: S[n,c,d] = dG[n,c,d] + dG[n,d,c], dG and S (N, C, C) float32.
 * Launch: 3-D, dim 0 = d < C, dim 1 = c < C (both rounded up to the local size and bounds-checked),
 * dim 2 = n (exact).
 * Must match RawConv.Ops.Reference.GramRef (with the GEMM, up to summation order).
 */
#include "common.h"

__kernel void gram_sym(__global float* restrict S, __global const float* restrict dG, int C)
{
    int d = (int)get_global_id(0), c = (int)get_global_id(1);
    if (d >= C || c >= C) return;
    size_t g = get_global_id(2) * (size_t)C * C;
    S[g + (size_t)c * C + d] = dG[g + (size_t)c * C + d] + dG[g + (size_t)d * C + c];
}
