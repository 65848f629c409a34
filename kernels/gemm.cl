/* gemm.cl — the one SGEMM of RawConv, plus the small copy kernels that feed it. Family: RawConv.Ops.Gemm
 * and Linear (a fully connected layer is a GEMM; gemv_nt is its small-batch form); Conv2d and Gram launch
 * gemm_nn through Gemm.
 *
 * gemm_nn_<TM>x<TN>: for each batch z (dim 2), C = alpha · A·B + beta · C (+ bias[z·M + m]).
 *   A (M × K) row-major, element (m, k) at a[aOff + z·aBatch + m·lda + k]
 *   B (K × N) row-major, element (k, n) at b[bOff + z·bBatch + k·ldb + n]
 *   C element (m, n) at c[cOff + z·cBatch + m·ldc + (n / cSplit)·cSplitStride + n % cSplit];
 *   the split lets a GEMM over columns (image, pixel) store straight into NCHW (cSplit = pixels per
 *   image, cSplitStride = K·pixels); plain matrices pass cSplit ≥ N. beta = 0 never reads C.
 *   Each work-item holds a TM × TN block of C in registers (two float16 per row, TN = 32): per k it
 *   loads two float16 of B along n and broadcasts TM scalars of A (TM = 8: 16 FMAs per 10 loads).
 *   Variants gemm_nn_8x32 and gemm_nn_4x32 (the host picks one by KernelTuning.GemmTileM). PoCL
 *   does not vectorize this across work-items; the explicit vectors are the SIMD. Dim 0: tiles
 *   along m, so consecutive work-items reuse one B panel from cache; dim 1: tiles along n.
 *   Launch: global (ceil(M/TM), ceil(N/TN), batches) rounded up to the local size; any local size.
 * transpose2d: out[oOff + z·oBatch + j·ldo + i] = in[iOff + z·iBatch + i·ldi + j], i < rows, j < cols;
 *   dim 0 over i, dim 1 over j, dim 2 over z.
 * fill_broadcast: out[m·N + n] = src[m·sm + n·sn] (strides 0 broadcast), dim 0 over n, dim 1 over m.
 * gemv_nt: y[m·N + j] = Σ_k x[m·K + k] · w[j·K + k] (+ bias[j]) for m < M ≤ 4 — a fully connected layer
 *   at batch ≤ 4, bound by streaming w (N × K row-major) once. One work-item per output j: it walks
 *   row j with float16 loads (two per step, so two independent FMA chains) against the M rows of x,
 *   which stay in cache; the last K % 32 run scalar. Launch: 1-D, global N rounded up to the local size.
 * Must match RawConv.Ops.Reference.GemmRef.
 */
#include "common.h"

#define TN 32

#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ROWS4(X) X(0) X(1) X(2) X(3)
#define DECL(i) const __global float* a##i = a + min(m0 + i, M - 1) * lda; \
    float16 c##i = (float16)(0.0f), d##i = (float16)(0.0f);
#define FMA(i) { float av = a##i[k]; c##i += av * bv; d##i += av * bw; }
#define ACC(i) acc[2 * i] = c##i; acc[2 * i + 1] = d##i;

#define GEMM_NN_ARGS __global float* restrict c, int cOff, int ldc, int cBatch, int cSplit, int cSplitStride, \
                     __global const float* restrict a, int aOff, int lda, int aBatch,                        \
                     __global const float* restrict b, int bOff, int ldb, int bBatch,                        \
                     __global const float* restrict bias, int useBias,                                       \
                     int M, int N, int K, float alpha, float beta

/* The body of gemm_nn_<TM>x32; ROWS(X) applies X to each of the TM rows. */
#define GEMM_NN(TM, ROWS)                                                                                     \
    int n0 = (int)get_global_id(1) * TN;                                                                     \
    int m0 = (int)get_global_id(0) * TM;                                                                     \
    int z = (int)get_global_id(2);                                                                           \
    if (n0 >= N || m0 >= M) return;                                                                          \
    a += aOff + z * aBatch;                                                                                  \
    b += bOff + z * bBatch + n0;                                                                             \
    ROWS(DECL)                                                                                               \
    if (n0 + TN <= N) {                                                                                      \
        for (int k = 0; k < K; k++) {                                                                        \
            float16 bv = vload16(0, b + k * ldb), bw = vload16(1, b + k * ldb);                              \
            ROWS(FMA)                                                                                        \
        }                                                                                                    \
    } else {                                                                                                 \
        /* Last column tile: whole float16 loads where they fit, zeros past N. */                            \
        int rem = N - n0;                                                                                    \
        float t[TN / 2];                                                                                     \
        for (int k = 0; k < K; k++) {                                                                        \
            const __global float* bk = b + k * ldb;                                                          \
            float16 bv, bw = (float16)(0.0f);                                                                \
            if (rem >= TN / 2) {                                                                             \
                bv = vload16(0, bk);                                                                         \
                if (rem > TN / 2) {                                                                          \
                    for (int j = 0; j < TN / 2; j++) t[j] = TN / 2 + j < rem ? bk[TN / 2 + j] : 0.0f;        \
                    bw = vload16(0, t);                                                                      \
                }                                                                                            \
            } else {                                                                                         \
                for (int j = 0; j < TN / 2; j++) t[j] = j < rem ? bk[j] : 0.0f;                              \
                bv = vload16(0, t);                                                                          \
            }                                                                                                \
            ROWS(FMA)                                                                                        \
        }                                                                                                    \
    }                                                                                                        \
    float16 acc[2 * TM];                                                                                     \
    ROWS(ACC)                                                                                                \
    c += cOff + z * cBatch;                                                                                  \
    if (n0 + TN <= N && n0 / cSplit == (n0 + TN - 1) / cSplit) {                                             \
        /* The whole row segment is contiguous: vector stores. */                                            \
        c += (n0 / cSplit) * cSplitStride + n0 % cSplit;                                                     \
        for (int i = 0; i < TM; i++) {                                                                       \
            int m = m0 + i;                                                                                  \
            if (m >= M) break;                                                                               \
            float add = useBias ? bias[z * M + m] : 0.0f;                                                    \
            float16 v = alpha * acc[2 * i] + add, u = alpha * acc[2 * i + 1] + add;                          \
            if (beta != 0.0f) { v += beta * vload16(0, c + m * ldc); u += beta * vload16(1, c + m * ldc); }  \
            vstore16(v, 0, c + m * ldc);                                                                     \
            vstore16(u, 1, c + m * ldc);                                                                     \
        }                                                                                                    \
        return;                                                                                              \
    }                                                                                                        \
    for (int i = 0; i < TM; i++) {                                                                           \
        int m = m0 + i;                                                                                      \
        if (m >= M) break;                                                                                   \
        float t[TN];                                                                                         \
        vstore16(acc[2 * i], 0, t);                                                                          \
        vstore16(acc[2 * i + 1], 1, t);                                                                      \
        float add = useBias ? bias[z * M + m] : 0.0f;                                                        \
        for (int j = 0; j < TN; j++) {                                                                       \
            int n = n0 + j;                                                                                  \
            if (n >= N) break;                                                                               \
            int idx = m * ldc + (n / cSplit) * cSplitStride + n % cSplit;                                    \
            float v = alpha * t[j] + add;                                                                    \
            c[idx] = beta != 0.0f ? v + beta * c[idx] : v;                                                   \
        }                                                                                                    \
    }                                                                                                        \

__kernel void gemm_nn_8x32(GEMM_NN_ARGS) { GEMM_NN(8, ROWS8) }
__kernel void gemm_nn_4x32(GEMM_NN_ARGS) { GEMM_NN(4, ROWS4) }

__kernel void transpose2d(__global float* restrict out, int oOff, int ldo, int oBatch,
                          __global const float* restrict in, int iOff, int ldi, int iBatch, int rows, int cols)
{
    int i = (int)get_global_id(0);
    int j = (int)get_global_id(1);
    int z = (int)get_global_id(2);
    if (i >= rows || j >= cols) return;
    out[oOff + z * oBatch + j * ldo + i] = in[iOff + z * iBatch + i * ldi + j];
}

__kernel void fill_broadcast(__global float* restrict out, __global const float* restrict src,
                             int M, int N, int sm, int sn)
{
    int n = (int)get_global_id(0);
    int m = (int)get_global_id(1);
    if (n >= N || m >= M) return;
    out[m * N + n] = src[m * sm + n * sn];
}

#define GV_STEP(acc, xr) acc += wv * vload16(0, xr + k) + wu * vload16(1, xr + k)

__kernel void gemv_nt(__global float* restrict y, __global const float* restrict x,
                      __global const float* restrict w, __global const float* restrict bias, int useBias,
                      int M, int N, int K)
{
    int j = (int)get_global_id(0);
    if (j >= N) return;
    const __global float* wr = w + (size_t)j * K;
    const __global float* x0 = x;
    const __global float* x1 = x + (size_t)min(1, M - 1) * K;
    const __global float* x2 = x + (size_t)min(2, M - 1) * K;
    const __global float* x3 = x + (size_t)min(3, M - 1) * K;
    float16 a0 = (float16)(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int kv = K - K % 32;
    for (int k = 0; k < kv; k += 32) {
        float16 wv = vload16(0, wr + k), wu = vload16(1, wr + k);
        GV_STEP(a0, x0);
        if (M > 1) GV_STEP(a1, x1);
        if (M > 2) GV_STEP(a2, x2);
        if (M > 3) GV_STEP(a3, x3);
    }
    float t[4];
    const __global float* xs[4] = {x0, x1, x2, x3};
    float16 as[4] = {a0, a1, a2, a3};
    float add = useBias ? bias[j] : 0.0f;
    for (int m = 0; m < M; m++) {
        float16 v = as[m];
        float8 h = v.lo + v.hi;
        float4 q = h.lo + h.hi;
        float s = (q.x + q.y) + (q.z + q.w);
        for (int k = kv; k < K; k++) s += xs[m][k] * wr[k];
        t[m] = s;
    }
    for (int m = 0; m < M; m++) y[(size_t)m * N + j] = t[m] + add;
}
