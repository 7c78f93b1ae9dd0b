// winograd43: see include/winograd43.h. The three transforms of Winograd F(4x4, 3x3); the 36
// GEMMs between the input and the output transform, the chunking of tiles and threading are
// the caller's. The input and output transforms take eight consecutive tiles of the range at a
// time (a group may run over the end of a tile row onto the next), one tile per vector lane.
// Input: the rows the range reads are copied, a window of tile rows at a time, into a
// zero-padded buffer that stays in L1 (so padding and the edges need no other case); a register
// transpose (`tile_columns`) puts column j of one row of the eight tiles in one vector, Bᵀ is
// applied along the rows then down the columns, zero coefficients skipped, and each ξ is one
// 8-wide store. Output: the 36 vectors of eight tiles are loaded contiguously, Aᵀ applied down
// the columns then along the rows, the bias and ReLU added, and the reverse transpose gives
// each tile's four outputs of a row as 16 bytes. V and M are never read or written outside the
// range's columns, so calls for different samples of one chunk may run concurrently.

#include "winograd43.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

typedef float v4f __attribute__((vector_size(16)));

void shears_winograd43_filter(const float *w, int32_t out_c, int32_t in_c, float *u) {
    static const double g[6][3] = {{1.0 / 4, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};
    int64_t stride = (int64_t)out_c * in_c;
    for (int32_t o = 0; o < out_c; o++) {
        for (int32_t c0 = 0; c0 < in_c; c0 += 16) {  // 16 channels at a time: u written 64 bytes per ξ
            int32_t n = in_c - c0 < 16 ? in_c - c0 : 16;
            float block[36][16];
            for (int32_t c = 0; c < n; c++) {
                const float *k = w + ((int64_t)o * in_c + c0 + c) * 9;
                double t[6][3];  // G k
                for (int32_t i = 0; i < 6; i++)
                    for (int32_t j = 0; j < 3; j++) t[i][j] = g[i][0] * k[j] + g[i][1] * k[3 + j] + g[i][2] * k[6 + j];
                for (int32_t i = 0; i < 6; i++)  // (G k) Gᵀ, rounded once
                    for (int32_t j = 0; j < 6; j++)
                        block[i * 6 + j][c] = (float)(t[i][0] * g[j][0] + t[i][1] * g[j][1] + t[i][2] * g[j][2]);
            }
            for (int32_t xi = 0; xi < 36; xi++)
                memcpy(u + xi * stride + (int64_t)o * in_c + c0, block[xi], sizeof(float) * (size_t)n);
        }
    }
}

/// p[0 ..< n] (n <= 4) and zeros after: fixed-size moves only (a variable-size memcpy is a call).
static inline __attribute__((always_inline)) v4f load_quad(const float *p, int32_t n) {
    v4f q = {0};
    switch (n) {
    case 4: memcpy(&q, p, sizeof q); break;
    case 3: q = (v4f){p[0], p[1], p[2], 0}; break;
    case 2: q = (v4f){p[0], p[1], 0, 0}; break;
    case 1: q[0] = p[0]; break;
    }
    return q;
}

/// p[0 ..< n] = q[0 ..< n], n <= 4.
static inline __attribute__((always_inline)) void store_quad(float *p, v4f q, int32_t n) {
    switch (n) {
    case 4: memcpy(p, &q, sizeof q); break;
    case 3: memcpy(p, &q, 8); p[2] = q[2]; break;
    case 2: memcpy(p, &q, 8); break;
    case 1: p[0] = q[0]; break;
    }
}

/// Floats of the input transform's zero-padded window (on the stack; it stays in L1).
enum { window_floats = 8192 };

#define SHEARS_WINOGRAD43(SUFFIX, ATTRIBUTE)                                                                     \
    /* *v = p[0 ..< n] as lanes, zeros after; p[0 ..< n] = v[0 ..< n]; n <= 8. */                                \
    ATTRIBUTE static inline __attribute__((always_inline)) void load_lanes_##SUFFIX(const float *p, int32_t n,   \
                                                                                   v8f *v) {                     \
        v4f lo = load_quad(p, n < 4 ? n : 4), hi = load_quad(p + 4, n > 4 ? n - 4 : 0);                          \
        *v = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);                                            \
    }                                                                                                            \
    ATTRIBUTE static inline __attribute__((always_inline)) void store_lanes_##SUFFIX(float *p, const v8f *v,     \
                                                                                    int32_t n) {                 \
        store_quad(p, __builtin_shufflevector(*v, *v, 0, 1, 2, 3), n < 4 ? n : 4);                               \
        store_quad(p + 4, __builtin_shufflevector(*v, *v, 4, 5, 6, 7), n > 4 ? n - 4 : 0);                       \
    }                                                                                                            \
                                                                                                                 \
    /* line[k] = row[k − pad] for k < width where 0 <= k − pad < in_w, else 0 (all 0 when row is NULL);          \
       width a multiple of 8. */                                                                                 \
    ATTRIBUTE static inline __attribute__((always_inline)) void padded_line_##SUFFIX(const float *row, int32_t in_w, \
                                                                                    int32_t pad, int32_t width,  \
                                                                                    float *line) {               \
        const v8f zero = {0};                                                                                    \
        for (int32_t k = 0; k < width; k += 8) memcpy(line + k, &zero, sizeof zero);                             \
        int32_t lo = pad < 0 ? 0 : pad, hi = pad + in_w < width ? pad + in_w : width;                            \
        if (!row || hi <= lo) return;                                                                            \
        if (hi - lo < 8) {                                                                                       \
            v8f part;                                                                                            \
            load_lanes_##SUFFIX(row + lo - pad, hi - lo, &part);                                                 \
            store_lanes_##SUFFIX(line + lo, &part, hi - lo);                                                     \
            return;                                                                                              \
        }                                                                                                        \
        for (int32_t k = lo; k + 8 < hi; k += 8) memcpy(line + k, row + k - pad, sizeof(v8f));                   \
        memcpy(line + hi - 8, row + hi - 8 - pad, sizeof(v8f));  /* the last 8, overlapping */                   \
    }                                                                                                            \
                                                                                                                 \
    /* Columns j < 6 of the rows p[k] + offset of eight tiles k: d[j] lane k. a[k] holds columns 0-3 of          \
       tiles k (low half) and k + 4 (high half), b[k] columns 4-7; in-lane 4x4 transposes of them then           \
       give columns 0-3 and 4-5 of tiles 0-3 in the low halves and of tiles 4-7 in the high ones. */             \
    ATTRIBUTE static inline __attribute__((always_inline)) void tile_columns_##SUFFIX(const float *const p[8],   \
                                                                                     int32_t offset, v8f d[6]) { \
        v8f a[4], b[4];                                                                                          \
        for (int32_t k = 0; k < 4; k++) {                                                                        \
            v4f lo, hi;                                                                                          \
            memcpy(&lo, p[k] + offset, sizeof lo);                                                               \
            memcpy(&hi, p[k + 4] + offset, sizeof hi);                                                           \
            a[k] = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);                                      \
            memcpy(&lo, p[k] + offset + 4, sizeof lo);                                                           \
            memcpy(&hi, p[k + 4] + offset + 4, sizeof hi);                                                       \
            b[k] = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);                                      \
        }                                                                                                        \
        v8f t0 = __builtin_shufflevector(a[0], a[1], 0, 8, 1, 9, 4, 12, 5, 13);                                  \
        v8f t1 = __builtin_shufflevector(a[0], a[1], 2, 10, 3, 11, 6, 14, 7, 15);                                \
        v8f t2 = __builtin_shufflevector(a[2], a[3], 0, 8, 1, 9, 4, 12, 5, 13);                                  \
        v8f t3 = __builtin_shufflevector(a[2], a[3], 2, 10, 3, 11, 6, 14, 7, 15);                                \
        v8f t4 = __builtin_shufflevector(b[0], b[1], 0, 8, 1, 9, 4, 12, 5, 13);                                  \
        v8f t5 = __builtin_shufflevector(b[2], b[3], 0, 8, 1, 9, 4, 12, 5, 13);                                  \
        d[0] = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);                                        \
        d[1] = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);                                      \
        d[2] = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);                                        \
        d[3] = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);                                      \
        d[4] = __builtin_shufflevector(t4, t5, 0, 1, 8, 9, 4, 5, 12, 13);                                        \
        d[5] = __builtin_shufflevector(t4, t5, 2, 3, 10, 11, 6, 7, 14, 15);                                      \
    }                                                                                                            \
                                                                                                                 \
    /* r[k·rs] = Σ_i Bᵀ[k][i] · d[i·ds], k < 6. */                                                               \
    ATTRIBUTE static inline __attribute__((always_inline)) void input_rows_##SUFFIX(const v8f *d, int32_t ds, v8f *r, \
                                                                                   int32_t rs) {                 \
        v8f d0 = d[0], d1 = d[ds], d2 = d[2 * ds], d3 = d[3 * ds], d4 = d[4 * ds], d5 = d[5 * ds];               \
        v8f odd = d3 - d1, even = d4 - d2;                                                                       \
        r[0] = 4.0f * d0 + (d4 - 5.0f * d2);                                                                     \
        r[rs] = (d3 + d4) - 4.0f * (d1 + d2);                                                                    \
        r[2 * rs] = 4.0f * (d1 - d2) + (d4 - d3);                                                                \
        r[3 * rs] = 2.0f * odd + even;                                                                           \
        r[4 * rs] = even - 2.0f * odd;                                                                           \
        r[5 * rs] = 4.0f * d1 + (d5 - 5.0f * d3);                                                                \
    }                                                                                                            \
                                                                                                                 \
    /* r[k·rs] = Σ_i Aᵀ[k][i] · m[i·ms], k < 4. */                                                               \
    ATTRIBUTE static inline __attribute__((always_inline)) void output_rows_##SUFFIX(const v8f *m, int32_t ms, v8f *r, \
                                                                                    int32_t rs) {                \
        v8f sum12 = m[ms] + m[2 * ms], diff12 = m[ms] - m[2 * ms];                                               \
        v8f sum34 = m[3 * ms] + m[4 * ms], diff34 = m[3 * ms] - m[4 * ms];                                       \
        r[0] = m[0] + sum12 + sum34;                                                                             \
        r[rs] = diff12 + 2.0f * diff34;                                                                          \
        r[2 * rs] = sum12 + 4.0f * sum34;                                                                        \
        r[3 * rs] = diff12 + 8.0f * diff34 + m[5 * ms];                                                          \
    }                                                                                                            \
                                                                                                                 \
    /* The input transform of eight tiles, row i of tile k at p[k] + i·width: out[ξ·stride + k] =                \
       (Bᵀ d B)[ξ] for the first `lanes` tiles. */                                                               \
    ATTRIBUTE static inline __attribute__((always_inline)) void input_group_##SUFFIX(const float *const p[8],    \
                                                                                    int32_t width, float *out,   \
                                                                                    int64_t stride, int32_t lanes) { \
        v8f e[36];                                                                                               \
        for (int32_t i = 0; i < 6; i++) {  /* d B, row by row */                                                 \
            v8f d[6];                                                                                            \
            tile_columns_##SUFFIX(p, i * width, d);                                                              \
            input_rows_##SUFFIX(d, 1, e + 6 * i, 1);                                                             \
        }                                                                                                        \
        for (int32_t j = 0; j < 6; j++) {  /* Bᵀ (d B), column by column */                                      \
            v8f r[6];                                                                                            \
            input_rows_##SUFFIX(e + j, 6, r, 1);                                                                 \
            for (int32_t i = 0; i < 6; i++) {                                                                    \
                if (lanes == 8) memcpy(out + (6 * i + j) * stride, &r[i], sizeof(v8f));                          \
                else store_lanes_##SUFFIX(out + (6 * i + j) * stride, &r[i], lanes);                             \
            }                                                                                                    \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    /* no_builtin: the zero stores of a short line would otherwise become a memset call. */                      \
    ATTRIBUTE __attribute__((no_builtin("memset"))) static void input_##SUFFIX(                                  \
        const float *x, int32_t channels, shears_window v, int64_t first, int32_t count, float *out, int64_t ld, \
        int64_t column) {                                                                                        \
        int32_t tiles_w = (v.out_w + 3) / 4;                                                                     \
        int32_t width = (4 * tiles_w + 4 + 7) / 8 * 8;  /* a window row: every tile's columns 0 ..< 8 */         \
        int64_t plane = (int64_t)v.in_h * v.in_w, stride = (int64_t)channels * ld, end = first + count;          \
        int32_t rows = (window_floats / width - 2) / 4;  /* tile rows per window: 1 ..< the range's */           \
        int32_t spanned = (int32_t)((end - 1) / tiles_w - first / tiles_w + 1);                                  \
        if (rows > spanned) rows = spanned;                                                                      \
        if (rows < 1) rows = 1;                                                                                  \
        float window[(4 * rows + 2) * width];                                                                    \
        for (int64_t start = first; start < end;) {  /* a window of tile rows [ty0, ty0 + rows) */               \
            int32_t ty0 = (int32_t)(start / tiles_w), tx0 = (int32_t)(start % tiles_w);                          \
            int64_t window_end = (int64_t)(ty0 + rows) * tiles_w < end ? (int64_t)(ty0 + rows) * tiles_w : end;  \
            int32_t lines = 4 * (int32_t)((window_end - 1) / tiles_w - ty0 + 1) + 2;                             \
            for (int32_t c = 0; c < channels; c++) {                                                             \
                for (int32_t i = 0; i < lines; i++) {                                                            \
                    int32_t iy = 4 * ty0 - v.pad_h + i;                                                          \
                    const float *row = iy >= 0 && iy < v.in_h ? x + c * plane + (int64_t)iy * v.in_w : 0;        \
                    padded_line_##SUFFIX(row, v.in_w, v.pad_w, width, window + i * width);                       \
                }                                                                                                \
                float *dst = out + c * ld + column - first;                                                      \
                const float *line = window;  /* the first line of the current tile row */                        \
                int32_t tx = tx0;                                                                                \
                for (int64_t t = start; t < window_end; t += 8) {                                                \
                    int32_t lanes = window_end - t < 8 ? (int32_t)(window_end - t) : 8;                          \
                    const float *p[8];                                                                           \
                    if (lanes == 8 && tx + 8 <= tiles_w) {  /* within one tile row */                            \
                        for (int32_t k = 0; k < 8; k++) p[k] = line + 4 * (tx + k);                              \
                        input_group_##SUFFIX(p, width, dst + t, stride, 8);                                      \
                        if ((tx += 8) == tiles_w) { tx = 0; line += 4 * width; }                                 \
                        continue;                                                                                \
                    }                                                                                            \
                    for (int32_t k = 0; k < 8; k++) {  /* lanes past the window repeat the last tile */          \
                        p[k] = k < lanes ? line + 4 * tx : p[k - 1];                                             \
                        if (k < lanes && ++tx == tiles_w) { tx = 0; line += 4 * width; }                         \
                    }                                                                                            \
                    input_group_##SUFFIX(p, width, dst + t, stride, lanes);                                      \
                }                                                                                                \
            }                                                                                                    \
            start = window_end;                                                                                  \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    ATTRIBUTE static void output_##SUFFIX(const float *m, int32_t out_c, shears_window v, int64_t first,         \
                                          int32_t count, int64_t ld, int64_t column, const float *bias,          \
                                          int32_t relu, float *y) {                                              \
        int32_t tiles_w = (v.out_w + 3) / 4;                                                                     \
        int64_t stride = (int64_t)out_c * ld, end = first + count;                                               \
        for (int32_t o = 0; o < out_c; o++) {                                                                    \
            const float *src = m + o * ld + column - first;                                                      \
            float *plane = y + (int64_t)o * v.out_h * v.out_w, b = bias[o];                                      \
            int32_t ty = (int32_t)(first / tiles_w), tx = (int32_t)(first % tiles_w);                            \
            for (int64_t t = first; t < end; t += 8) {                                                           \
                int32_t lanes = end - t < 8 ? (int32_t)(end - t) : 8;                                            \
                v8f e[24];                                                                                       \
                for (int32_t j = 0; j < 6; j++) {  /* Aᵀ m, column by column */                                  \
                    v8f q[6];                                                                                    \
                    for (int32_t i = 0; i < 6; i++) {                                                            \
                        const float *s = src + (6 * i + j) * stride + t;                                         \
                        if (lanes == 8) memcpy(&q[i], s, sizeof(v8f));                                           \
                        else load_lanes_##SUFFIX(s, lanes, &q[i]);                                               \
                    }                                                                                            \
                    output_rows_##SUFFIX(q, 1, e + j, 6);                                                        \
                }                                                                                                \
                /* w[4·a + k]: output row a of tiles k (low half) and k + 4 (high half). */                      \
                v8f w[16];                                                                                       \
                for (int32_t a = 0; a < 4; a++) {  /* (Aᵀ m) A, row by row */                                    \
                    v8f r[4];                                                                                    \
                    output_rows_##SUFFIX(e + 6 * a, 1, r, 1);                                                    \
                    for (int32_t k = 0; k < 4; k++) {                                                            \
                        r[k] += b;                                                                               \
                        if (relu) r[k] = (v8f)((v8i)r[k] & ~(r[k] < 0));                                         \
                    }                                                                                            \
                    v8f u0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);                      \
                    v8f u1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);                    \
                    v8f u2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);                      \
                    v8f u3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);                    \
                    w[4 * a] = __builtin_shufflevector(u0, u2, 0, 1, 8, 9, 4, 5, 12, 13);                        \
                    w[4 * a + 1] = __builtin_shufflevector(u0, u2, 2, 3, 10, 11, 6, 7, 14, 15);                  \
                    w[4 * a + 2] = __builtin_shufflevector(u1, u3, 0, 1, 8, 9, 4, 5, 12, 13);                    \
                    w[4 * a + 3] = __builtin_shufflevector(u1, u3, 2, 3, 10, 11, 6, 7, 14, 15);                  \
                }                                                                                                \
                if (lanes == 8 && tx + 8 <= tiles_w && 4 * (tx + 8) <= v.out_w && 4 * ty + 4 <= v.out_h) {       \
                    float *corner = plane + (int64_t)4 * ty * v.out_w + 4 * tx;  /* eight whole tiles of a row */ \
                    for (int32_t a = 0; a < 4; a++)                                                              \
                        for (int32_t k = 0; k < 8; k++)                                                          \
                            memcpy(corner + a * v.out_w + 4 * k, (const float *)&w[4 * a + (k & 3)] + 4 * (k >> 2), \
                                   16);                                                                          \
                    if ((tx += 8) == tiles_w) { tx = 0; ty++; }                                                  \
                    continue;                                                                                    \
                }                                                                                                \
                for (int32_t k = 0; k < lanes; k++) {  /* tile by tile: a group may cross a row, or an edge */   \
                    int32_t h = v.out_h - 4 * ty < 4 ? v.out_h - 4 * ty : 4;                                     \
                    int32_t n = v.out_w - 4 * tx < 4 ? v.out_w - 4 * tx : 4;                                     \
                    float *corner = plane + (int64_t)4 * ty * v.out_w + 4 * tx;                                  \
                    const float *tile = (const float *)&w[k & 3] + 4 * (k >> 2);  /* row a at tile + 32·a */     \
                    if (h == 4 && n == 4) {                                                                      \
                        for (int32_t a = 0; a < 4; a++) memcpy(corner + a * v.out_w, tile + 32 * a, 16);         \
                    } else {                                                                                     \
                        for (int32_t a = 0; a < h; a++)                                                          \
                            store_quad(corner + a * v.out_w, load_quad(tile + 32 * a, 4), n);                    \
                    }                                                                                            \
                    if (++tx == tiles_w) { tx = 0; ty++; }                                                       \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

SHEARS_WINOGRAD43(portable, )
#if SHEARS_MULTIVERSION
SHEARS_WINOGRAD43(avx2, SHEARS_AVX2)
#endif

void shears_winograd43_input(const float *x, int32_t channels, shears_window window, int64_t first_tile, int32_t count,
                             float *v, int64_t ld, int64_t column) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { input_avx2(x, channels, window, first_tile, count, v, ld, column); return; }
#endif
    input_portable(x, channels, window, first_tile, count, v, ld, column);
}

void shears_winograd43_output(const float *m, int32_t out_c, shears_window window, int64_t first_tile, int32_t count,
                              int64_t ld, int64_t column, const float *bias, int32_t relu, float *y) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { output_avx2(m, out_c, window, first_tile, count, ld, column, bias, relu, y); return; }
#endif
    output_portable(m, out_c, window, first_tile, count, ld, column, bias, relu, y);
}
