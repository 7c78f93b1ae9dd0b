// winograd43: Winograd F(4x4, 3x3) for stride-1, undilated 3x3 convolutions on NCHW float
// planes (Lavin & Gray 2016, interpolation points 0, ±1, ±2, ∞): each 4x4 block of outputs is
// Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A over the 6x6 input tile d that starts at the block, with
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
//   G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙; 1⁄24 −1⁄12 ⅙; 0 0 1],
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
// (the fractions all in G, transformed in double, so the input and output transforms have
// integer coefficients). The 36 products of the transformed positions ξ = 6·i + j (row i,
// column j of the 6x6 tile) sum over input channels: they are 36 GEMMs M[ξ] (out_c x n) =
// U[ξ] (out_c x in_c) · V[ξ] (in_c x n) over n tiles, which the caller runs (cblas_sgemm) between
// the input and the output transform; these functions do no GEMM, threading or heap allocation
// (the input transform keeps a zero-padded window of the input rows, at most 32 KB, on the stack).
// Tiles are numbered row-major over ceil(out_h/4) x ceil(out_w/4); a call transforms any range of
// one sample's tiles into any columns of V or out of M (rows ld floats apart), so a chunk of
// tiles that stays in cache may hold several samples, each placed by its own call.
//
// Layout: the 36 rows ξ of a tile are channels·ld floats apart, so ld decides how they spread
// over the cache sets: an odd ld (n | 1 for n columns) is best; ld = n = 128 or 256 makes the
// transforms about 1.6x slower.
// Accuracy: F(4x4) amplifies the float rounding of the GEMM sums (Aᵀ · A has entries up to 64):
// with 64-512 channels the largest error is about 1e-5 of max |y|, 10-20x that of im2col + GEMM.
#ifndef SHEARS_WINOGRAD43_H
#define SHEARS_WINOGRAD43_H

#include "ckernels.h"

/// Filter transform: u[ξ][o][c] = (G g[o, c] Gᵀ)[ξ], ξ < 36, for weights [out_c, in_c, 3, 3]
/// (computed in double, rounded once).
void shears_winograd43_filter(const float *w, int32_t out_c, int32_t in_c, float *u);

/// Input transform of tiles [first_tile, first_tile + count) of one sample x [channels, in_h, in_w].
/// Tile (ty, tx) reads the 6x6 input patch d at rows 4·ty − pad_h ..< +6, columns 4·tx − pad_w ..< +6
/// (zeros outside the input) and writes v[(ξ·channels + c)·ld + column + (t − first_tile)] = (Bᵀ d B)[ξ];
/// nothing else of v is written.
void shears_winograd43_input(const float *x, int32_t channels, shears_window window,
                             int64_t first_tile, int32_t count, float *v, int64_t ld, int64_t column);

/// Output transform of tiles [first_tile, first_tile + count) of one sample:
/// y[o, 4·ty + a, 4·tx + b] = act((Aᵀ m A)[a][b] + bias[o]) for every position inside out_h x out_w
/// (positions past the edge are dropped), m[ξ][o] of tile t at m[(ξ·out_c + o)·ld + column + (t − first_tile)]
/// (nothing else of m is read); act is max(·, 0) (a NaN stays NaN) when relu != 0, else the identity.
/// y is one sample [out_c, out_h, out_w].
void shears_winograd43_output(const float *m, int32_t out_c, shears_window window, int64_t first_tile,
                              int32_t count, int64_t ld, int64_t column, const float *bias, int32_t relu, float *y);

#endif
