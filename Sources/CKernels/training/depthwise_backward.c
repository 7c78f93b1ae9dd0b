// depthwise_backward: see shears_depthwise_backward in include/training.h. Per plane, the
// input through the engine's zero-padded plane (window/padded_plane.h); per tap, the weight
// gradient's products summed in eight float lanes over the plane, and dy·w added into a padded
// gradient plane whose input positions become dx (unpad_plane_adding).

#include "training.h"
#include "../window/padded_plane.h"

/// Doubles at the start of the scratch: one running sum per tap.
static inline __attribute__((always_inline)) int64_t tap_sums_floats(shears_window v) {
    return 2 * (int64_t)v.kernel_h * v.kernel_w;
}

int64_t shears_depthwise_backward_scratch_size(shears_window window) {
    return tap_sums_floats(window) + 2 * shears_padded_plane_size(window);
}

/// acc += g[k]·s[k] in eight lanes for the whole vectors of n, *tail += the rest.
static inline __attribute__((always_inline)) void dot_row(const float *g, const float *s, int32_t n, v8f *acc, float *tail) {
    int32_t k = 0;
    for (; k + 8 <= n; k += 8) {
        v8f a, b;
        memcpy(&a, g + k, sizeof a);
        memcpy(&b, s + k, sizeof b);
        *acc += a * b;
    }
    for (; k < n; k++) *tail += g[k] * s[k];
}

/// d[k] += weight · g[k] for k < n.
static inline __attribute__((always_inline)) void axpy_row(float *restrict d, const float *restrict g, float weight, int32_t n) {
#pragma clang loop vectorize_width(8) interleave_count(1)
    for (int32_t k = 0; k < n; k++) d[k] += weight * g[k];
}

static inline __attribute__((always_inline)) void depthwise_backward_body(const float *x, const float *w, const float *dy, float *dw,
                                                                          float *dx, int32_t batch, int32_t channels, int32_t first,
                                                                          int32_t count, shears_window v, float *scratch) {
    padded_layout l = layout_of(v);
    int32_t taps = v.kernel_h * v.kernel_w;
    int64_t in_plane = (int64_t)v.in_h * v.in_w, out_plane = (int64_t)v.out_h * v.out_w, padded = (int64_t)l.rows * l.row;
    double *sums = (double *)scratch;
    float *xpad = scratch + tap_sums_floats(v), *dpad = xpad + padded;
    for (int32_t c = first; c < first + count; c++) {
        for (int32_t t = 0; t < taps; t++) sums[t] = 0;
        for (int32_t n = 0; n < batch; n++) {
            int64_t index = (int64_t)n * channels + c;
            const float *gp = dy + index * out_plane;
            pad_plane(x + index * in_plane, v, l, 0, c == first && n == 0, xpad);
            if (dx) memset(dpad, 0, sizeof(float) * (size_t)padded);
            for (int32_t i = 0; i < v.kernel_h; i++) {
                for (int32_t j = 0; j < v.kernel_w; j++) {
                    int32_t t = i * v.kernel_w + j;
                    int64_t offset = tap_offset(v, l, i, j);
                    float weight = w[(int64_t)c * taps + t], tail = 0;
                    v8f acc = {0};
                    for (int32_t oy = 0; oy < v.out_h; oy++) {
                        const float *g = gp + (int64_t)oy * v.out_w;
                        int64_t row = offset + (int64_t)oy * v.stride_h * l.row;
                        dot_row(g, xpad + row, v.out_w, &acc, &tail);
                        if (dx) axpy_row(dpad + row, g, weight, v.out_w);
                    }
                    float lanes = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
                    sums[t] += (double)(lanes + tail);
                }
            }
            if (dx) {
                float *dp = dx + index * in_plane;
                memset(dp, 0, sizeof(float) * (size_t)in_plane);
                unpad_plane_adding(dpad, v, l, dp);
            }
        }
        for (int32_t t = 0; t < taps; t++) dw[(int64_t)c * taps + t] = (float)sums[t];
    }
}

static void depthwise_backward_portable(const float *x, const float *w, const float *dy, float *dw, float *dx, int32_t batch,
                                        int32_t channels, int32_t first, int32_t count, shears_window v, float *scratch) {
    depthwise_backward_body(x, w, dy, dw, dx, batch, channels, first, count, v, scratch);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void depthwise_backward_avx2(const float *x, const float *w, const float *dy, float *dw, float *dx, int32_t batch,
                                                int32_t channels, int32_t first, int32_t count, shears_window v, float *scratch) {
    depthwise_backward_body(x, w, dy, dw, dx, batch, channels, first, count, v, scratch);
}
#endif

void shears_depthwise_backward(const float *x, const float *w, const float *dy, float *dw, float *dx, int32_t batch,
                               int32_t channels, int32_t first, int32_t count, shears_window window, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { depthwise_backward_avx2(x, w, dy, dw, dx, batch, channels, first, count, window, scratch); return; }
#endif
    depthwise_backward_portable(x, w, dy, dw, dx, batch, channels, first, count, window, scratch);
}
