// depthwise: see shears_depthwise_conv in include/ckernels.h. Each channel's plane is padded
// with zeros (padded_plane.h), then every output row is the sum of its taps' products with the
// channel's filter, in row-major order, plus the bias, through the ReLU when asked.

#include "padded_plane.h"
#include "../common/multiversion.h"

static void depthwise_portable(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                               shears_window v, int32_t relu, float *scratch) {
    window_planes(x, w, bias, y, channels, v, 0, relu, scratch, window_pad_plane_portable);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void depthwise_avx2(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                                       shears_window v, int32_t relu, float *scratch) {
    window_planes(x, w, bias, y, channels, v, 0, relu, scratch, window_pad_plane_avx2);
}
#endif

void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                           shears_window window, int32_t relu, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { depthwise_avx2(x, w, bias, y, channels, window, relu, scratch); return; }
#endif
    depthwise_portable(x, w, bias, y, channels, window, relu, scratch);
}
