// polyphase_winograd: a stride-2 convolution with a 7x7 or 8x8 kernel (the 7x7/2 stem of
// ResNets and the homework's student) as Winograd F(4x4, 4x4) over its four stride phases, for
// one NCHW float32 sample, the bias, an optional ReLU and an optional max pool fused.
//
// Stride phases: with x̂ the zero-padded input and P_pq[i][j] = x̂[2i + p][2j + q] (p, q < 2),
//   y[oy][ox] = Σ_c Σ_pq Σ_{a,b<4} g_cpq[a][b] · P_cpq[oy + a][ox + b],  g_cpq[a][b] = w[c][2a + p][2b + q]
// (zero where 2a + p ≥ kh or 2b + q ≥ kw): a stride-1 4x4 correlation over K = 4·in_c planes.
// Each 4x4 block of outputs is then Y = Aᵀ [ Σ_k (G g_k Gᵀ) ⊙ (Bᵀ d_k B) ] A over the 7x7 patches
// d_k that start at the block (Lavin & Gray 2016, points 0, ±1, ±2, ½, ∞), with
//   Bᵀ = [−2 4 5⁄2 −5 −½ 1 0; 0 2 −2 −9⁄2 ½ 1 0; 0 −2 6 −7⁄2 −3⁄2 1 0; 0 1 −3⁄2 −2 3⁄2 1 0;
//         0 −1 5⁄2 0 −5⁄2 1 0; 0 4 0 −5 0 1 0; 0 −2 4 5⁄2 −5 −½ 1],
//   G[j][k] = a_j^k / Π_{l≠j} (a_j − a_l) for the six finite points a_j, and [0 0 0 1] for ∞,
//   Aᵀ = [1 1 1 1 1 1 0; 0 1 −1 2 −2 ½ 0; 0 1 1 4 4 ¼ 0; 0 1 −1 8 −8 ⅛ 1]
// (the fractions of G applied in double to the filters; the input and output transforms'
// coefficients are exact in float). Multiplies per output and (input, output) channel pair:
// 49·4/16 ≈ 12, against 49 direct.
//
// Per sample: `shears_polyphase_source` fills the phase planes once; `shears_polyphase_conv`
// then computes any range of output rows (so threads can share an image, each with its own
// scratch, recomputing at most one tile row where a pool window spans two ranges). It walks
// rows of 4x4 tiles: the input transform of a tile row (all K planes, six tiles a vector),
// then per 16 output channels and 6 tiles the 49 products as register-blocked K-deep sums (16
// channels x 6 tiles in 12 accumulators), the output transform and the bias + ReLU into a ring
// of conv rows [row][column][channel], from which each finished row (or pooled row: the max
// down its window's rows, then across its columns) is written to y. No heap allocation, no
// threads.
//
// Accuracy: float rounding in the transforms and the K-deep sums: errors about 2e-6 of max |y|
// on a 3-channel stem (worst seen 1e-5), checked against the naive loop in the tests. A max pool
// over the ring takes the max down, then across (ties between +0 and −0 may resolve otherwise
// than in row-major order; a NaN in the window gives a NaN).
//
// Speed on one Zen 3 core, the student's 3→64 stem at 224x224 with its 3x3/2 max pool: ~1.5 ms
// a sample (the direct kernel fused with the pool: 2.6-2.9).
#ifndef SHEARS_POLYPHASE_WINOGRAD_H
#define SHEARS_POLYPHASE_WINOGRAD_H

#include "ckernels.h"

/// Whether the kernel applies: stride 2, kernel 7 or 8 each way, undilated.
int shears_polyphase_applies(shears_window conv);

/// Floats of the transformed filters: 49 · 4·in_c · ⌈out_c / 16⌉·16.
int64_t shears_polyphase_filter_size(int32_t out_c, int32_t in_c);

/// Filter transform of weights [out_c, in_c, kh, kw]: u[((o / 16)·49 + ξ)·4·in_c + k][o % 16] =
/// (G g_k[o] Gᵀ)[ξ] for ξ = 7·i + j < 49 and plane k = 4·c + 2·p + q (zeros for o ≥ out_c, up to a
/// multiple of 16); computed in double, rounded once.
void shears_polyphase_filter(const float *w, int32_t out_c, int32_t in_c, shears_window conv, float *u);

/// Floats of one sample's phase planes.
int64_t shears_polyphase_source_size(int32_t in_c, shears_window conv);

/// The phase planes of one sample x [in_c, in_h, in_w]: plane k = 4·c + 2·p + q, row i, with
/// its columns split by their remainder mod 4 (so a tile's seven columns are two vector loads
/// apart per remainder), zeros outside x.
void shears_polyphase_source(const float *x, int32_t in_c, shears_window conv, float *source);

/// Floats of one thread's scratch (the transformed tile row, the products of a tile block and
/// the ring of conv rows); `pool` may be NULL.
int64_t shears_polyphase_scratch_size(int32_t out_c, int32_t in_c, shears_window conv, const shears_window *pool);

/// Output rows [first_row, end_row) of one sample, all channels:
/// y[o, oy, ox] = act(conv(x)[o, oy, ox] + bias[o]) over the conv's out_h x out_w, act a ReLU
/// (a NaN stays NaN) when relu != 0; with `pool` (a max pool over the conv's output planes,
/// undilated) y holds the pooled planes [out_c, pool.out_h, pool.out_w] instead (rows are then
/// pooled rows): the max over the window's taps inside the plane. `source` from
/// `shears_polyphase_source`, `u` from `shears_polyphase_filter`.
void shears_polyphase_conv(const float *source, const float *u, const float *bias, int32_t out_c, int32_t in_c,
                           shears_window conv, const shears_window *pool, int32_t first_row, int32_t end_row, int32_t relu,
                           float *scratch, float *y);

#endif
