// direct_conv: register-blocked direct ("implicit GEMM") convolution of one NCHW float32
// sample, for ungrouped convs of any kernel size, stride, top/left padding and dilation
// (bottom/right padding implied by out_h, out_w), with the bias and an optional ReLU fused into
// the store: a dense kernel (weights packed once) and a sparse one (unstructured-pruned weights
// in CSR). Not for grouped or depthwise convs (`shears_depthwise_conv`), not batched (one call
// is one sample, or a range of its output channels so two threads can share an image), no
// activations other than ReLU.
//
// The taps read a grid on which each is a constant offset: x itself (stride 1, no padding,
// every tap of every output inside the input), or a "source" the caller fills once per sample
// with `shears_direct_source`: the zero-padded planes split into their stride phases. Per
// sample: if the source size is nonzero, fill the source and pass it as `input`, else pass x;
// then call either kernel for each range of output channels (each thread its own scratch).
//
// A conv followed by a max pool (that is its output's only reader) can run fused,
// `shears_direct_conv_max_pool`: the conv output is pooled a band of rows at a time while in
// cache, never stored whole.
//
// Speed on one Zen 3 core (AVX2), against im2col + one sgemm (OpenBLAS): the 3→64 7x7/2 stem
// at 224x224 runs at ~92 GFLOP/s (1.3x), 3x3 stride-1 layers at 70-85 (1.0-1.1x), strided
// and pointwise ones at par or better (0.95-1.25x). With its 3x3/2 max pool, on fresh memory
// each sample: 2.85 ms fused, 3.05 as the conv then shears_max_pool (the conv alone 2.7; the
// engine runs dense stems as polyphase Winograd instead, ~1.5 ms: polyphase_winograd.h). The
// sparse kernel takes about 0.2 of the dense time at 5% density, 0.3 at 10%, 0.45-0.5 at
// 17-20%, 0.7-0.9 at 30%, and passes it near 40%.
#ifndef SHEARS_DIRECT_CONV_H
#define SHEARS_DIRECT_CONV_H

#include "ckernels.h"

/// Output channels per block of packed dense weights: `first_out` must be a multiple of it.
/// (The dense kernel's tiles are 6 channels, what is left 4 or 2, from any multiple of 2.)
#define SHEARS_DIRECT_TILE_CHANNELS 2

/// Floats of the source of one sample with `channels` input channels, 0 when the conv reads
/// x directly (stride 1, no padding, every tap of every output inside the input).
///
/// Layout (when nonzero): [channels][phases_h][phases_w][hq][wq], then 16 zero floats.
/// hp = (out_h − 1)·sh + (kh − 1)·dh + 1 padded rows and wp = (out_w − 1)·sw + (kw − 1)·dw + 1
/// padded columns; hq = ⌈hp / sh⌉, wq = ⌈wp / sw⌉. Only the phases some tap reads are kept, in
/// increasing order: row phase a when (i·dh) % sh = a for some i < kh (phases_h of them),
/// column phase b likewise. Phase (a, b) holds x[c, r·sh + a − ph, q·sw + b − pw] at [r][q],
/// 0 outside the input.
int64_t shears_direct_source_size(int32_t channels, shears_window window);

/// Fills the padded, phase-split source of one sample x [channels, in_h, in_w] (layout at
/// `shears_direct_source_size`; only when that size is nonzero).
void shears_direct_source(const float *x, int32_t channels, shears_window window, float *source);

/// Floats of the packed dense weights: ⌈out_c / 2⌉ · 2 · in_c · kh · kw.
int64_t shears_direct_packed_size(int32_t out_c, int32_t in_c, shears_window window);

/// Packs w [out_c, in_c, kh, kw] as [⌈out_c / 2⌉][K][2] with K = in_c·kh·kw:
/// packed[(b·K + k)·2 + r] = w[2·b + r, k] (k = (c·kh + i)·kw + j), 0 for channels past out_c.
void shears_direct_pack(const float *w, int32_t out_c, int32_t in_c, shears_window window, float *packed);

/// Floats of scratch one call of either kernel needs (its packed panels of input, aligned to
/// 64 bytes inside it): at most 2^16 + 16.
int64_t shears_direct_scratch_size(int32_t in_c, shears_window window);

/// y[o, oy, ox] = act(Σ_{c,i,j} w[o,c,i,j] · x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] + bias[o])
/// for o in [first_out, end_out) of one sample (y is [out_c, out_h, out_w]; taps outside the
/// input read 0), act = ReLU (max(v, 0), NaN kept) when `relu` is nonzero, else the identity.
/// `input` is the source (or x when the source size is 0), `packed` the packed weights,
/// `scratch` `shears_direct_scratch_size` floats. first_out must be a multiple of 2; end_out is
/// any value up to out_c. Other output channels of y are not touched.
void shears_direct_conv(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                        shears_window window, int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y);

/// The same with CSR weights: row o's nonzeros are columns[row_start[o] ..< row_start[o+1]]
/// (k = (c·kh + i)·kw + j, ascending within a row) with `values`; rows may be empty. Any
/// 0 ≤ first_out ≤ end_out ≤ out_c works. Uses 8·(end_out − first_out) bytes of stack, besides
/// up to 16 KiB (the dense kernel: a few KiB).
void shears_direct_sparse_conv(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                               const float *bias, int32_t out_c, int32_t in_c, shears_window window,
                               int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y);

/// Floats of scratch `shears_direct_conv_max_pool` needs (for any channel range): the dense
/// kernel's panels for a band, a band and ring of at most 256 KiB (more only for conv rows of
/// tens of thousands of floats) and one padded row.
int64_t shears_direct_conv_max_pool_scratch_size(int32_t in_c, shears_window conv, shears_window pool);

/// y[o] = maxpool(act(conv(x)[o] + bias[o])) for o in [first_out, end_out) of one sample: the conv as
/// shears_direct_conv (same input/packed/bias/relu meaning; conv.out_h x conv.out_w is the pool's
/// input size), the pool as shears_max_pool with window `pool` (taps outside the conv output are
/// ignored, −inf when none; a NaN wins), y is [out_c, pool.out_h, pool.out_w]. The conv output is
/// computed a band of rows at a time into scratch and pooled while it is in cache, never written whole.
/// Any window and output size (pool.in_h, pool.in_w are not read); conv rows no pooled row reads
/// are not computed, rows between windows (stride past the window) are. first_out must be a
/// multiple of 2; other output channels of y are not touched. The result is bitwise what
/// shears_direct_conv then shears_max_pool give (same tap order), but where the conv's last panel
/// of a block of positions has 8 or fewer positions in one and not the other (within rounding).
void shears_direct_conv_max_pool(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                                 shears_window conv, shears_window pool, int32_t first_out, int32_t end_out, int32_t relu,
                                 float *scratch, float *y);

#endif
