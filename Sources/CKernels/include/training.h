// training: the training engine's hot loops (NNTraining), over NCHW float planes like the
// engine's. The im2col matrix a training conv's GEMMs multiply (forward and weight gradient)
// and its transpose, col2im (the input gradient), in training/columns.c: each plane
// is read through the engine's zero-padded plane (window/padded_plane.h, rows split into their
// stride phases), so every tap's output row is a contiguous copy of out_w floats with no bounds
// tests; col2im sums into such a plane the same way and adds its input positions to the input
// gradient.
#ifndef SHEARS_TRAINING_H
#define SHEARS_TRAINING_H

#include "ckernels.h"

#include <stdint.h>

/// Row c·tap_count + k of `cols` (rows `row_stride` floats apart, row_stride ≥ out_h·out_w)
/// gets x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] at column oy·out_w + ox, 0 where that is
/// padding, for tap taps[k] = i·kw + j and the `channels` planes of `x` (in_h·in_w floats
/// each): every tap in row-major order is im2col; a conv on a tiny map passes only its live
/// taps (shears_small_conv_live_taps), the others reading nothing but padding. Columns from
/// out_h·out_w to row_stride are not written. `scratch`: `shears_padded_plane_size` floats.
void shears_im2col_padded(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window window,
                          const int32_t *taps, int32_t tap_count, float *scratch);

/// The transpose of `shears_im2col_padded`: adds every entry of `cols` to the element of `dx`
/// it was read from (padding entries dropped). Each plane's entries are summed tap by tap in
/// the order given, then added to `dx`.
void shears_col2im_padded(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window window,
                          const int32_t *taps, int32_t tap_count, float *scratch);

/// Max pooling's backward for `planes` planes (torch's max_pool2d_with_indices_backward): each
/// output's gradient dy[plane, oy, ox] is added to dx at its window's argmax, the tap torch's
/// scan picks (in-bounds taps in row-major order, a tap replacing the best when larger or NaN):
/// given the forward's output y (the window's maximum), the last NaN tap when y is NaN, else
/// the first tap equal to y. `dx` is added to, not cleared.
void shears_max_pool_backward(const float *x, const float *y, const float *dy, float *dx, int32_t planes, shears_window window);

/// Σ_p (x[p] − center) (`squared` 0) or Σ_p (x[p] − center)² (`squared` 1) over `count`
/// floats, in double: eight lanes, then the lanes in order, then the tail.
double shears_plane_sum(const float *x, int64_t count, double center, int32_t squared);

/// Σ_p g[p] into `sum` and Σ_p g[p]·(x[p] − center) into `dot` over `count` floats, in double
/// (summed as shears_plane_sum sums).
void shears_plane_gradient_sums(const float *g, const float *x, int64_t count, double center, double *sum, double *dot);

/// Floats of scratch `shears_depthwise_backward` needs: a running sum per tap (a double each) and
/// two padded planes (`shears_padded_plane_size` each).
int64_t shears_depthwise_backward_scratch_size(shears_window window);

/// The backward of a depthwise conv (w [C, 1, kh, kw], no bias) for the channels
/// [first, first + count) of a batch x [N, C, in_h, in_w], dy [N, C, out_h, out_w]:
/// dw[c, tap] = Σ_n Σ_{oy, ox} dy[n, c, oy, ox] · x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]
/// (each plane's sum in float lanes, the planes in double), and when `dx` is not NULL
/// dx[n, c] = the transpose of the forward applied to dy[n, c] (overwritten).
void shears_depthwise_backward(const float *x, const float *w, const float *dy, float *dw, float *dx, int32_t batch,
                               int32_t channels, int32_t first, int32_t count, shears_window window, float *scratch);

#endif
