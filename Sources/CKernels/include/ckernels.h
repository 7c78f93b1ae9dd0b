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

/// Max pooling of `planes` planes: y[oy, ox] = max over in-bounds taps (i, j), taps in
/// row-major order, of x[oy·sh − ph + i·dh, ox·sw − pw + j·dw]; a NaN wins; −inf when no
/// tap is in bounds.
void shears_max_pool(const float *x, float *y, int32_t planes, shears_window window);

/// Depthwise convolution of `channels` planes, each with its own kh·kw filter `w[c]`:
/// y[c, oy, ox] = (Σ over in-bounds taps (i, j), in row-major order, of
/// w[c, i, j] · x[c, iy, ix]) + bias[c].
void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y,
                           int32_t channels, shears_window window);

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

#endif
