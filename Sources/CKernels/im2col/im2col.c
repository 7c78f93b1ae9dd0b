// im2col: see shears_im2col in include/ckernels.h (the grouped convs' and tiny maps' GEMM
// input). It copies contiguous segments: at stride 2 each input line is first split into its
// even and odd columns, so taps read contiguously there too; other strides read strided.

#include "ckernels.h"
#include "../common/multiversion.h"

#include <string.h>

/// The output columns [*lo, *hi) whose tap column ix = ox·s − p + offset lies in [0, in_w).
static inline __attribute__((always_inline)) void column_range(int32_t out_w, int32_t in_w, int32_t stride, int32_t start, int32_t *lo, int32_t *hi) {
    // ix >= 0  ⇔  ox >= ceil(−start / stride);  ix < in_w  ⇔  ox <= floor((in_w − 1 − start) / stride).
    int32_t first = start >= 0 ? 0 : (-start + stride - 1) / stride;
    int32_t last = in_w - 1 - start < 0 ? -1 : (in_w - 1 - start) / stride;
    *lo = first;
    *hi = last + 1 < out_w ? last + 1 : out_w;
    if (*hi < *lo) *hi = *lo;
}

/// Splits a line into its even columns (split[0 ..< (w+1)/2]) and odd ones (after them), so
/// that a stride-2 tap reads contiguously: column 2·q + r is split[r·half + q].
static inline __attribute__((always_inline)) void split_phases(const float *line, int32_t width, float *split) {
    int32_t half = (width + 1) / 2;
    for (int32_t q = 0; q < half; q++) split[q] = line[2 * q];
    for (int32_t q = 0; q < width / 2; q++) split[half + q] = line[2 * q + 1];
}

/// The contiguous source of a tap whose column is ox·stride + start: `line + start` at
/// stride 1, the matching phase of `split` at stride 2 (NULL otherwise: read strided).
static inline __attribute__((always_inline)) const float *tap_source(const float *line, const float *split, int32_t width, int32_t stride, int32_t start) {
    if (stride == 1) return line + start;
    if (stride != 2) return 0;
    int32_t phase = start & 1, half = (width + 1) / 2;
    return split + phase * half + (start - phase) / 2;
}

/// The body of shears_im2col.
static inline __attribute__((always_inline)) void im2col_rows(const float *x, float *cols, int64_t row_stride, int32_t channels,
                                                              int32_t first_row, int32_t rows, shears_window v) {
    float split[v.in_w + 1];
    for (int32_t c = 0; c < channels; c++) {
        const float *xp = x + (int64_t)c * v.in_h * v.in_w;
        for (int32_t i = 0; i < v.kernel_h; i++) {
            float *tap_rows = cols + (int64_t)(c * v.kernel_h + i) * v.kernel_w * row_stride;
            for (int32_t oy = first_row; oy < first_row + rows; oy++) {
                int64_t column = (int64_t)(oy - first_row) * v.out_w;
                int32_t iy = oy * v.stride_h - v.pad_h + i * v.dilation_h;
                if (iy < 0 || iy >= v.in_h) {
                    for (int32_t j = 0; j < v.kernel_w; j++)
                        memset(tap_rows + j * row_stride + column, 0, sizeof(float) * (size_t)v.out_w);
                    continue;
                }
                const float *line = xp + (int64_t)iy * v.in_w;
                if (v.stride_w == 2) split_phases(line, v.in_w, split);
                for (int32_t j = 0; j < v.kernel_w; j++) {
                    float *out = tap_rows + j * row_stride + column;
                    int32_t start = j * v.dilation_w - v.pad_w, lo, hi;
                    column_range(v.out_w, v.in_w, v.stride_w, start, &lo, &hi);
                    const float *src = tap_source(line, split, v.in_w, v.stride_w, start);
                    for (int32_t ox = 0; ox < lo; ox++) out[ox] = 0;
                    if (src) {
                        memcpy(out + lo, src + lo, sizeof(float) * (size_t)(hi - lo));
                    } else {
                        for (int32_t ox = lo; ox < hi; ox++) out[ox] = line[ox * v.stride_w + start];
                    }
                    for (int32_t ox = hi; ox < v.out_w; ox++) out[ox] = 0;
                }
            }
        }
    }
}

static void im2col_portable(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row, int32_t rows,
                            shears_window v) {
    im2col_rows(x, cols, row_stride, channels, first_row, rows, v);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void im2col_avx2(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row,
                                    int32_t rows, shears_window v) {
    im2col_rows(x, cols, row_stride, channels, first_row, rows, v);
}
#endif

void shears_im2col(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row, int32_t rows,
                   shears_window window) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { im2col_avx2(x, cols, row_stride, channels, first_row, rows, window); return; }
#endif
    im2col_portable(x, cols, row_stride, channels, first_row, rows, window);
}
