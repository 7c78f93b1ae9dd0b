// source: the padded, phase-split source of one sample (shears_direct_source_size,
// shears_direct_source in include/direct_conv.h; where the taps read it: grid.h). At stride 2
// the even columns are picked eight at a time.

#include "grid.h"
#include "direct_conv.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

int64_t shears_direct_source_size(int32_t channels, shears_window window) {
    direct_grid g = make_grid(channels, window);
    return g.direct ? 0 : g.size;
}

static inline __attribute__((always_inline)) void fill_source(const float *x, int32_t channels, shears_window v, float *source) {
    direct_grid g = make_grid(channels, v);
    int32_t sh = v.stride_h, sw = v.stride_w;
    float *phase = source;
    for (int32_t c = 0; c < channels; c++) {
        const float *plane = x + (int64_t)c * v.in_h * v.in_w;
        for (int32_t a = 0; a < sh; a++) {
            if (!phase_used(a, sh, v.kernel_h, v.dilation_h)) continue;
            for (int32_t b = 0; b < sw; b++) {
                if (!phase_used(b, sw, v.kernel_w, v.dilation_w)) continue;
                phase_columns columns = columns_of_phase(b, g.wq, v);
                int32_t shift = columns.shift, lo = columns.lo, hi = columns.hi;
                for (int32_t r = 0; r < g.hq; r++, phase += g.wq) {
                    int32_t iy = r * sh + a - v.pad_h, q = 0;
                    if (iy < 0 || iy >= v.in_h) {
                        for (; q < g.wq; q++) phase[q] = 0;
                        continue;
                    }
                    const float *line = plane + (int64_t)iy * v.in_w;
                    for (; q < lo; q++) phase[q] = 0;
                    if (sw == 1) {
                        memcpy(phase + lo, line + lo + shift, sizeof(float) * (size_t)(hi - lo));
                        q = hi;
                    } else if (sw == 2) {
                        for (; q + 8 <= hi && 2 * q + shift + 16 <= v.in_w; q += 8) {
                            v8f even, odd;
                            memcpy(&even, line + 2 * q + shift, sizeof even);
                            memcpy(&odd, line + 2 * q + shift + 8, sizeof odd);
                            v8f value = __builtin_shufflevector(even, odd, 0, 2, 4, 6, 8, 10, 12, 14);
                            memcpy(phase + q, &value, sizeof value);
                        }
                    }
                    for (; q < hi; q++) phase[q] = line[q * sw + shift];
                    for (; q < g.wq; q++) phase[q] = 0;
                }
            }
        }
    }
    memset(phase, 0, sizeof(float) * SLACK);
}

static void source_portable(const float *x, int32_t channels, shears_window v, float *source) {
    fill_source(x, channels, v, source);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void source_avx2(const float *x, int32_t channels, shears_window v, float *source) {
    fill_source(x, channels, v, source);
}
#endif

void shears_direct_source(const float *x, int32_t channels, shears_window window, float *source) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { source_avx2(x, channels, window, source); return; }
#endif
    source_portable(x, channels, window, source);
}
