// small_conv: the small-map conv kernel (include/small_conv.h, which gives its layout): the
// live taps, the weight packing, the taps' source table, the gather of the columns and the GEMM
// with its fused store.

#include "small_conv.h"
#include "../common/activation.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <stdint.h>
#include <string.h>
#if SHEARS_MULTIVERSION
#include <immintrin.h>
#endif

enum {
    SC_PANEL = SHEARS_SMALL_CONV_PANEL,  // output channels per panel (two vectors)
    SC_COLUMNS = 6,                      // columns per tile: 12 vector sums
};

/// Whether some output index o < out gives o·stride − pad + offset in [0, in).
static int sc_tap_reads(int32_t out, int32_t in, int32_t stride, int32_t pad, int32_t offset) {
    for (int32_t o = 0; o < out; o++) {
        int32_t at = o * stride - pad + offset;
        if (at >= 0 && at < in) return 1;
    }
    return 0;
}

int32_t shears_small_conv_live_taps(shears_window v, int32_t *taps) {
    int32_t count = 0;
    for (int32_t i = 0; i < v.kernel_h; i++) {
        if (!sc_tap_reads(v.out_h, v.in_h, v.stride_h, v.pad_h, i * v.dilation_h)) continue;
        for (int32_t j = 0; j < v.kernel_w; j++) {
            if (sc_tap_reads(v.out_w, v.in_w, v.stride_w, v.pad_w, j * v.dilation_w)) taps[count++] = i * v.kernel_w + j;
        }
    }
    return count;
}

int64_t shears_small_conv_packed_size(int32_t out_c, int32_t in_c, int32_t tap_count) {
    return (int64_t)(out_c + SC_PANEL - 1) / SC_PANEL * SC_PANEL * tap_count * in_c;
}

void shears_small_conv_pack(const float *w, int32_t out_c, int32_t in_c, int32_t kernel_taps, const int32_t *taps,
                            int32_t tap_count, float *packed) {
    int64_t depth = (int64_t)tap_count * in_c;
    for (int32_t q = 0; q < (out_c + SC_PANEL - 1) / SC_PANEL; q++) {
        for (int32_t t = 0; t < tap_count; t++) {
            for (int32_t c = 0; c < in_c; c++) {
                float *to = packed + ((int64_t)q * depth + (int64_t)t * in_c + c) * SC_PANEL;
                for (int32_t r = 0; r < SC_PANEL; r++) {
                    int32_t o = q * SC_PANEL + r;
                    to[r] = o < out_c ? w[((int64_t)o * in_c + c) * kernel_taps + taps[t]] : 0;
                }
            }
        }
    }
}

void shears_small_conv_sources(shears_window v, const int32_t *taps, int32_t tap_count, int32_t *sources) {
    int32_t positions = v.out_h * v.out_w;
    for (int32_t t = 0; t < tap_count; t++) {
        int32_t i = taps[t] / v.kernel_w, j = taps[t] % v.kernel_w;
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            for (int32_t ox = 0; ox < v.out_w; ox++) {
                int32_t iy = oy * v.stride_h - v.pad_h + i * v.dilation_h, ix = ox * v.stride_w - v.pad_w + j * v.dilation_w;
                int inside = iy >= 0 && iy < v.in_h && ix >= 0 && ix < v.in_w;
                sources[(int64_t)t * positions + oy * v.out_w + ox] = inside ? iy * v.in_w + ix : -1;
            }
        }
    }
}

/// row[p] = x at plane offset from[p] (0 where it is −1) for p in [first, positions).
static inline __attribute__((always_inline)) void sc_gather_floats(const float *xp, const int32_t *from, int32_t first,
                                                                   int32_t positions, float *row) {
    for (int32_t p = first; p < positions; p++) {
        float value = xp[from[p] < 0 ? 0 : from[p]];
        row[p] = from[p] < 0 ? 0 : value;
    }
}

/// One row of cols, a table lookup per float.
static inline __attribute__((always_inline)) void sc_gather_row(const float *xp, const int32_t *from, int32_t positions, float *row) {
    sc_gather_floats(xp, from, 0, positions, row);
}

#if SHEARS_MULTIVERSION
/// One row of cols with AVX2's masked gather: eight positions a load (the padding's lanes
/// masked to 0), the rest one at a time.
SHEARS_AVX2 static inline __attribute__((always_inline)) void sc_gather_row_avx2(const float *xp, const int32_t *from,
                                                                                 int32_t positions, float *row) {
    int32_t whole = positions / 8 * 8;
    for (int32_t p = 0; p < whole; p += 8) {
        __m256i index = _mm256_loadu_si256((const __m256i *)(from + p));
        __m256 inside = _mm256_castsi256_ps(_mm256_cmpgt_epi32(index, _mm256_set1_epi32(-1)));
        _mm256_storeu_ps(row + p, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), xp, index, inside, 4));
    }
    sc_gather_floats(xp, from, whole, positions, row);
}
#endif

/// The body of shears_small_conv_gather: each row of cols by `gather_row`.
static inline __attribute__((always_inline)) void sc_gather(const float *x, int32_t batch, int32_t in_c, int64_t plane,
                                                            const int32_t *sources, int32_t tap_count, int32_t positions,
                                                            float *cols,
                                                            void (*gather_row)(const float *, const int32_t *, int32_t, float *)) {
    int64_t columns = (int64_t)batch * positions;
    for (int32_t t = 0; t < tap_count; t++) {
        const int32_t *from = sources + (int64_t)t * positions;
        for (int32_t c = 0; c < in_c; c++) {
            float *row = cols + ((int64_t)t * in_c + c) * columns;
            for (int32_t n = 0; n < batch; n++, row += positions) gather_row(x + ((int64_t)n * in_c + c) * plane, from, positions, row);
        }
    }
}

/// The eight floats at p (any alignment).
static inline __attribute__((always_inline)) v8f sc_load(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/// One tile: output channels [first_out, first_out + outs) (outs ≤ 16; the panel's other rows
/// are computed from zero weights, not stored) at columns [first_column, first_column + width):
/// the sums over `depth` rows in registers, then bias, skip and activation, scattered to NCHW.
/// `width` is a constant once inlined, so the column loops unroll.
static inline __attribute__((always_inline)) void sc_tile(const float *cols, int64_t columns, int64_t first_column,
                                                          const float *panel, int32_t depth, const int width, v8f bias_lo,
                                                          v8f bias_hi, int32_t first_out, int32_t outs, const float *skip,
                                                          int32_t out_c, int32_t positions, shears_activation act, float *y) {
    v8f lo[SC_COLUMNS], hi[SC_COLUMNS];
    for (int j = 0; j < width; j++) lo[j] = hi[j] = (v8f){0};
    const float *c = cols + first_column;
    for (int32_t k = 0; k < depth; k++, c += columns) {
        v8f w0 = sc_load(panel + (int64_t)SC_PANEL * k), w1 = sc_load(panel + (int64_t)SC_PANEL * k + 8);
        for (int j = 0; j < width; j++) {
            float s = c[j];
            v8f b = {s, s, s, s, s, s, s, s};  // a broadcast (`(v8f){0} + s` would add a zero, for −0)
            lo[j] += w0 * b;
            hi[j] += w1 * b;
        }
    }
    for (int j = 0; j < width; j++) {
        int64_t column = first_column + j, n = column / positions, p = column % positions;
        int64_t base = (n * out_c + first_out) * positions + p;
        float values[SC_PANEL] = {0};
        v8f a = lo[j] + bias_lo, b = hi[j] + bias_hi;
        if (skip) {
            for (int32_t r = 0; r < outs; r++) values[r] = skip[base + (int64_t)r * positions];
            a += sc_load(values);
            b += sc_load(values + 8);
        }
        a = activate8(a, act);
        b = activate8(b, act);
        memcpy(values, &a, sizeof a);
        memcpy(values + 8, &b, sizeof b);
        for (int32_t r = 0; r < outs; r++) y[base + (int64_t)r * positions] = values[r];
    }
}

/// The body of shears_small_conv: per panel, tiles of six columns and one of what is left.
static inline __attribute__((always_inline)) void sc_run(const float *cols, const float *packed, const float *bias,
                                                         const float *skip, int32_t out_c, int32_t depth, int32_t batch,
                                                         int32_t positions, int32_t first_panel, int32_t end_panel,
                                                         shears_activation act, float *y) {
    int64_t columns = (int64_t)batch * positions;
    for (int32_t q = first_panel; q < end_panel && q * SC_PANEL < out_c; q++) {
        int32_t first_out = q * SC_PANEL, outs = out_c - first_out < SC_PANEL ? out_c - first_out : SC_PANEL;
        float biases[SC_PANEL] = {0};
        for (int32_t r = 0; r < outs; r++) biases[r] = bias[first_out + r];
        v8f bias_lo = sc_load(biases), bias_hi = sc_load(biases + 8);
        const float *panel = packed + (int64_t)q * depth * SC_PANEL;
        int64_t n0 = 0;
#define SC_TILE(width) sc_tile(cols, columns, n0, panel, depth, width, bias_lo, bias_hi, first_out, outs, skip, out_c, positions, act, y)
        for (; n0 + SC_COLUMNS <= columns; n0 += SC_COLUMNS) SC_TILE(6);
        switch (columns - n0) {
        case 5: SC_TILE(5); break;
        case 4: SC_TILE(4); break;
        case 3: SC_TILE(3); break;
        case 2: SC_TILE(2); break;
        case 1: SC_TILE(1); break;
        default: break;
        }
#undef SC_TILE
    }
}

static void gather_portable(const float *x, int32_t batch, int32_t in_c, int64_t plane, const int32_t *sources,
                            int32_t tap_count, int32_t positions, float *cols) {
    sc_gather(x, batch, in_c, plane, sources, tap_count, positions, cols, sc_gather_row);
}

static void run_portable(const float *cols, const float *packed, const float *bias, const float *skip, int32_t out_c,
                         int32_t depth, int32_t batch, int32_t positions, int32_t first_panel, int32_t end_panel,
                         shears_activation act, float *y) {
    sc_run(cols, packed, bias, skip, out_c, depth, batch, positions, first_panel, end_panel, act, y);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void gather_avx2(const float *x, int32_t batch, int32_t in_c, int64_t plane, const int32_t *sources,
                                    int32_t tap_count, int32_t positions, float *cols) {
    sc_gather(x, batch, in_c, plane, sources, tap_count, positions, cols, sc_gather_row_avx2);
}

SHEARS_AVX2 static void run_avx2(const float *cols, const float *packed, const float *bias, const float *skip, int32_t out_c,
                                 int32_t depth, int32_t batch, int32_t positions, int32_t first_panel, int32_t end_panel,
                                 shears_activation act, float *y) {
    sc_run(cols, packed, bias, skip, out_c, depth, batch, positions, first_panel, end_panel, act, y);
}
#endif

void shears_small_conv_gather(const float *x, int32_t batch, int32_t in_c, int64_t plane, const int32_t *sources,
                              int32_t tap_count, int32_t positions, float *cols) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { gather_avx2(x, batch, in_c, plane, sources, tap_count, positions, cols); return; }
#endif
    gather_portable(x, batch, in_c, plane, sources, tap_count, positions, cols);
}

void shears_small_conv(const float *cols, const float *packed, const float *bias, const float *skip, int32_t out_c,
                       int32_t depth, int32_t batch, int32_t positions, int32_t first_panel, int32_t end_panel,
                       shears_activation act, float *y) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { run_avx2(cols, packed, bias, skip, out_c, depth, batch, positions, first_panel, end_panel, act, y); return; }
#endif
    run_portable(cols, packed, bias, skip, out_c, depth, batch, positions, first_panel, end_panel, act, y);
}
