// columns: see shears_im2col_padded and shears_col2im_padded in include/training.h, over the
// engine's padded planes (window/padded_plane.h, zero padding): every tap row is one contiguous
// copy of out_w floats, and col2im sums into such a plane and adds it back (unpad_plane_adding).

#include "training.h"
#include "../window/padded_plane.h"

/// dst[k] = src[k] for k < n (the two never overlap: restrict lets the copy vectorise).
static inline __attribute__((always_inline)) void copy_row(float *restrict dst, const float *restrict src, int32_t n) {
#pragma clang loop vectorize_width(8) interleave_count(1)
    for (int32_t k = 0; k < n; k++) dst[k] = src[k];
}

/// dst[k] += src[k] for k < n.
static inline __attribute__((always_inline)) void add_row(float *restrict dst, const float *restrict src, int32_t n) {
#pragma clang loop vectorize_width(8) interleave_count(1)
    for (int32_t k = 0; k < n; k++) dst[k] += src[k];
}

static inline __attribute__((always_inline)) void im2col_body(const float *x, float *cols, int64_t row_stride, int32_t channels,
                                                              shears_window v, const int32_t *taps, int32_t tap_count, float *scratch) {
    padded_layout l = layout_of(v);
    for (int32_t c = 0; c < channels; c++) {
        pad_plane(x + (int64_t)c * v.in_h * v.in_w, v, l, 0, c == 0, scratch);
        for (int32_t k = 0; k < tap_count; k++) {
            float *row = cols + ((int64_t)c * tap_count + k) * row_stride;
            const float *tap = scratch + tap_offset(v, l, taps[k] / v.kernel_w, taps[k] % v.kernel_w);
            for (int32_t oy = 0; oy < v.out_h; oy++)
                copy_row(row + (int64_t)oy * v.out_w, tap + (int64_t)oy * v.stride_h * l.row, v.out_w);
        }
    }
}

static inline __attribute__((always_inline)) void col2im_body(const float *cols, float *dx, int64_t row_stride, int32_t channels,
                                                              shears_window v, const int32_t *taps, int32_t tap_count, float *scratch) {
    padded_layout l = layout_of(v);
    for (int32_t c = 0; c < channels; c++) {
        memset(scratch, 0, sizeof(float) * (size_t)l.rows * (size_t)l.row);
        for (int32_t k = 0; k < tap_count; k++) {
            const float *row = cols + ((int64_t)c * tap_count + k) * row_stride;
            float *tap = scratch + tap_offset(v, l, taps[k] / v.kernel_w, taps[k] % v.kernel_w);
            for (int32_t oy = 0; oy < v.out_h; oy++)
                add_row(tap + (int64_t)oy * v.stride_h * l.row, row + (int64_t)oy * v.out_w, v.out_w);
        }
        unpad_plane_adding(scratch, v, l, dx + (int64_t)c * v.in_h * v.in_w);
    }
}

static void im2col_portable(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window v,
                            const int32_t *taps, int32_t tap_count, float *scratch) {
    im2col_body(x, cols, row_stride, channels, v, taps, tap_count, scratch);
}

static void col2im_portable(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window v,
                            const int32_t *taps, int32_t tap_count, float *scratch) {
    col2im_body(cols, dx, row_stride, channels, v, taps, tap_count, scratch);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void im2col_avx2(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window v,
                                    const int32_t *taps, int32_t tap_count, float *scratch) {
    im2col_body(x, cols, row_stride, channels, v, taps, tap_count, scratch);
}

SHEARS_AVX2 static void col2im_avx2(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window v,
                                    const int32_t *taps, int32_t tap_count, float *scratch) {
    col2im_body(cols, dx, row_stride, channels, v, taps, tap_count, scratch);
}
#endif

void shears_im2col_padded(const float *x, float *cols, int64_t row_stride, int32_t channels, shears_window window,
                          const int32_t *taps, int32_t tap_count, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { im2col_avx2(x, cols, row_stride, channels, window, taps, tap_count, scratch); return; }
#endif
    im2col_portable(x, cols, row_stride, channels, window, taps, tap_count, scratch);
}

void shears_col2im_padded(const float *cols, float *dx, int64_t row_stride, int32_t channels, shears_window window,
                          const int32_t *taps, int32_t tap_count, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { col2im_avx2(cols, dx, row_stride, channels, window, taps, tap_count, scratch); return; }
#endif
    col2im_portable(cols, dx, row_stride, channels, window, taps, tap_count, scratch);
}
