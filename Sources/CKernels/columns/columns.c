// columns: see shears_im2col_padded and shears_col2im_padded in include/training_columns.h.
// The padded plane stores each row split into its stride phases (padded column X at
// (X mod sw)·phase_w + X / sw), so that a tap at any stride reads out_w contiguous floats.

#include "training_columns.h"
#include "../common/multiversion.h"

#include <string.h>

/// The padded plane: `rows` rows of `stride_w` phases of `phase` floats, covering `width` padded columns.
typedef struct {
    int64_t rows, width, phase, row_length;
} padded_plane;

static inline __attribute__((always_inline)) padded_plane plane_of(shears_window v) {
    int64_t need_h = (int64_t)(v.out_h - 1) * v.stride_h + (int64_t)(v.kernel_h - 1) * v.dilation_h + 1;
    int64_t need_w = (int64_t)(v.out_w - 1) * v.stride_w + (int64_t)(v.kernel_w - 1) * v.dilation_w + 1;
    padded_plane p;
    p.rows = v.in_h + v.pad_h > need_h ? v.in_h + v.pad_h : need_h;
    p.width = v.in_w + v.pad_w > need_w ? v.in_w + v.pad_w : need_w;
    p.phase = (p.width + v.stride_w - 1) / v.stride_w;
    p.row_length = p.phase * v.stride_w;
    return p;
}

int64_t shears_columns_scratch_size(shears_window window) {
    padded_plane p = plane_of(window);
    return p.rows * p.row_length;
}

/// Whether the plane itself can serve as the padded plane: no padding, stride 1 across.
static inline __attribute__((always_inline)) int reads_plane(shears_window v, padded_plane p) {
    return v.pad_h == 0 && v.pad_w == 0 && v.stride_w == 1 && p.rows == v.in_h && p.width == v.in_w;
}

/// Where padded column X of a row lies in the phase-split row.
static inline __attribute__((always_inline)) int64_t split_column(int64_t X, int32_t stride, int64_t phase) {
    return (X % stride) * phase + X / stride;
}

/// dst[k] = src[k] for k < n (the two never overlap: restrict lets the copy vectorise).
static inline __attribute__((always_inline)) void copy_row(float *restrict dst, const float *restrict src, int32_t n) {
    for (int32_t k = 0; k < n; k++) dst[k] = src[k];
}

/// dst[k] += src[k] for k < n.
static inline __attribute__((always_inline)) void add_row(float *restrict dst, const float *restrict src, int32_t n) {
    for (int32_t k = 0; k < n; k++) dst[k] += src[k];
}

static inline __attribute__((always_inline)) void im2col_body(const float *x, float *cols, int64_t row_stride, int32_t channels,
                                                              shears_window v, float *scratch) {
    padded_plane p = plane_of(v);
    int direct = reads_plane(v, p);
    for (int32_t c = 0; c < channels; c++) {
        const float *xp = x + (int64_t)c * v.in_h * v.in_w, *plane = xp;
        if (!direct) {
            memset(scratch, 0, sizeof(float) * (size_t)(p.rows * p.row_length));
            for (int32_t iy = 0; iy < v.in_h; iy++) {
                float *row = scratch + (iy + v.pad_h) * p.row_length;
                const float *line = xp + (int64_t)iy * v.in_w;
                if (v.stride_w == 1) {
                    copy_row(row + v.pad_w, line, v.in_w);
                } else {
                    for (int32_t ix = 0; ix < v.in_w; ix++) row[split_column(ix + v.pad_w, v.stride_w, p.phase)] = line[ix];
                }
            }
            plane = scratch;
        }
        for (int32_t i = 0; i < v.kernel_h; i++) {
            for (int32_t j = 0; j < v.kernel_w; j++) {
                float *row = cols + ((int64_t)(c * v.kernel_h + i) * v.kernel_w + j) * row_stride;
                const float *tap = plane + (int64_t)i * v.dilation_h * p.row_length + split_column((int64_t)j * v.dilation_w, v.stride_w, p.phase);
                for (int32_t oy = 0; oy < v.out_h; oy++)
                    copy_row(row + (int64_t)oy * v.out_w, tap + (int64_t)oy * v.stride_h * p.row_length, v.out_w);
            }
        }
    }
}

static inline __attribute__((always_inline)) void col2im_body(const float *cols, float *dx, int64_t row_stride, int32_t channels,
                                                              shears_window v, float *scratch) {
    padded_plane p = plane_of(v);
    int direct = reads_plane(v, p);
    for (int32_t c = 0; c < channels; c++) {
        float *dp = dx + (int64_t)c * v.in_h * v.in_w, *plane = dp;
        if (!direct) {
            memset(scratch, 0, sizeof(float) * (size_t)(p.rows * p.row_length));
            plane = scratch;
        }
        for (int32_t i = 0; i < v.kernel_h; i++) {
            for (int32_t j = 0; j < v.kernel_w; j++) {
                const float *row = cols + ((int64_t)(c * v.kernel_h + i) * v.kernel_w + j) * row_stride;
                float *tap = plane + (int64_t)i * v.dilation_h * p.row_length + split_column((int64_t)j * v.dilation_w, v.stride_w, p.phase);
                for (int32_t oy = 0; oy < v.out_h; oy++)
                    add_row(tap + (int64_t)oy * v.stride_h * p.row_length, row + (int64_t)oy * v.out_w, v.out_w);
            }
        }
        if (direct) continue;
        for (int32_t iy = 0; iy < v.in_h; iy++) {
            const float *row = scratch + (iy + v.pad_h) * p.row_length;
            float *line = dp + (int64_t)iy * v.in_w;
            if (v.stride_w == 1) {
                add_row(line, row + v.pad_w, v.in_w);
            } else {
                for (int32_t ix = 0; ix < v.in_w; ix++) line[ix] += row[split_column(ix + v.pad_w, v.stride_w, p.phase)];
            }
        }
    }
}

static void im2col_portable(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window v, float *scratch) {
    im2col_body(x, cols, row_stride, channels, v, scratch);
}

static void col2im_portable(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window v, float *scratch) {
    col2im_body(cols, dx, row_stride, channels, v, scratch);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void im2col_avx2(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window v,
                                    float *scratch) {
    im2col_body(x, cols, row_stride, channels, v, scratch);
}

SHEARS_AVX2 static void col2im_avx2(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window v,
                                    float *scratch) {
    col2im_body(cols, dx, row_stride, channels, v, scratch);
}
#endif

void shears_im2col_padded(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window window,
                          float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { im2col_avx2(x, cols, row_stride, channels, window, scratch); return; }
#endif
    im2col_portable(x, cols, row_stride, channels, window, scratch);
}

void shears_col2im_padded(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window window,
                          float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { col2im_avx2(cols, dx, row_stride, channels, window, scratch); return; }
#endif
    col2im_portable(cols, dx, row_stride, channels, window, scratch);
}
