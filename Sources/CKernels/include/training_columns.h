// training_columns: the im2col matrix a training conv's GEMMs multiply (forward and weight
// gradient) and its transpose, col2im (the input gradient), for the training engine. Each plane
// is read through a zero-padded copy whose rows are split into their stride phases, so every
// tap's output row is a contiguous copy of out_w floats with no bounds tests (an unpadded
// stride-1 conv reads the plane itself); col2im sums into such a plane the same way and adds
// its interior to the input gradient.
#ifndef SHEARS_TRAINING_COLUMNS_H
#define SHEARS_TRAINING_COLUMNS_H

#include "ckernels.h"

#include <stdint.h>

/// Floats of scratch the two functions need: one padded plane,
/// max(in_h + pad_h, (out_h − 1)·sh + (kh − 1)·dh + 1) rows of
/// W = max(in_w + pad_w, (out_w − 1)·sw + (kw − 1)·dw + 1) columns, rounded up to a multiple of sw.
int64_t shears_columns_scratch_size(shears_window window);

/// Row (c·kh + i)·kw + j of `cols` (rows `row_stride` floats apart, row_stride ≥ out_h·out_w)
/// gets x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] at column oy·out_w + ox, 0 where that is
/// padding, for the `channels` planes of `x` (in_h·in_w floats each). Columns from
/// out_h·out_w to row_stride are not written. `scratch`: `shears_columns_scratch_size` floats.
void shears_im2col_padded(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window window,
                          float *scratch);

/// The transpose of `shears_im2col_padded`: adds every entry of `cols` to the element of `dx`
/// it was read from (padding entries dropped). Each plane's entries are summed tap by tap in
/// row-major order, then added to `dx`.
void shears_col2im_padded(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window window,
                          float *scratch);

#endif
