// dense: the dense direct kernel over a range of output rows, for the fused conv + max pool
// (conv_max_pool.c), which computes its conv a band of rows at a time. Internal to CKernels.
#ifndef SHEARS_DIRECT_DENSE_H
#define SHEARS_DIRECT_DENSE_H

#include "ckernels.h"
#include "../common/multiversion.h"

/// Output rows [first_row, end_row) of channels [first_out, end_out), the taps at `offsets` read
/// in place or not as `dense_offsets` (blocking.h) says: y is where channel first_out's row
/// first_row starts, channels `plane` floats apart. One clone per instruction set
/// (common/multiversion.h).
__attribute__((visibility("hidden"))) void direct_dense_portable(const float *input, const float *packed, const float *bias,
                                                                 int32_t in_c, shears_window v, const int64_t *offsets,
                                                                 int32_t in_place, int32_t first_out, int32_t end_out,
                                                                 int32_t first_row, int32_t end_row, int32_t relu, float *scratch,
                                                                 float *y, int64_t plane);
#if SHEARS_MULTIVERSION
SHEARS_AVX2 __attribute__((visibility("hidden"))) void direct_dense_avx2(const float *input, const float *packed, const float *bias,
                                                                         int32_t in_c, shears_window v, const int64_t *offsets,
                                                                         int32_t in_place, int32_t first_out, int32_t end_out,
                                                                         int32_t first_row, int32_t end_row, int32_t relu,
                                                                         float *scratch, float *y, int64_t plane);
#endif

#endif
