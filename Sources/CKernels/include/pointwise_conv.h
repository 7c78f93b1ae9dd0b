// pointwise_conv: the 1x1, stride-1, unpadded, ungrouped convolution of one NCHW float32 sample
// as a GEMM straight on its planes, Y[out_c, P] = W[out_c, in_c] · X[in_c, P] (P = h·w
// positions, contiguous in every plane, so X needs no packing), with the whole epilogue fused in
// the store while a tile is in registers: the bias, an optional residual (`skip`, added before
// the activation) and any activation of `shears_activation` (ckernels.h; clip and leaky in
// registers, hard sigmoid and hard swish too, sigmoid and SiLU on each stored tile row while it is in L1). The weights are packed once (`shears_pointwise_pack`).
//
// Blocking (Goto/BLIS with X in place): for each block of positions (its chunk of X rows in L2),
// each chunk of input channels (a 16-position panel of it in L1), each block of output channels
// (their packed weights for the chunk in L2), each panel of 16 positions, each tile of 6 output
// channels (4 for what is left): 6 x 16 sums in 12 AVX registers, added to what y holds from
// earlier chunks; the last chunk adds the bias and the skip, applies the activation and stores.
// A last panel of fewer than 16 positions is copied, zero-padded, into scratch; on maps of
// fewer than 64 positions (7x7) every panel is.
//
// One call computes output channels [first_out, end_out) at positions [first_pos, end_pos) of
// one sample, so that threads can share a single image by positions or by channels.
#ifndef SHEARS_POINTWISE_CONV_H
#define SHEARS_POINTWISE_CONV_H

#include "ckernels.h"

#include <stdint.h>

/// Output channels per block of packed weights: `first_out` must be a multiple of it.
#define SHEARS_POINTWISE_TILE_CHANNELS 6

/// Floats of the packed weights: ⌈out_c / 6⌉ · 6 · in_c.
int64_t shears_pointwise_packed_size(int32_t out_c, int32_t in_c);

/// Packs w [out_c, in_c] as [⌈out_c / 6⌉][in_c][6]: packed[(t·in_c + c)·6 + r] = w[6·t + r, c],
/// 0 for channels past out_c.
void shears_pointwise_pack(const float *w, int32_t out_c, int32_t in_c, float *packed);

/// Floats of scratch one call needs (the packed panels of a block of positions, aligned inside
/// it): at most 2^15 + 16.
int64_t shears_pointwise_scratch_size(int32_t in_c);

/// y[o, p] = act(Σ_c w[o, c] · x[c, p] + bias[o] + skip[o, p]) for o in [first_out, end_out),
/// p in [first_pos, end_pos) of one sample: x is [in_c, positions], y and skip (NULL: no skip)
/// [out_c, positions]. `packed` from shears_pointwise_pack, `scratch`
/// shears_pointwise_scratch_size floats. first_out must be a multiple of 6, end_out at most
/// out_c; any 0 ≤ first_pos ≤ end_pos ≤ positions. Other outputs of y are not touched; y must
/// overlap neither x nor skip.
void shears_pointwise_conv(const float *x, const float *packed, const float *bias, const float *skip, int32_t out_c,
                           int32_t in_c, int64_t positions, int32_t first_out, int32_t end_out, int64_t first_pos,
                           int64_t end_pos, shears_activation activation, float *scratch, float *y);

#endif
