// direct_conv: register-blocked direct ("implicit GEMM") convolution of one NCHW sample, for
// ungrouped convs of any kernel size, stride, top/left padding and dilation, with the bias and
// an optional ReLU fused into the store; a dense variant (weights pre-packed once) and a sparse
// one (unstructured-pruned weights in CSR). Not for grouped or depthwise convs
// (`shears_depthwise_conv`), not batched: one call is one sample (or a range of its output
// channels, so two threads can share one image).
//
// The input is read on a grid where every tap is a constant offset: either x itself (a
// stride-1 conv without padding) or a "source" the caller fills once per sample
// (`shears_direct_source`): the zero-padded planes, each split into its stride phases.
#ifndef SHEARS_DIRECT_CONV_H
#define SHEARS_DIRECT_CONV_H

#include "ckernels.h"

/// Output channels per tile of the dense kernel: `first_out` must be a multiple of it, and
/// `end_out` a multiple of it or `out_c`.
#define SHEARS_DIRECT_TILE_CHANNELS 4

/// Floats of the source of one sample with `channels` input channels, 0 when the conv reads
/// x directly (stride 1, no padding, every tap of every output inside the input).
///
/// Layout (when nonzero): [channels][sh][sw][hq][wq] + 8 zero floats of slack, with
/// hp = (out_h − 1)·sh + (kh − 1)·dh + 1 padded rows, wp likewise, hq = ⌈hp / sh⌉,
/// wq = ⌈wp / sw⌉: phase (a, b) of channel c holds padded row r·sh + a, column q·sw + b
/// at [r][q], that is x[c, r·sh + a − ph, q·sw + b − pw], 0 outside the input.
int64_t shears_direct_source_size(int32_t channels, shears_window window);

/// Fills the padded, phase-split source of one sample x [channels, in_h, in_w] (layout at
/// `shears_direct_source_size`; only call it when that size is nonzero).
void shears_direct_source(const float *x, int32_t channels, shears_window window, float *source);

/// Floats of the packed dense weights: ⌈out_c / 4⌉ · 4 · in_c · kh · kw.
int64_t shears_direct_packed_size(int32_t out_c, int32_t in_c, shears_window window);

/// Packs w [out_c, in_c, kh, kw] as [⌈out_c / 4⌉][K][4] with K = in_c·kh·kw:
/// packed[(b·K + k)·4 + r] = w[4·b + r, k] (k = (c·kh + i)·kw + j), 0 for channels past out_c.
void shears_direct_pack(const float *w, int32_t out_c, int32_t in_c, shears_window window, float *packed);

/// Floats of scratch one call of either kernel needs (its packed panels of input taps).
int64_t shears_direct_scratch_size(int32_t in_c, shears_window window);

/// y[o, oy, ox] = act(Σ_{c,i,j} w[o,c,i,j] · x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] + bias[o])
/// for o in [first_out, end_out) of one sample (y is [out_c, out_h, out_w]; taps outside the
/// input read 0), act = ReLU (max(v, 0), NaN kept) when `relu` is nonzero, else the identity.
/// `input` is the source (or x when the source size is 0), `packed` the packed weights,
/// `scratch` `shears_direct_scratch_size` floats. first_out must be a multiple of 4 and
/// end_out a multiple of 4 or out_c (SHEARS_DIRECT_TILE_CHANNELS).
void shears_direct_conv(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                        shears_window window, int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y);

/// The same with CSR weights: row o's nonzeros are columns[row_start[o] ..< row_start[o+1]]
/// (k = (c·kh + i)·kw + j, ascending within a row) with `values`; rows may be empty. Any
/// first_out ≤ end_out works. Uses end_out − first_out int32 pairs of stack.
void shears_direct_sparse_conv(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                               const float *bias, int32_t out_c, int32_t in_c, shears_window window,
                               int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y);

#endif
