// depthwise: see shears_depthwise_conv in include/ckernels.h. Each channel's plane is padded
// with zeros (padded_plane.h), then every output row is the sum of its taps' products with the
// channel's filter, in row-major order, plus the bias, through the ReLU when asked.

#include "padded_plane.h"
#include "../common/multiversion.h"

static inline __attribute__((always_inline)) void depthwise_planes(const float *x, const float *w, const float *bias, float *y,
                                                                   int32_t channels, shears_window v, int32_t relu,
                                                                   float *scratch) {
    padded_layout l = layout_of(v);
    int32_t taps = v.kernel_h * v.kernel_w;
    int64_t offsets[taps];
    tap_offsets(v, l, offsets);
    for (int32_t c = 0; c < channels; c++) {
        pad_plane(x + (int64_t)c * v.in_h * v.in_w, v, l, 0, c == 0, scratch);
        const float *kernel = w + (int64_t)c * taps;
        float b = bias[c];
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            const float *base = scratch + (int64_t)oy * v.stride_h * l.row;
            float *row = y + ((int64_t)c * v.out_h + oy) * v.out_w;
            window_row(base, offsets, taps, 0, kernel, b, relu, row, v.out_w);
        }
    }
}

static void depthwise_portable(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                               shears_window v, int32_t relu, float *scratch) {
    depthwise_planes(x, w, bias, y, channels, v, relu, scratch);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void depthwise_avx2(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                                       shears_window v, int32_t relu, float *scratch) {
    depthwise_planes(x, w, bias, y, channels, v, relu, scratch);
}
#endif

void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                           shears_window window, int32_t relu, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { depthwise_avx2(x, w, bias, y, channels, window, relu, scratch); return; }
#endif
    depthwise_portable(x, w, bias, y, channels, window, relu, scratch);
}
