// small_conv: an ungrouped convolution on small output maps (fewer than 32 positions a plane:
// 4x4, 2x2, 1x1), where OpenBLAS's sgemm spends more time packing than computing, as one GEMM
// over all of a lane's samples: Y[out_c, n·P + p] = W'[out_c, T·in_c] · cols[T·in_c, n·P + p]
// (P = out_h·out_w positions a sample). Only the T taps given run, in the caller's choice:
// the "live" ones (`shears_small_conv_live_taps`) that read the input at some output position
// (a 3x3, pad-1 conv on a 1x1 map has only its centre tap live); a dead tap only ever
// multiplies the zero padding, so leaving it out changes nothing while its weights are finite.
// The columns are gathered through a table of the plane offset each tap reads at each
// position. The weights are packed once in panels of 16 output channels; tiles of 16 output channels by
// up to 6 columns keep their sums in 12 vector registers, and the bias, an optional residual
// and the activation are applied while the tile is scattered back to NCHW.
#ifndef SHEARS_SMALL_CONV_H
#define SHEARS_SMALL_CONV_H

#include "ckernels.h"

#include <stdint.h>

/// Output channels per panel of packed weights (threads share the panels).
#define SHEARS_SMALL_CONV_PANEL 16

/// Writes the row-major index i·kw + j of each tap (i, j) of `window` that reads the input at
/// some output position (iy = oy·sh − ph + i·dh in [0, in_h) for some oy < out_h, and
/// ix = ox·sw − pw + j·dw in [0, in_w) for some ox < out_w), in row-major order, to `taps`
/// (room for kh·kw) and returns how many there are.
int32_t shears_small_conv_live_taps(shears_window window, int32_t *taps);

/// Floats of the packed weights: ⌈out_c / 16⌉ · 16 · tap_count · in_c.
int64_t shears_small_conv_packed_size(int32_t out_c, int32_t in_c, int32_t tap_count);

/// Packs w [out_c, in_c, kernel_taps] (kernel_taps = kh·kw) for the taps `taps[0..<tap_count]`
/// as [⌈out_c / 16⌉][tap_count·in_c][16]: packed[(q·K + t·in_c + c)·16 + r] =
/// w[16·q + r, c, taps[t]] (K = tap_count·in_c), 0 past out_c.
void shears_small_conv_pack(const float *w, int32_t out_c, int32_t in_c, int32_t kernel_taps, const int32_t *taps,
                            int32_t tap_count, float *packed);

/// The plane offset each tap reads at each output position: sources[t·P + oy·out_w + ox] =
/// iy·in_w + ix for tap (i, j) = taps[t], or −1 where that is in the padding (P = out_h·out_w;
/// `sources` holds tap_count·P). Computed once per conv, with the packed weights.
void shears_small_conv_sources(shears_window window, const int32_t *taps, int32_t tap_count, int32_t *sources);

/// The columns of `batch` samples of x [batch, in_c, plane] for the taps of `sources`:
/// cols[(t·in_c + c)·columns + n·P + p] = x[n, c, sources[t·P + p]] (0 where that is −1),
/// columns = batch·P. `cols` holds tap_count·in_c·columns floats.
void shears_small_conv_gather(const float *x, int32_t batch, int32_t in_c, int64_t plane, const int32_t *sources,
                              int32_t tap_count, int32_t positions, float *cols);

/// y[n, o, p] = act(Σ_k packed[o, k] · cols[k, n·P + p] + bias[o] + skip[n, o, p]) for the
/// output channels o of panels [first_panel, end_panel) (o < out_c) of `batch` samples of
/// `positions` (P) positions; cols from shears_small_conv_gather (depth = tap_count·in_c
/// rows), packed from shears_small_conv_pack; skip (NULL: none) and y are [batch, out_c, P]
/// and y overlaps neither cols nor skip. Every activation kind is applied in the store.
void shears_small_conv(const float *cols, const float *packed, const float *bias, const float *skip, int32_t out_c,
                       int32_t depth, int32_t batch, int32_t positions, int32_t first_panel, int32_t end_panel,
                       shears_activation act, float *y);

#endif
