// max_pool: see shears_max_pool in include/ckernels.h. Each plane is padded with −inf
// (padded_plane.h), then every output row is the max over its taps in row-major order.

#include "padded_plane.h"
#include "../common/multiversion.h"

static inline __attribute__((always_inline)) void max_pool_planes(const float *x, float *y, int32_t planes, shears_window v,
                                                                  float *scratch) {
    padded_layout l = layout_of(v);
    int32_t taps = v.kernel_h * v.kernel_w;
    int64_t offsets[taps];
    tap_offsets(v, l, offsets);
    for (int32_t p = 0; p < planes; p++) {
        pad_plane(x + (int64_t)p * v.in_h * v.in_w, v, l, -INFINITY, p == 0, scratch);
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            const float *base = scratch + (int64_t)oy * v.stride_h * l.row;
            float *row = y + ((int64_t)p * v.out_h + oy) * v.out_w;
            window_row(base, offsets, taps, 1, 0, 0, 0, row, v.out_w);
        }
    }
}

static void max_pool_portable(const float *x, float *y, int32_t planes, shears_window v, float *scratch) {
    max_pool_planes(x, y, planes, v, scratch);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void max_pool_avx2(const float *x, float *y, int32_t planes, shears_window v, float *scratch) {
    max_pool_planes(x, y, planes, v, scratch);
}
#endif

void shears_max_pool(const float *x, float *y, int32_t planes, shears_window window, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { max_pool_avx2(x, y, planes, window, scratch); return; }
#endif
    max_pool_portable(x, y, planes, window, scratch);
}
