// max_pool_backward: see shears_max_pool_backward in include/training.h. Each output finds the
// tap torch's max_pool2d_with_indices scan picks from the forward's maximum, with selects
// instead of the scan's data-dependent branches.

#include "training.h"
#include "../common/multiversion.h"

#include <math.h>

static inline __attribute__((always_inline)) void max_pool_backward_body(const float *x, const float *y, const float *dy, float *dx,
                                                                         int32_t planes, shears_window v) {
    int64_t in_plane = (int64_t)v.in_h * v.in_w, out_plane = (int64_t)v.out_h * v.out_w;
    for (int32_t plane = 0; plane < planes; plane++) {
        const float *xp = x + plane * in_plane, *yp = y + plane * out_plane, *gp = dy + plane * out_plane;
        float *dp = dx + plane * in_plane;
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            for (int32_t ox = 0; ox < v.out_w; ox++) {
                float largest = yp[(int64_t)oy * v.out_w + ox];
                int nan = isnan(largest);
                int64_t best = -1;
                // The scan's winner, found without its chain of comparisons: the last NaN when the
                // maximum is NaN, else the first tap equal to the maximum (taps walked backwards).
                for (int32_t i = v.kernel_h - 1; i >= 0; i--) {
                    int32_t iy = oy * v.stride_h - v.pad_h + i * v.dilation_h;
                    if (iy < 0 || iy >= v.in_h) continue;
                    for (int32_t j = v.kernel_w - 1; j >= 0; j--) {
                        int32_t ix = ox * v.stride_w - v.pad_w + j * v.dilation_w;
                        if (ix < 0 || ix >= v.in_w) continue;
                        int64_t index = (int64_t)iy * v.in_w + ix;
                        float value = xp[index];
                        int wins = nan ? (best < 0 && isnan(value)) : value == largest;
                        best = wins ? index : best;
                    }
                }
                if (best >= 0) dp[best] += gp[(int64_t)oy * v.out_w + ox];
            }
        }
    }
}

static void max_pool_backward_portable(const float *x, const float *y, const float *dy, float *dx, int32_t planes, shears_window v) {
    max_pool_backward_body(x, y, dy, dx, planes, v);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void max_pool_backward_avx2(const float *x, const float *y, const float *dy, float *dx, int32_t planes,
                                               shears_window v) {
    max_pool_backward_body(x, y, dy, dx, planes, v);
}
#endif

void shears_max_pool_backward(const float *x, const float *y, const float *dy, float *dx, int32_t planes, shears_window window) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { max_pool_backward_avx2(x, y, dy, dx, planes, window); return; }
#endif
    max_pool_backward_portable(x, y, dy, dx, planes, window);
}
