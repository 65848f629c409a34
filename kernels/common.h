/* common.h — helpers shared by every kernel file (inlined by #include "common.h").
 * Compiles as OpenCL C 1.2 and, after cuda_prelude.h, as CUDA C. */
#ifndef RAWCONV_COMMON_H
#define RAWCONV_COMMON_H

/* Ceiling division for non-negative ints. */
#define DIV_UP(a, b) (((a) + (b) - 1) / (b))

/* Qualifier for device helper functions (the CUDA prelude defines it with __device__). */
#ifndef RC_FN
#define RC_FN static inline
#endif

#endif
