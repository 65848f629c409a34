/* softmax.h — the row reduction shared by softmax.cl and crossentropy.cl (the softmax family): one
 * work-group of SM_LOCAL work-items per row, a strided loop, then a tree reduction in local memory.
 * SM_LOCAL must equal the group size the hosts launch (RawConv.Ops.Softmax, RawConv.Ops.CrossEntropy).
 */
#ifndef RAWCONV_SOFTMAX_H
#define RAWCONV_SOFTMAX_H

#define SM_LOCAL 128

/* Tree reduction of red[0..SM_LOCAL) into red[0]; every work-item of the group must call it. */
#define TREE_REDUCE(red, lid, OP)                                              \
    for (int s_ = SM_LOCAL / 2; s_ > 0; s_ >>= 1) {                            \
        if ((lid) < s_) red[lid] = OP(red[lid], red[(lid) + s_]);               \
        barrier(CLK_LOCAL_MEM_FENCE);                                          \
    }

#define RC_ADD(a, b) ((a) + (b))

#endif
