// columns: see shears_im2col_padded and shears_col2im_padded in include/training.h, over the
// phase-split padded planes of phase_plane.h.

#include "phase_plane.h"
#include "../common/multiversion.h"

int64_t shears_columns_scratch_size(shears_window window) {
    padded_plane p = plane_of(window);
    return p.rows * p.row_length;
}

static inline __attribute__((always_inline)) void im2col_body(const float *x, float *cols, int64_t row_stride, int32_t channels,
                                                              shears_window v, const int32_t *taps, int32_t tap_count, float *scratch) {
    padded_plane p = plane_of(v);
    int direct = reads_plane(v, p);
    for (int32_t c = 0; c < channels; c++) {
        const float *xp = x + (int64_t)c * v.in_h * v.in_w, *plane = xp;
        if (!direct) {
            fill_phase_plane(scratch, xp, v, p);
            plane = scratch;
        }
        for (int32_t k = 0; k < tap_count; k++) {
            float *row = cols + ((int64_t)c * tap_count + k) * row_stride;
            const float *tap = plane + tap_offset(v, p, taps[k] / v.kernel_w, taps[k] % v.kernel_w);
            for (int32_t oy = 0; oy < v.out_h; oy++)
                copy_row(row + (int64_t)oy * v.out_w, tap + (int64_t)oy * v.stride_h * p.row_length, v.out_w);
        }
    }
}

static inline __attribute__((always_inline)) void col2im_body(const float *cols, float *dx, int64_t row_stride, int32_t channels,
                                                              shears_window v, const int32_t *taps, int32_t tap_count, float *scratch) {
    padded_plane p = plane_of(v);
    int direct = reads_plane(v, p);
    for (int32_t c = 0; c < channels; c++) {
        float *dp = dx + (int64_t)c * v.in_h * v.in_w, *plane = dp;
        if (!direct) {
            memset(scratch, 0, sizeof(float) * (size_t)(p.rows * p.row_length));
            plane = scratch;
        }
        for (int32_t k = 0; k < tap_count; k++) {
            const float *row = cols + ((int64_t)c * tap_count + k) * row_stride;
            float *tap = plane + tap_offset(v, p, taps[k] / v.kernel_w, taps[k] % v.kernel_w);
            for (int32_t oy = 0; oy < v.out_h; oy++)
                add_row(tap + (int64_t)oy * v.stride_h * p.row_length, row + (int64_t)oy * v.out_w, v.out_w);
        }
        if (!direct) add_phase_plane(dp, scratch, v, p);
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
