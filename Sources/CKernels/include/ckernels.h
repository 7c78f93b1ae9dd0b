// ckernels: the engine's hot loops in C, over NCHW float planes. Each kernel has a portable
// body compiled twice, once for AVX2+FMA, and the AVX2 clone is chosen at run time when the
// CPU has it (`__builtin_cpu_supports`). Shapes are given per plane; every offset is checked
// by the Swift caller (ShapeInference), so the kernels do no bounds checks of their own.
#ifndef SHEARS_CKERNELS_H
#define SHEARS_CKERNELS_H

#include <stdint.h>

/// A sliding window over one plane: kernel, stride, top/left padding, dilation, and the
/// input and output sizes.
typedef struct {
    int32_t in_h, in_w, out_h, out_w;
    int32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
} shears_window;

/// Floats of scratch `shears_max_pool` and `shears_depthwise_conv` need: one padded plane.
int64_t shears_padded_plane_size(shears_window window);

/// Max pooling of `planes` planes: y[oy, ox] = max over in-bounds taps (i, j), taps in
/// row-major order, of x[oy·sh − ph + i·dh, ox·sw − pw + j·dw]; a NaN wins; −inf when no
/// tap is in bounds. `scratch` holds `shears_padded_plane_size(window)` floats.
void shears_max_pool(const float *x, float *y, int32_t planes, shears_window window, float *scratch);

/// Depthwise convolution of `channels` planes, each with its own kh·kw filter `w[c]`:
/// y[c, oy, ox] = act((Σ over taps (i, j), in row-major order, of w[c, i, j] · x[c, iy, ix],
/// 0 outside the input) + bias[c]), act = max(·, 0) when `relu`, else the identity.
/// `scratch` holds `shears_padded_plane_size(window)` floats.
void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y,
                           int32_t channels, shears_window window, int32_t relu, float *scratch);

/// im2col of `channels` planes for output rows [first_row, first_row + rows): row
/// (c·kh + i)·kw + j of `cols` (rows `row_stride` floats apart) holds
/// x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] at column (oy − first_row)·out_w + ox, 0 in
/// the padding.
void shears_im2col(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row, int32_t rows,
                   shears_window window);

/// Sparse × dense product: C[r, 0 ..< n] = Σ over the nonzeros (k, v) of row r of v · B[k, 0 ..< n],
/// the nonzeros of row r being columns[row_start[r] ..< row_start[r + 1]] with `values` (CSR).
/// Rows of B are `ldb` floats apart, rows of C `ldc`; C is overwritten.
void shears_sparse_gemm(const int32_t *row_start, const int32_t *columns, const float *values, int32_t rows,
                        const float *b, int64_t ldb, int32_t n, float *c, int64_t ldc);

/// Winograd F(2x2, 3x3) for stride-1, undilated 3x3 convolutions (Lavin & Gray 2016):
/// Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A over 4x4 input tiles d that step by 2, with
/// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
/// Aᵀ = [1 1 1 0; 0 1 −1 −1]. The products of the 16 transformed positions are 16 GEMMs
/// M[ξ] = U[ξ] · V[ξ] done by the caller.
///
/// Filter transform: u[ξ][o][c] = (G g[o, c] Gᵀ)[ξ] for weights [out_c, in_c, 3, 3].
void shears_winograd_filter(const float *w, int32_t out_c, int32_t in_c, float *u);

/// Input transform of `channels` planes: v[ξ][c][t] = (Bᵀ d Bᵀᵀ)[ξ] for tile t (row-major over
/// ceil(out_h/2) x ceil(out_w/2) tiles), d the 4x4 input patch at (2·ty − ph, 2·tx − pw),
/// zeros outside; rows of v[ξ] are `tiles` floats apart.
void shears_winograd_input(const float *x, int32_t channels, shears_window window, float *v, int64_t tiles);

/// Output transform: y[o, 2·ty + a, 2·tx + b] = (Aᵀ m[·][o][t] A)[a][b] + bias[o], the rows
/// and columns past out_h, out_w dropped; m laid out as v, with `out_c` rows.
void shears_winograd_output(const float *m, int32_t out_c, shears_window window, int64_t tiles, const float *bias, float *y);

#endif
