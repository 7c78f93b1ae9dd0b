// ckernels: see include/ckernels.h. im2col copies contiguous segments: at stride 2 each input
// line is first split into its even and odd columns, so taps read contiguously there too;
// other strides read strided. Pooling and depthwise convolution are in window_planes.c.

#include "ckernels.h"
#include "multiversion.h"

#include <math.h>
#include <string.h>

/// The output columns [*lo, *hi) whose tap column ix = ox·s − p + offset lies in [0, in_w).
static inline __attribute__((always_inline)) void column_range(int32_t out_w, int32_t in_w, int32_t stride, int32_t start, int32_t *lo, int32_t *hi) {
    // ix >= 0  ⇔  ox >= ceil(−start / stride);  ix < in_w  ⇔  ox <= floor((in_w − 1 − start) / stride).
    int32_t first = start >= 0 ? 0 : (-start + stride - 1) / stride;
    int32_t last = in_w - 1 - start < 0 ? -1 : (in_w - 1 - start) / stride;
    *lo = first;
    *hi = last + 1 < out_w ? last + 1 : out_w;
    if (*hi < *lo) *hi = *lo;
}

/// Splits a line into its even columns (split[0 ..< (w+1)/2]) and odd ones (after them), so
/// that a stride-2 tap reads contiguously: column 2·q + r is split[r·half + q].
static inline __attribute__((always_inline)) void split_phases(const float *line, int32_t width, float *split) {
    int32_t half = (width + 1) / 2;
    for (int32_t q = 0; q < half; q++) split[q] = line[2 * q];
    for (int32_t q = 0; q < width / 2; q++) split[half + q] = line[2 * q + 1];
}

/// The contiguous source of a tap whose column is ox·stride + start: `line + start` at
/// stride 1, the matching phase of `split` at stride 2 (NULL otherwise: read strided).
static inline __attribute__((always_inline)) const float *tap_source(const float *line, const float *split, int32_t width, int32_t stride, int32_t start) {
    if (stride == 1) return line + start;
    if (stride != 2) return 0;
    int32_t phase = start & 1, half = (width + 1) / 2;
    return split + phase * half + (start - phase) / 2;
}

#define SHEARS_BODIES(SUFFIX, ATTRIBUTE)                                                                         \
    ATTRIBUTE static void im2col_##SUFFIX(const float *x, float *cols, int64_t row_stride, int32_t channels,    \
                                          int32_t first_row, int32_t rows, shears_window v) {                    \
        float split[v.in_w + 1];                                                                                 \
        for (int32_t c = 0; c < channels; c++) {                                                                 \
            const float *xp = x + (int64_t)c * v.in_h * v.in_w;                                                  \
            for (int32_t i = 0; i < v.kernel_h; i++) {                                                           \
                float *tap_rows = cols + (int64_t)(c * v.kernel_h + i) * v.kernel_w * row_stride;                \
                for (int32_t oy = first_row; oy < first_row + rows; oy++) {                                      \
                    int64_t column = (int64_t)(oy - first_row) * v.out_w;                                        \
                    int32_t iy = oy * v.stride_h - v.pad_h + i * v.dilation_h;                                   \
                    if (iy < 0 || iy >= v.in_h) {                                                                \
                        for (int32_t j = 0; j < v.kernel_w; j++)                                                 \
                            memset(tap_rows + j * row_stride + column, 0, sizeof(float) * (size_t)v.out_w);      \
                        continue;                                                                                \
                    }                                                                                            \
                    const float *line = xp + (int64_t)iy * v.in_w;                                               \
                    if (v.stride_w == 2) split_phases(line, v.in_w, split);                                      \
                    for (int32_t j = 0; j < v.kernel_w; j++) {                                                   \
                        float *out = tap_rows + j * row_stride + column;                                         \
                        int32_t start = j * v.dilation_w - v.pad_w, lo, hi;                                      \
                        column_range(v.out_w, v.in_w, v.stride_w, start, &lo, &hi);                              \
                        const float *src = tap_source(line, split, v.in_w, v.stride_w, start);                   \
                        for (int32_t ox = 0; ox < lo; ox++) out[ox] = 0;                                         \
                        if (src) {                                                                               \
                            memcpy(out + lo, src + lo, sizeof(float) * (size_t)(hi - lo));                      \
                        } else {                                                                                 \
                            for (int32_t ox = lo; ox < hi; ox++) out[ox] = line[ox * v.stride_w + start];        \
                        }                                                                                        \
                        for (int32_t ox = hi; ox < v.out_w; ox++) out[ox] = 0;                                   \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

#define SHEARS_SPARSE(SUFFIX, ATTRIBUTE)                                                                          \
    ATTRIBUTE static void sparse_gemm_##SUFFIX(const int32_t *row_start, const int32_t *columns, const float *values, \
                                               int32_t rows, const float *b, int64_t ldb, int32_t n, float *c,    \
                                               int64_t ldc) {                                                     \
        /* Column tiles of 32 (four registers of sums per row), then of 8, then single columns. */               \
        int32_t j = 0;                                                                                           \
        for (; j + 32 <= n; j += 32) {                                                                           \
            for (int32_t r = 0; r < rows; r++) {                                                                 \
                v8f s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};                                                      \
                for (int32_t e = row_start[r]; e < row_start[r + 1]; e++) {                                      \
                    const float *src = b + (int64_t)columns[e] * ldb + j;                                        \
                    float weight = values[e];                                                                    \
                    v8f x0, x1, x2, x3;                                                                          \
                    memcpy(&x0, src, sizeof x0); memcpy(&x1, src + 8, sizeof x1);                                \
                    memcpy(&x2, src + 16, sizeof x2); memcpy(&x3, src + 24, sizeof x3);                          \
                    s0 += weight * x0; s1 += weight * x1; s2 += weight * x2; s3 += weight * x3;                  \
                }                                                                                                \
                float *dst = c + (int64_t)r * ldc + j;                                                           \
                memcpy(dst, &s0, sizeof s0); memcpy(dst + 8, &s1, sizeof s1);                                    \
                memcpy(dst + 16, &s2, sizeof s2); memcpy(dst + 24, &s3, sizeof s3);                              \
            }                                                                                                    \
        }                                                                                                        \
        for (; j + 8 <= n; j += 8) {                                                                             \
            for (int32_t r = 0; r < rows; r++) {                                                                 \
                v8f sum = {0};                                                                                   \
                for (int32_t e = row_start[r]; e < row_start[r + 1]; e++) {                                      \
                    v8f x;                                                                                       \
                    memcpy(&x, b + (int64_t)columns[e] * ldb + j, sizeof x);                                     \
                    sum += values[e] * x;                                                                        \
                }                                                                                                \
                memcpy(c + (int64_t)r * ldc + j, &sum, sizeof sum);                                              \
            }                                                                                                    \
        }                                                                                                        \
        for (; j < n; j++) {                                                                                     \
            for (int32_t r = 0; r < rows; r++) {                                                                 \
                float sum = 0;                                                                                   \
                for (int32_t e = row_start[r]; e < row_start[r + 1]; e++) sum += values[e] * b[(int64_t)columns[e] * ldb + j]; \
                c[(int64_t)r * ldc + j] = sum;                                                                   \
            }                                                                                                    \
        }                                                                                                        \
    }

SHEARS_SPARSE(portable, )
#if SHEARS_MULTIVERSION
SHEARS_SPARSE(avx2, SHEARS_AVX2)
#endif

SHEARS_BODIES(portable, )
#if SHEARS_MULTIVERSION
SHEARS_BODIES(avx2, SHEARS_AVX2)
#endif

int shears_use_avx2(void) {
#if SHEARS_MULTIVERSION
    static int answer = -1;
    if (answer < 0) answer = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return answer;
#else
    return 0;
#endif
}

void shears_winograd_filter(const float *w, int32_t out_c, int32_t in_c, float *u) {
    int64_t stride = (int64_t)out_c * in_c;
    for (int32_t o = 0; o < out_c; o++) {
        for (int32_t c = 0; c < in_c; c++) {
            const float *g = w + ((int64_t)o * in_c + c) * 9;
            float t[4][3];  // G g
            for (int32_t j = 0; j < 3; j++) {
                t[0][j] = g[j];
                t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
                t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
                t[3][j] = g[6 + j];
            }
            for (int32_t i = 0; i < 4; i++) {  // (G g) Gᵀ
                float row[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
                for (int32_t j = 0; j < 4; j++) u[(i * 4 + j) * stride + (int64_t)o * in_c + c] = row[j];
            }
        }
    }
}

// Winograd transforms, eight tiles at a time along x. Each input row of a tile row is copied
// into a zero-padded line split into even and odd columns, so the four columns 2·tx + j of
// eight consecutive tiles are eight consecutive entries of one phase.
#define SHEARS_WINOGRAD(SUFFIX, ATTRIBUTE)                                                                       \
    ATTRIBUTE static void winograd_input_##SUFFIX(const float *x, int32_t channels, shears_window v, float *out, \
                                                  int64_t tiles) {                                              \
        int32_t tiles_h = (v.out_h + 1) / 2, tiles_w = (v.out_w + 1) / 2;                                        \
        int32_t half = tiles_w + 9;  /* phase length: tiles_w + 1 columns used, room for a full block */         \
        int64_t stride = (int64_t)channels * tiles;                                                              \
        float phases[4][2][half];                                                                                \
        for (int32_t c = 0; c < channels; c++) {                                                                 \
            const float *plane = x + (int64_t)c * v.in_h * v.in_w;                                               \
            for (int32_t ty = 0; ty < tiles_h; ty++) {                                                           \
                for (int32_t i = 0; i < 4; i++) {                                                                \
                    int32_t iy = 2 * ty - v.pad_h + i;                                                           \
                    memset(phases[i], 0, sizeof phases[i]);                                                      \
                    if (iy < 0 || iy >= v.in_h) continue;                                                        \
                    const float *line = plane + (int64_t)iy * v.in_w;                                            \
                    for (int32_t q = 0; q < 2 * half; q++) {                                                     \
                        int32_t ix = q - v.pad_w;                                                                \
                        if (ix >= 0 && ix < v.in_w) phases[i][q & 1][q >> 1] = line[ix];                         \
                    }                                                                                            \
                }                                                                                                \
                int64_t base = (int64_t)c * tiles + (int64_t)ty * tiles_w;                                       \
                for (int32_t tx = 0; tx < tiles_w; tx += 8) {                                                    \
                    v8f d[4][4], t[4][4], r[16];                                                                 \
                    for (int32_t i = 0; i < 4; i++)                                                              \
                        for (int32_t j = 0; j < 4; j++) memcpy(&d[i][j], &phases[i][j & 1][tx + (j >> 1)], sizeof(v8f)); \
                    for (int32_t j = 0; j < 4; j++) {                                                            \
                        t[0][j] = d[0][j] - d[2][j];                                                             \
                        t[1][j] = d[1][j] + d[2][j];                                                             \
                        t[2][j] = d[2][j] - d[1][j];                                                             \
                        t[3][j] = d[1][j] - d[3][j];                                                             \
                    }                                                                                            \
                    for (int32_t i = 0; i < 4; i++) {                                                            \
                        r[i * 4 + 0] = t[i][0] - t[i][2];                                                        \
                        r[i * 4 + 1] = t[i][1] + t[i][2];                                                        \
                        r[i * 4 + 2] = t[i][2] - t[i][1];                                                        \
                        r[i * 4 + 3] = t[i][1] - t[i][3];                                                        \
                    }                                                                                            \
                    int32_t lanes = tiles_w - tx < 8 ? tiles_w - tx : 8;                                         \
                    if (lanes == 8) {                                                                            \
                        for (int32_t xi = 0; xi < 16; xi++) memcpy(out + xi * stride + base + tx, &r[xi], sizeof(v8f)); \
                    } else {                                                                                     \
                        for (int32_t xi = 0; xi < 16; xi++)                                                      \
                            for (int32_t l = 0; l < lanes; l++) out[xi * stride + base + tx + l] = r[xi][l];     \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    ATTRIBUTE static void winograd_output_##SUFFIX(const float *m, int32_t out_c, shears_window v, int64_t tiles, \
                                                   const float *bias, float *y) {                               \
        int32_t tiles_h = (v.out_h + 1) / 2, tiles_w = (v.out_w + 1) / 2;                                        \
        int64_t stride = (int64_t)out_c * tiles;                                                                 \
        for (int32_t o = 0; o < out_c; o++) {                                                                    \
            float *plane = y + (int64_t)o * v.out_h * v.out_w, b = bias[o];                                      \
            for (int32_t ty = 0; ty < tiles_h; ty++) {                                                           \
                int64_t base = (int64_t)o * tiles + (int64_t)ty * tiles_w;                                       \
                for (int32_t tx = 0; tx < tiles_w; tx += 8) {                                                    \
                    int32_t lanes = tiles_w - tx < 8 ? tiles_w - tx : 8;                                         \
                    v8f q[16], t[2][4], r[2][2];                                                                 \
                    for (int32_t xi = 0; xi < 16; xi++) {                                                        \
                        const float *src = m + xi * stride + base + tx;                                          \
                        if (lanes == 8) {                                                                        \
                            memcpy(&q[xi], src, sizeof(v8f));                                                    \
                        } else {                                                                                 \
                            q[xi] = (v8f){0};                                                                    \
                            for (int32_t l = 0; l < lanes; l++) q[xi][l] = src[l];                               \
                        }                                                                                        \
                    }                                                                                            \
                    for (int32_t j = 0; j < 4; j++) {                                                            \
                        t[0][j] = q[j] + q[4 + j] + q[8 + j];                                                    \
                        t[1][j] = q[4 + j] - q[8 + j] - q[12 + j];                                               \
                    }                                                                                            \
                    for (int32_t a = 0; a < 2; a++) {                                                            \
                        r[a][0] = t[a][0] + t[a][1] + t[a][2] + b;                                               \
                        r[a][1] = t[a][1] - t[a][2] - t[a][3] + b;                                               \
                    }                                                                                            \
                    for (int32_t a = 0; a < 2; a++) {                                                            \
                        int32_t oy = 2 * ty + a;                                                                 \
                        if (oy >= v.out_h) break;                                                                \
                        float *row = plane + (int64_t)oy * v.out_w;                                              \
                        for (int32_t l = 0; l < lanes; l++) {                                                    \
                            int32_t ox = 2 * (tx + l);                                                           \
                            row[ox] = r[a][0][l];                                                                \
                            if (ox + 1 < v.out_w) row[ox + 1] = r[a][1][l];                                      \
                        }                                                                                        \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

SHEARS_WINOGRAD(portable, )
#if SHEARS_MULTIVERSION
SHEARS_WINOGRAD(avx2, SHEARS_AVX2)
#endif

void shears_winograd_input(const float *x, int32_t channels, shears_window v, float *out, int64_t tiles) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { winograd_input_avx2(x, channels, v, out, tiles); return; }
#endif
    winograd_input_portable(x, channels, v, out, tiles);
}

void shears_winograd_output(const float *m, int32_t out_c, shears_window v, int64_t tiles, const float *bias, float *y) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { winograd_output_avx2(m, out_c, v, tiles, bias, y); return; }
#endif
    winograd_output_portable(m, out_c, v, tiles, bias, y);
}

void shears_sparse_gemm(const int32_t *row_start, const int32_t *columns, const float *values, int32_t rows,
                        const float *b, int64_t ldb, int32_t n, float *c, int64_t ldc) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { sparse_gemm_avx2(row_start, columns, values, rows, b, ldb, n, c, ldc); return; }
#endif
    sparse_gemm_portable(row_start, columns, values, rows, b, ldb, n, c, ldc);
}

void shears_im2col(const float *x, float *cols, int64_t row_stride, int32_t channels, int32_t first_row, int32_t rows,
                   shears_window window) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { im2col_avx2(x, cols, row_stride, channels, first_row, rows, window); return; }
#endif
    im2col_portable(x, cols, row_stride, channels, first_row, rows, window);
}
