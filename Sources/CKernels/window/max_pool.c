// max_pool: see shears_max_pool in include/ckernels.h. Each plane is padded with −inf
// (padded_plane.h), then every output row is the max over its taps in row-major order.

#include "padded_plane.h"
#include "../common/multiversion.h"

static void max_pool_portable(const float *x, float *y, int32_t planes, shears_window v, float *scratch) {
    window_planes(x, 0, 0, y, planes, v, 1, 0, scratch, window_pad_plane_portable);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void max_pool_avx2(const float *x, float *y, int32_t planes, shears_window v, float *scratch) {
    window_planes(x, 0, 0, y, planes, v, 1, 0, scratch, window_pad_plane_avx2);
}
#endif

void shears_max_pool(const float *x, float *y, int32_t planes, shears_window window, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { max_pool_avx2(x, y, planes, window, scratch); return; }
#endif
    max_pool_portable(x, y, planes, window, scratch);
}
