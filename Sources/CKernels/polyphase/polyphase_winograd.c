// polyphase_winograd: see include/polyphase_winograd.h. Tiles are 4x4 outputs; a tile row is
// cut into blocks of six tiles (the last one running past the edge onto zeros), each block
// transformed as one vector per ξ and plane (lanes 6 and 7 unused) into its own contiguous
// V[ξ][k][8], the products of a block run 16 channels at a time against U[block][ξ][k][16],
// and the output transform keeps only the real tiles. Source rows hold, per column remainder
// ρ < 4, the columns 4t + ρ of a phase plane at index t, so tile t's seven columns are (ρ, t)
// and (ρ, t + 1): contiguous in t.

#include "polyphase_winograd.h"
#include "../common/max_pool_rows.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <string.h>

enum {
    channel_block = 16,                            // output channels per block of products
    tile = 4,                                      // outputs per tile side
    patch = tile + 3,                              // inputs per tile side (a 4-tap kernel)
    points = patch * patch,                        // transformed positions ξ per tile
    tile_block = 6,                                // tiles per block of products
};

/// The sizes every function derives from the conv's window.
typedef struct {
    int32_t planes;          // K = 4·in_c
    int32_t tiles_h, tiles_w;
    int32_t blocks;          // blocks of six tiles per tile row
    int32_t source_h;        // phase rows: 4·tiles_h + 3
    int32_t source_w;        // floats per (row, remainder): 6·blocks + 8
    int32_t channels;        // out_c rounded up to 16
    int64_t ring_row;        // floats per ring row: 4·tiles_w columns of `channels`
} grid;

static inline __attribute__((always_inline)) int32_t round_up(int32_t n, int32_t m) { return (n + m - 1) / m * m; }

static inline __attribute__((always_inline)) grid make_grid(int32_t in_c, int32_t out_c, shears_window v) {
    grid g;
    g.planes = 4 * in_c;
    g.tiles_h = (v.out_h + tile - 1) / tile;
    g.tiles_w = (v.out_w + tile - 1) / tile;
    g.blocks = (g.tiles_w + tile_block - 1) / tile_block;
    g.source_h = tile * g.tiles_h + 3;
    g.source_w = tile_block * g.blocks + 8;
    g.channels = round_up(out_c, channel_block);
    g.ring_row = (int64_t)tile * g.tiles_w * g.channels;
    return g;
}

/// Rows of conv output the ring keeps: a pool window's extent and a tile row's 4, minus 1; 4
/// without a pool.
static inline __attribute__((always_inline)) int32_t ring_rows(const shears_window *pool) {
    return pool ? pool->kernel_h + tile - 1 : tile;
}

/// The conv rows [first, end) inside the plane that pooled row r's window reads.
static inline __attribute__((always_inline)) void pool_window_rows(shears_window pool, int32_t out_h, int32_t r, int32_t *first,
                                                                   int32_t *end) {
    *first = r * pool.stride_h - pool.pad_h;
    *end = *first + pool.kernel_h;
    if (*first < 0) *first = 0;
    if (*end > out_h) *end = out_h;
}

int shears_polyphase_applies(shears_window v) {
    return v.stride_h == 2 && v.stride_w == 2 && v.dilation_h == 1 && v.dilation_w == 1 && v.kernel_h >= 7 &&
           v.kernel_h <= 8 && v.kernel_w >= 7 && v.kernel_w <= 8;
}

int64_t shears_polyphase_filter_size(int32_t out_c, int32_t in_c) {
    return (int64_t)points * 4 * in_c * round_up(out_c, channel_block);
}

void shears_polyphase_filter(const float *w, int32_t out_c, int32_t in_c, shears_window v, float *u) {
    // G[j][k] = a_j^k / Π_{l≠j} (a_j − a_l) for the finite points a, and [0 0 0 1] for ∞
    static const double at[patch - 1] = {0, 1, -1, 2, -2, 0.5};
    double gm[patch][4] = {{0}};
    for (int32_t j = 0; j < patch - 1; j++) {
        double f = 1, power = 1;
        for (int32_t l = 0; l < patch - 1; l++)
            if (l != j) f *= at[j] - at[l];
        for (int32_t k = 0; k < 4; k++, power *= at[j]) gm[j][k] = power / f;
    }
    gm[patch - 1][3] = 1;
    grid g = make_grid(in_c, out_c, v);
    memset(u, 0, sizeof(float) * (size_t)shears_polyphase_filter_size(out_c, in_c));
    for (int32_t o = 0; o < out_c; o++) {
        for (int32_t k = 0; k < g.planes; k++) {
            int32_t c = k / 4, p = (k / 2) % 2, q = k % 2;
            double taps[4][4], t[patch][4];
            for (int32_t a = 0; a < 4; a++)
                for (int32_t b = 0; b < 4; b++) {
                    int32_t ky = 2 * a + p, kx = 2 * b + q;
                    taps[a][b] = ky < v.kernel_h && kx < v.kernel_w
                                     ? w[(((int64_t)o * in_c + c) * v.kernel_h + ky) * v.kernel_w + kx] : 0;
                }
            for (int32_t i = 0; i < patch; i++)  // G g
                for (int32_t b = 0; b < 4; b++)
                    t[i][b] = gm[i][0] * taps[0][b] + gm[i][1] * taps[1][b] + gm[i][2] * taps[2][b] + gm[i][3] * taps[3][b];
            for (int32_t i = 0; i < patch; i++)  // (G g) Gᵀ
                for (int32_t j = 0; j < patch; j++)
                    u[(((int64_t)(o / channel_block) * points + i * patch + j) * g.planes + k) * channel_block + o % channel_block] =
                        (float)(t[i][0] * gm[j][0] + t[i][1] * gm[j][1] + t[i][2] * gm[j][2] + t[i][3] * gm[j][3]);
        }
    }
}

int64_t shears_polyphase_source_size(int32_t in_c, shears_window v) {
    grid g = make_grid(in_c, 1, v);
    return (int64_t)g.planes * g.source_h * tile * g.source_w;
}

void shears_polyphase_source(const float *x, int32_t in_c, shears_window v, float *source) {
    grid g = make_grid(in_c, 1, v);
    for (int32_t k = 0; k < g.planes; k++) {
        int32_t c = k / 4, p = (k / 2) % 2, q = k % 2;
        for (int32_t i = 0; i < g.source_h; i++) {
            int32_t iy = 2 * i + p - v.pad_h;
            const float *row = x + ((int64_t)c * v.in_h + iy) * v.in_w;
            for (int32_t rho = 0; rho < tile; rho++) {
                float *to = source + (((int64_t)k * g.source_h + i) * tile + rho) * g.source_w;
                if (iy < 0 || iy >= v.in_h) { memset(to, 0, sizeof(float) * (size_t)g.source_w); continue; }
                // column 4t + ρ of the phase plane is input column 8t + 2ρ + q − pad_w: inside x for
                // t in [lo, hi)
                int32_t first = 2 * rho + q - v.pad_w;
                int32_t lo = first >= 0 ? 0 : (7 - first) / 8, hi = first >= v.in_w ? 0 : (v.in_w - first + 7) / 8;
                if (hi > g.source_w) hi = g.source_w;
                if (lo > hi) lo = hi;
                memset(to, 0, sizeof(float) * (size_t)lo);
                for (int32_t t = lo; t < hi; t++) to[t] = row[first + 8 * t];
                memset(to + hi, 0, sizeof(float) * (size_t)(g.source_w - hi));
            }
        }
    }
}

int64_t shears_polyphase_scratch_size(int32_t out_c, int32_t in_c, shears_window v, const shears_window *pool) {
    grid g = make_grid(in_c, out_c, v);
    return (int64_t)g.blocks * points * g.planes * 8 + points * tile_block * channel_block +
           (ring_rows(pool) + (pool ? 1 : 0)) * g.ring_row;  // the ring, and the pool's line
}

/// Bᵀ d: the seven transformed values of seven inputs.
static inline __attribute__((always_inline)) void input_rows(const v8f *d, v8f *out) {
    out[0] = 4 * d[1] - 2 * d[0] + 2.5f * d[2] - 5 * d[3] - 0.5f * d[4] + d[5];
    out[1] = 2 * (d[1] - d[2]) - 4.5f * d[3] + 0.5f * d[4] + d[5];
    out[2] = 6 * d[2] - 2 * d[1] - 3.5f * d[3] - 1.5f * d[4] + d[5];
    out[3] = d[1] - 1.5f * d[2] - 2 * d[3] + 1.5f * d[4] + d[5];
    out[4] = 2.5f * (d[2] - d[4]) - d[1] + d[5];
    out[5] = 4 * d[1] - 5 * d[3] + d[5];
    out[6] = 4 * d[2] - 2 * d[1] + 2.5f * d[3] - 5 * d[4] - 0.5f * d[5] + d[6];
}

/// Aᵀ m: the four outputs of seven products.
static inline __attribute__((always_inline)) void output_rows(const v8f *m, v8f *out) {
    v8f s = m[1] + m[2], d = m[1] - m[2], s2 = m[3] + m[4], d2 = m[3] - m[4];
    out[0] = m[0] + s + s2 + m[5];
    out[1] = d + 2 * d2 + 0.5f * m[5];
    out[2] = s + 4 * s2 + 0.25f * m[5];
    out[3] = d + 8 * d2 + 0.125f * m[5] + m[6];
}

/// *r = p[0 ..< 8]; p[0 ..< 8] = *r (any alignment; vectors go by pointer, not by value).
static inline __attribute__((always_inline)) void load8(v8f *r, const float *p) { memcpy(r, p, sizeof *r); }

static inline __attribute__((always_inline)) void store8(float *p, const v8f *r) { memcpy(p, r, sizeof *r); }

/// The input transform of tile row ty: v[((b·49 + ξ)·K + k)·8 + t] for every block b, plane k and
/// tile t < 6 of the block (lanes 6 and 7 hold the next block's first two).
static inline __attribute__((always_inline)) void transform_input(const float *source, grid g, int32_t ty, float *v) {
    int64_t row_stride = tile * (int64_t)g.source_w;
    for (int32_t k = 0; k < g.planes; k++) {
        const float *rows = source + ((int64_t)k * g.source_h + tile * ty) * row_stride;
        for (int32_t block = 0; block < g.blocks; block++) {
            int32_t t = tile_block * block;
            v8f columns[patch][patch];  // [column j][transformed row i]
            for (int32_t j = 0; j < patch; j++) {
                v8f d[patch];
                for (int32_t r = 0; r < patch; r++) load8(&d[r], rows + r * row_stride + (j % tile) * g.source_w + t + j / tile);
                input_rows(d, columns[j]);
            }
            float *to = v + ((int64_t)block * points * g.planes + k) * 8;
            for (int32_t i = 0; i < patch; i++) {
                v8f d[patch], out[patch];
                for (int32_t j = 0; j < patch; j++) d[j] = columns[j][i];
                input_rows(d, out);
                for (int32_t j = 0; j < patch; j++) store8(to + (int64_t)(i * patch + j) * g.planes * 8, &out[j]);
            }
        }
    }
}

/// m[t][0 ..< 16] = Σ_k v[k·8 + t] · u[k·16 + 0 ..< 16] for the block's first `tiles` tiles t (2,
/// 4 or 6, a constant: a row's last block may hold fewer than six): up to 12 accumulators, two
/// loads of u and a broadcast of v per tile and k.
static inline __attribute__((always_inline)) void multiply_block(const float *u, const float *v, int32_t planes, int32_t tiles,
                                                                 float *m) {
    v8f a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0};
    v8f a30 = {0}, a31 = {0}, a40 = {0}, a41 = {0}, a50 = {0}, a51 = {0};
    for (int32_t k = 0; k < planes; k++) {
        v8f u0, u1;
        load8(&u0, u + (int64_t)k * channel_block);
        load8(&u1, u + (int64_t)k * channel_block + 8);
        const float *vk = v + (int64_t)k * 8;
#define SHEARS_POLYPHASE_TILE(T)                                        \
        if (T < tiles) {                                                \
            float s = vk[T];                                            \
            v8f b = {s, s, s, s, s, s, s, s};                           \
            a##T##0 += b * u0;                                          \
            a##T##1 += b * u1;                                          \
        }
        SHEARS_POLYPHASE_TILE(0) SHEARS_POLYPHASE_TILE(1) SHEARS_POLYPHASE_TILE(2)
        SHEARS_POLYPHASE_TILE(3) SHEARS_POLYPHASE_TILE(4) SHEARS_POLYPHASE_TILE(5)
#undef SHEARS_POLYPHASE_TILE
    }
    v8f out[12] = {a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51};
    memcpy(m, out, sizeof out);
}

/// multiply_block for the 49 points ξ (u, v and m of consecutive ξ one after the other).
static inline __attribute__((always_inline)) void multiply_points(const float *u, const float *v, int32_t planes, int32_t tiles,
                                                                  float *m) {
    for (int32_t xi = 0; xi < points; xi++)
        multiply_block(u + (int64_t)xi * planes * channel_block, v + (int64_t)xi * planes * 8, planes, tiles,
                       m + xi * tile_block * channel_block);
}

/// multiply_points on the block's `real` tiles, rounded up to 2, 4 or 6, with the 3-channel
/// stem's K = 12 a constant so that its loops unroll.
static inline __attribute__((always_inline)) void multiply_block_points(const float *u, const float *v, int32_t planes, int32_t real,
                                                                        float *m) {
    int32_t tiles = real <= 2 ? 2 : real <= 4 ? 4 : 6;
    if (planes == 12) {
        switch (tiles) {
        case 2: multiply_points(u, v, 12, 2, m); return;
        case 4: multiply_points(u, v, 12, 4, m); return;
        default: multiply_points(u, v, 12, 6, m); return;
        }
    }
    switch (tiles) {
    case 2: multiply_points(u, v, planes, 2, m); return;
    case 4: multiply_points(u, v, planes, 4, m); return;
    default: multiply_points(u, v, planes, 6, m); return;
    }
}

/// Output transform of the block's tiles inside the row (tile tx0 + t), 16 channels from
/// channel `channel` on: out_rows[a][(4·tx + b)·channels + channel + 0 ..< 16], out_rows the
/// ring rows of the tile row's four output rows.
static inline __attribute__((always_inline)) void transform_output(const float *m, grid g, int32_t tx0, const float *bias,
                                                                   int32_t relu, float *const *out_rows, int32_t channel) {
    for (int32_t t = 0; t < tile_block && tx0 + t < g.tiles_w; t++) {
        for (int32_t half = 0; half < 2; half++) {
            v8f cols[patch][tile];  // Aᵀ down each column j
            for (int32_t j = 0; j < patch; j++) {
                v8f col[patch];
                for (int32_t i = 0; i < patch; i++)
                    load8(&col[i], m + (int64_t)(i * patch + j) * tile_block * channel_block + t * channel_block + 8 * half);
                output_rows(col, cols[j]);
            }
            v8f b;
            load8(&b, bias + 8 * half);
            for (int32_t a = 0; a < tile; a++) {
                v8f row[patch], out[tile];
                for (int32_t j = 0; j < patch; j++) row[j] = cols[j][a];
                output_rows(row, out);
                float *to = out_rows[a] + (int64_t)tile * (tx0 + t) * g.channels + channel + 8 * half;
                for (int32_t c = 0; c < tile; c++) {
                    v8f r = out[c] + b;
                    if (relu) r = (v8f)((v8i)r & ~(r < 0));
                    store8(to + (int64_t)c * g.channels, &r);
                }
            }
        }
    }
}

/// y[o, oy, 0 ..< out_w] = ring row oy for every channel o < out_c.
static inline __attribute__((always_inline)) void emit_row(const float *ring, grid g, shears_window v, int32_t rows,
                                                           int32_t out_c, int32_t oy, float *y) {
    const float *row = ring + (oy % rows) * g.ring_row;
    for (int32_t o = 0; o < out_c; o++) {
        float *to = y + ((int64_t)o * v.out_h + oy) * v.out_w;
        for (int32_t ox = 0; ox < v.out_w; ox++) to[ox] = row[(int64_t)ox * g.channels + o];
    }
}

/// r[i][j] = r[j][i] for an 8x8 block of floats, one row a vector.
static inline __attribute__((always_inline)) void transpose8(v8f *r) {
    v8f t[8], s[8];
    for (int32_t i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int32_t i = 0; i < 8; i += 4)
        for (int32_t h = 0; h < 2; h++) {
            s[i + 2 * h] = __builtin_shufflevector(t[i + h], t[i + 2 + h], 0, 1, 8, 9, 4, 5, 12, 13);
            s[i + 2 * h + 1] = __builtin_shufflevector(t[i + h], t[i + 2 + h], 2, 3, 10, 11, 6, 7, 14, 15);
        }
    for (int32_t i = 0; i < 4; i++) {
        r[i] = __builtin_shufflevector(s[i], s[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        r[i + 4] = __builtin_shufflevector(s[i], s[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/// y[o, r, 0 ..< pool.out_w] = the max over pooled row r's window, every channel o < out_c: the
/// max down the window's rows into `line` [column][channel] (`max_pool_rows` over the ring rows
/// as flat arrays, the ring's padding channels too), then across its columns, eight pooled
/// columns of eight channels transposed into eight 32-byte rows of y.
static inline __attribute__((always_inline)) void emit_pooled_row(const float *ring, grid g, shears_window v,
                                                                  shears_window pool, int32_t rows, int32_t channels,
                                                                  int32_t r, float *line, float *y) {
    int32_t y0, y1, ring_channels = g.channels;
    pool_window_rows(pool, v.out_h, r, &y0, &y1);
    // Two rows at a time: the first with the second, then what `line` holds with each next one
    // (the window's rows as one call ran 4% slower on a 32x32 stem).
    const float *pair[2] = {ring + (y0 % rows) * g.ring_row, 0};
    for (int32_t iy = y0 + 1; iy < y1; iy++, pair[0] = line) {
        pair[1] = ring + (iy % rows) * g.ring_row;
        max_pool_rows(pair, 2, v.out_w * ring_channels, line);
    }
    if (y1 == y0 + 1) max_pool_rows(pair, 1, v.out_w * ring_channels, line);
    for (int32_t o = 0; o < channels; o += 8)
        for (int32_t c0 = 0; c0 < pool.out_w; c0 += 8) {
            v8f block[8] = {{0}};
            int32_t n = pool.out_w - c0 < 8 ? pool.out_w - c0 : 8;
            for (int32_t c = 0; c < n; c++) {
                int32_t x0 = (c0 + c) * pool.stride_w - pool.pad_w, x1 = x0 + pool.kernel_w;
                if (x0 < 0) x0 = 0;
                if (x1 > v.out_w) x1 = v.out_w;
                load8(&block[c], line + (int64_t)x0 * ring_channels + o);
                for (int32_t x = x0 + 1; x < x1; x++) {
                    v8f value;
                    load8(&value, line + (int64_t)x * ring_channels + o);
                    max_tap(&block[c], &value);
                }
            }
            transpose8(block);
            for (int32_t k = 0; k < 8 && o + k < channels; k++) {
                float *to = y + ((int64_t)(o + k) * pool.out_h + r) * pool.out_w + c0;
                if (n == 8) store8(to, &block[k]);
                else memcpy(to, &block[k], sizeof(float) * (size_t)n);
            }
        }
}

static inline __attribute__((always_inline)) void conv_body(const float *source, const float *u, const float *bias,
                                                            int32_t out_c, int32_t in_c, shears_window v,
                                                            const shears_window *pool, int32_t first_row, int32_t end_row,
                                                            int32_t relu, float *scratch, float *y) {
    grid g = make_grid(in_c, out_c, v);
    int32_t rows = ring_rows(pool);
    float *tv = scratch, *m = tv + (int64_t)g.blocks * points * g.planes * 8, *ring = m + points * tile_block * channel_block;
    float *line = ring + rows * g.ring_row;
    // The conv rows [from, to) that output rows [first_row, end_row) read, and their tile rows.
    int32_t from = first_row, to = end_row, unused;
    if (pool) {
        pool_window_rows(*pool, v.out_h, first_row, &from, &unused);
        pool_window_rows(*pool, v.out_h, end_row - 1, &unused, &to);
    }
    int32_t next = first_row;  // the next output row (pooled row with a pool) to write
    for (int32_t ty = from / tile; ty < (to + tile - 1) / tile; ty++) {
        transform_input(source, g, ty, tv);
        float *out_rows[tile];
        for (int32_t a = 0; a < tile; a++) out_rows[a] = ring + ((tile * ty + a) % rows) * g.ring_row;
        for (int32_t o = 0; o < out_c; o += channel_block) {
            float b[channel_block] = {0};
            for (int32_t k = 0; k < channel_block && o + k < out_c; k++) b[k] = bias[o + k];
            const float *uo = u + (int64_t)(o / channel_block) * points * g.planes * channel_block;
            for (int32_t block = 0; block < g.blocks; block++) {
                const float *vb = tv + (int64_t)block * points * g.planes * 8;
                int32_t real = g.tiles_w - tile_block * block;
                multiply_block_points(uo, vb, g.planes, real < tile_block ? real : tile_block, m);
                transform_output(m, g, tile_block * block, b, relu, out_rows, o);
            }
        }
        int32_t done = tile * (ty + 1) < v.out_h ? tile * (ty + 1) : v.out_h;  // conv rows up to done are computed
        if (!pool) {
            for (; next < done && next < end_row; next++) emit_row(ring, g, v, rows, out_c, next, y);
            continue;
        }
        for (; next < end_row; next++) {
            int32_t first, last;
            pool_window_rows(*pool, v.out_h, next, &first, &last);
            if (last > done) break;
            emit_pooled_row(ring, g, v, *pool, rows, out_c, next, line, y);
        }
    }
}

static void conv_portable(const float *source, const float *u, const float *bias, int32_t out_c, int32_t in_c, shears_window v,
                          const shears_window *pool, int32_t first_row, int32_t end_row, int32_t relu, float *scratch, float *y) {
    conv_body(source, u, bias, out_c, in_c, v, pool, first_row, end_row, relu, scratch, y);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void conv_avx2(const float *source, const float *u, const float *bias, int32_t out_c, int32_t in_c,
                                  shears_window v, const shears_window *pool, int32_t first_row, int32_t end_row, int32_t relu,
                                  float *scratch, float *y) {
    conv_body(source, u, bias, out_c, in_c, v, pool, first_row, end_row, relu, scratch, y);
}
#endif

void shears_polyphase_conv(const float *source, const float *u, const float *bias, int32_t out_c, int32_t in_c,
                           shears_window conv, const shears_window *pool, int32_t first_row, int32_t end_row, int32_t relu,
                           float *scratch, float *y) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { conv_avx2(source, u, bias, out_c, in_c, conv, pool, first_row, end_row, relu, scratch, y); return; }
#endif
    conv_portable(source, u, bias, out_c, in_c, conv, pool, first_row, end_row, relu, scratch, y);
}
