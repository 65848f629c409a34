/* cuda_prelude.h — makes the OpenCL C 1.2 kernels in kernels/ (every .cl file) compile as CUDA C.
 *
 * Compiled ahead of time, with no CUDA toolkit headers and no libdevice:
 *   clang-14 -x cuda --cuda-device-only --cuda-gpu-arch=sm_70 -nocudainc -nocudalib \
 *            -include kernels/cuda_prelude.h -I kernels kernels/X.cl
 * so every builtin a kernel uses must be defined here in terms of NVVM intrinsics or LLVM builtins
 * that the NVPTX backend lowers to instructions (never to calls into libdevice). The PTX check test
 * fails if any `.extern .func` survives.
 *
 * Rules for kernels: statically sized __local arrays declared in the kernel body (no __local pointer
 * arguments), no early return before a barrier (PoCL needs that too), only the builtins below.
 */
#ifndef RAWCONV_CUDA_PRELUDE_H
#define RAWCONV_CUDA_PRELUDE_H

#define RAWCONV_CUDA 1
#define __kernel extern "C" __attribute__((global))
/* Kernels spell address spaces with underscores (__global, __local): the short forms would clash
 * with the attribute names CUDA uses. */
#define __global
#define __local __attribute__((shared))
#define __constant const
#define __private
#define restrict __restrict__
#define RC_FN static __attribute__((device)) inline

#define CLK_LOCAL_MEM_FENCE 1
#define CLK_GLOBAL_MEM_FENCE 2
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define FLT_MAX 3.402823466e+38f
#define M_PI_F 3.14159265358979323846f
#define M_LOG2E_F 1.44269504088896340736f
#define M_LN2_F 0.69314718055994530942f

typedef unsigned long size_t;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef float float2 __attribute__((ext_vector_type(2)));
typedef float float4 __attribute__((ext_vector_type(4)));
typedef float float8 __attribute__((ext_vector_type(8)));
typedef float float16 __attribute__((ext_vector_type(16)));
typedef int int2 __attribute__((ext_vector_type(2)));
typedef int int4 __attribute__((ext_vector_type(4)));

RC_FN void barrier(int flags) { (void)flags; __syncthreads(); }

RC_FN size_t get_local_id(uint d) { return d == 0 ? __nvvm_read_ptx_sreg_tid_x() : d == 1 ? __nvvm_read_ptx_sreg_tid_y() : __nvvm_read_ptx_sreg_tid_z(); }
RC_FN size_t get_local_size(uint d) { return d == 0 ? __nvvm_read_ptx_sreg_ntid_x() : d == 1 ? __nvvm_read_ptx_sreg_ntid_y() : __nvvm_read_ptx_sreg_ntid_z(); }
RC_FN size_t get_group_id(uint d) { return d == 0 ? __nvvm_read_ptx_sreg_ctaid_x() : d == 1 ? __nvvm_read_ptx_sreg_ctaid_y() : __nvvm_read_ptx_sreg_ctaid_z(); }
RC_FN size_t get_num_groups(uint d) { return d == 0 ? __nvvm_read_ptx_sreg_nctaid_x() : d == 1 ? __nvvm_read_ptx_sreg_nctaid_y() : __nvvm_read_ptx_sreg_nctaid_z(); }
RC_FN size_t get_global_id(uint d) { return get_group_id(d) * get_local_size(d) + get_local_id(d); }
RC_FN size_t get_global_size(uint d) { return get_num_groups(d) * get_local_size(d); }

/* Math: ex2/lg2 approximations are accurate to about 2 ulp, within every tolerance in STYLE.md. */
RC_FN float exp(float x) { return __nvvm_ex2_approx_f(x * M_LOG2E_F); }
RC_FN float exp2(float x) { return __nvvm_ex2_approx_f(x); }
RC_FN float log(float x) { return __nvvm_lg2_approx_f(x) * M_LN2_F; }
RC_FN float log2(float x) { return __nvvm_lg2_approx_f(x); }
RC_FN float pow(float x, float y) { return __nvvm_ex2_approx_f(y * __nvvm_lg2_approx_f(x)); }
RC_FN float sqrt(float x) { return __nvvm_sqrt_rn_f(x); }
RC_FN float rsqrt(float x) { return __nvvm_rsqrt_approx_f(x); }
RC_FN float fabs(float x) { return __builtin_fabsf(x); }
RC_FN float fmax(float a, float b) { return __builtin_fmaxf(a, b); }
RC_FN float fmin(float a, float b) { return __builtin_fminf(a, b); }
RC_FN float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
RC_FN float mad(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
RC_FN float floor(float x) { return __builtin_floorf(x); }
RC_FN float ceil(float x) { return __builtin_ceilf(x); }
RC_FN float copysign(float a, float b) { return __builtin_copysignf(a, b); }
RC_FN float native_exp(float x) { return exp(x); }
RC_FN float native_log(float x) { return log(x); }
RC_FN float native_powr(float x, float y) { return pow(x, y); }
RC_FN float native_sqrt(float x) { return sqrt(x); }
RC_FN float native_rsqrt(float x) { return rsqrt(x); }
RC_FN float native_recip(float x) { return 1.0f / x; }
RC_FN int isnan(float x) { return x != x; }
RC_FN int isinf(float x) { return __builtin_fabsf(x) == __builtin_inff(); }
RC_FN float clamp(float x, float lo, float hi) { return __builtin_fminf(__builtin_fmaxf(x, lo), hi); }
RC_FN float max(float a, float b) { return __builtin_fmaxf(a, b); }
RC_FN float min(float a, float b) { return __builtin_fminf(a, b); }
RC_FN int max(int a, int b) { return a > b ? a : b; }
RC_FN int min(int a, int b) { return a < b ? a : b; }
RC_FN int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
RC_FN long max(long a, long b) { return a > b ? a : b; }
RC_FN long min(long a, long b) { return a < b ? a : b; }
RC_FN int as_int(float x) { return __builtin_bit_cast(int, x); }
RC_FN float as_float(int x) { return __builtin_bit_cast(float, x); }
RC_FN uint as_uint(float x) { return __builtin_bit_cast(uint, x); }

RC_FN float4 vload4(size_t i, const float* p) { const float* q = p + 4 * i; return (float4){q[0], q[1], q[2], q[3]}; }
RC_FN void vstore4(float4 v, size_t i, float* p) { float* q = p + 4 * i; q[0] = v.x; q[1] = v.y; q[2] = v.z; q[3] = v.w; }
RC_FN float8 vload8(size_t i, const float* p) { const float* q = p + 8 * i; return (float8){q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]}; }
RC_FN void vstore8(float8 v, size_t i, float* p) { float* q = p + 8 * i; for (int j = 0; j < 8; j++) q[j] = v[j]; }
RC_FN float16 vload16(size_t i, const float* p) { const float* q = p + 16 * i; float16 v; for (int j = 0; j < 16; j++) v[j] = q[j]; return v; }
RC_FN void vstore16(float16 v, size_t i, float* p) { float* q = p + 16 * i; for (int j = 0; j < 16; j++) q[j] = v[j]; }

#endif
