// conv_max_pool: the dense direct kernel fused with the max pool that reads its output
// (shears_direct_conv_max_pool in include/direct_conv.h; the conv: dense.c).
//
// Fused conv + max pool (`conv_max_pool_*`): the conv output of the channels (or of groups of
// them where one conv row of all does not fit) is computed a band of rows at a time into
// scratch (`pool_plan`: the band and a ring of column-pooled rows within 256 KiB, in L2); each
// conv row is reduced over the pool's column taps into the ring (`pool_columns`; at stride 2
// with taps at 2·px − 1 ... 2·px + 1, the stem's 3x3/2 pad 1, in registers: `pool_pairs`), and
// each pooled row, once its last conv row is in, over its row taps from the ring into y
// (`max_pool_rows`, common/max_pool_rows.h). Columns first, then rows, keeps shears_max_pool's
// row-major tap order (the first of equal maxima, the last NaN), so y is bitwise the unfused
// conv + pool's (as for the stem), but where a block of positions ends in a panel of 8 or fewer
// in one of the two and not in the other (its taps are summed in another order: within
// rounding).

#include "blocking.h"
#include "dense.h"
#include "../common/max_pool_rows.h"
#include "../common/multiversion.h"
#include "../common/padded_row.h"
#include "../common/vector.h"

#include <math.h>
#include <string.h>

/// direct_dense_portable or direct_dense_avx2 (dense.h).
typedef void dense_fn(const float *input, const float *packed, const float *bias, int32_t in_c, shears_window v,
                      const int64_t *offsets, int32_t in_place, int32_t first_out, int32_t end_out, int32_t first_row,
                      int32_t end_row, int32_t relu, float *scratch, float *y, int64_t plane);

/// How the fused conv + max pool holds one sample's conv output: bands of at most `rows` conv
/// rows of `channels` channels at a time ([channels][rows][conv width] floats), each row, once
/// computed, reduced over the pool's columns into a ring of `ring` rows of `wide` floats per
/// channel (the pooled columns rounded up to 8), from which every pooled row reduces its conv
/// rows. `pool_pairs` does the columns where `pairs`; elsewhere a line of `phase` floats per
/// stride phase holds the conv row padded with −inf and split into the pool's column phases
/// (`pad_row`, as in shears_max_pool's padded planes), so that every column tap reads eight
/// contiguous floats.
typedef struct {
    int32_t channels, rows, ring, wide, phase, pairs;
} pool_plan;

/// The plan for `channels` output channels: as many conv rows as fit BAND_FLOATS (at most
/// BAND_ROWS; the ring holds a band plus the rows a pooled row shares with the band before),
/// fewer channels at a time where one conv row does not fit (a multiple of MR, else of PAIR).
static inline __attribute__((always_inline)) pool_plan make_pool_plan(shears_window conv, shears_window pool, int32_t channels) {
    pool_plan p;
    int32_t span = (pool.kernel_h - 1) * pool.dilation_h + 1;
    p.wide = (pool.out_w + 7) / 8 * 8;
    p.phase = p.wide + (pool.kernel_w - 1) * pool.dilation_w / pool.stride_w + 1;
    p.pairs = pool.stride_w == 2 && pool.pad_w <= 1 && (pool.kernel_w - 1) * pool.dilation_w - pool.pad_w <= 1 &&
              2 * p.wide <= conv.out_w;
    p.rows = BAND_ROWS;
    p.channels = channels;
    for (;;) {
        p.ring = p.rows + span - 1;
        int64_t per_channel = (int64_t)p.rows * conv.out_w + (int64_t)p.ring * p.wide;
        if ((int64_t)channels * per_channel <= BAND_FLOATS) break;
        if (p.rows == 1) {
            int32_t fit = (int32_t)(BAND_FLOATS / per_channel);
            p.channels = fit >= MR ? fit / MR * MR : fit >= PAIR ? fit / PAIR * PAIR : PAIR;
            break;
        }
        p.rows--;
    }
    return p;
}

/// Floats of a plan's band, ring and line (each aligned to 64 bytes) for any channel count.
static inline __attribute__((always_inline)) int64_t pool_plan_floats(shears_window conv, shears_window pool) {
    pool_plan p = make_pool_plan(conv, pool, PAIR);
    int64_t pair = (int64_t)PAIR * ((int64_t)p.rows * conv.out_w + (int64_t)p.ring * p.wide);
    return (pair > BAND_FLOATS ? pair : BAND_FLOATS) + (int64_t)p.phase * pool.stride_w + 4 * 16;
}

/// pool_columns at stride 2 when every column tap reads column 2·px − 1, 2·px or 2·px + 1 of
/// the row (first + j·step for tap j) and every vector's 16 columns lie inside it: the columns
/// split into even and odd ones in registers, the odd ones shifted by a lane for 2·px − 1.
static inline __attribute__((always_inline)) void pool_pairs(const float *row, int32_t wide, int32_t first, int32_t taps, int32_t step,
                                                             float *out) {
    v8f last = (v8f){0} - INFINITY;
    for (int32_t q = 0; q < wide; q += 8) {
        v8f a, b, best;
        memcpy(&a, row + 2 * q, sizeof a);
        memcpy(&b, row + 2 * q + 8, sizeof b);
        v8f even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14), odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
        v8f before = __builtin_shufflevector(last, odd, 7, 8, 9, 10, 11, 12, 13, 14);
        last = odd;
        for (int32_t j = 0; j < taps; j++) {
            int32_t d = first + j * step;
            const v8f *value = d < 0 ? &before : d ? &odd : &even;
            if (j)
                max_tap(&best, value);
            else
                best = *value;
        }
        memcpy(out + q, &best, sizeof best);
    }
}

/// out[px] for px < plan.wide: the max over the pool's column taps j (in order) of row[px·sw −
/// pw + j·dw], taps outside the `width` floats of row skipped (−inf when none); `columns[j]`
/// is where tap j reads in the line: ((j·dw) % sw)·phase + (j·dw) / sw.
static inline __attribute__((always_inline)) void pool_columns(const float *row, int32_t width, shears_window pool, pool_plan p,
                                                               const int64_t *columns, float *line, float *out) {
    int32_t sw = pool.stride_w, taps = pool.kernel_w;
    v8f lowest = (v8f){0} - INFINITY;
    if (p.pairs) {
        // The common windows with constant taps: 3 wide padded by 1 (the stem's pool), 2 unpadded.
        if (pool.pad_w == 1 && taps == 3 && pool.dilation_w == 1)
            pool_pairs(row, p.wide, -1, 3, 1, out);
        else if (pool.pad_w == 0 && taps == 2 && pool.dilation_w == 1)
            pool_pairs(row, p.wide, 0, 2, 1, out);
        else
            pool_pairs(row, p.wide, -pool.pad_w, taps, pool.dilation_w, out);
        return;
    }
    int32_t length = p.phase * sw;
    for (int32_t q = 0; q < length; q += 8) memcpy(line + q, &lowest, sizeof lowest);  // the line has room to a multiple of 8
    pad_row(row, width, pool.pad_w, sw, p.phase, line);
    for (int32_t q = 0; q < p.wide; q += 8) {
        v8f best, value;
        memcpy(&best, line + columns[0] + q, sizeof best);
        for (int32_t j = 1; j < taps; j++) {
            memcpy(&value, line + columns[j] + q, sizeof value);
            max_tap(&best, &value);
        }
        memcpy(out + q, &best, sizeof best);
    }
}

/// Conv rows band by band into scratch; each row, once computed, reduced over the pool's
/// columns into the ring; each pooled row, once the last conv row it reads is computed,
/// reduced over its rows from the ring into y.
static inline __attribute__((always_inline)) void conv_max_pool_rows(const float *input, const float *packed, const float *bias,
                                                                     int32_t in_c, shears_window conv, shears_window pool,
                                                                     int32_t first_out, int32_t end_out, int32_t relu, float *scratch,
                                                                     float *y, dense_fn *dense) {
    pool_plan p = make_pool_plan(conv, pool, end_out - first_out);
    int64_t offsets[conv.kernel_h * conv.kernel_w];
    int32_t in_place = dense_offsets(in_c, conv, offsets);
    int64_t columns[pool.kernel_w];
    for (int32_t j = 0; j < pool.kernel_w; j++)
        columns[j] = (int64_t)(j * pool.dilation_w % pool.stride_w) * p.phase + j * pool.dilation_w / pool.stride_w;
    int32_t width = conv.out_w, height = conv.out_h, kh = pool.kernel_h, dh = pool.dilation_h;
    int64_t plane = (int64_t)p.rows * width, ring_plane = (int64_t)p.ring * p.wide;
    int64_t pooled = (int64_t)pool.out_h * pool.out_w;
    float *band = (float *)(((uintptr_t)(scratch + band_panel_floats(in_c, conv)) + 63) & ~(uintptr_t)63);
    float *ring = (float *)(((uintptr_t)(band + p.channels * plane) + 63) & ~(uintptr_t)63);
    float *line = (float *)(((uintptr_t)(ring + p.channels * ring_plane) + 63) & ~(uintptr_t)63);
    // The conv rows some pooled row reads: [0, needed).
    int32_t needed = (pool.out_h - 1) * pool.stride_h - pool.pad_h + (kh - 1) * dh + 1;
    if (needed > height) needed = height;
    for (int32_t c0 = first_out; c0 < end_out; c0 += p.channels) {
        int32_t c1 = end_out - c0 < p.channels ? end_out : c0 + p.channels, py = 0;
        for (int32_t r0 = 0; py < pool.out_h; r0 += p.rows) {
            // This band's conv rows [r0, r1); then pooled rows [py, ready), whose last conv row is in
            // by then (all of them after the last band), their lines of y fetched during the band.
            int32_t r1 = needed - r0 < p.rows ? needed : r0 + p.rows, ready = py;
            while (ready < pool.out_h && (r1 == needed || ready * pool.stride_h - pool.pad_h + (kh - 1) * dh < r1)) ready++;
            for (int32_t c = c0; c < c1; c++)
                for (int64_t f = (int64_t)py * pool.out_w; f < (int64_t)ready * pool.out_w; f += 16)
                    __builtin_prefetch(y + c * pooled + f, 1);
            if (r0 < r1) {
                dense(input, packed, bias, in_c, conv, offsets, in_place, c0, c1, r0, r1, relu, scratch, band, plane);
                for (int32_t c = 0; c < c1 - c0; c++)
                    for (int32_t r = r0; r < r1; r++)
                        pool_columns(band + c * plane + (int64_t)(r - r0) * width, width, pool, p, columns, line,
                                     ring + c * ring_plane + (int64_t)(r % p.ring) * p.wide);
            }
            for (; py < ready; py++) {
                int32_t top = py * pool.stride_h - pool.pad_h, count = 0;
                const float *rows[kh];
                for (int32_t i = 0; i < kh; i++) {
                    int32_t r = top + i * dh;
                    if (r >= 0 && r < height) rows[count++] = ring + (int64_t)(r % p.ring) * p.wide;
                }
                float *to = y + c0 * pooled + (int64_t)py * pool.out_w;
                for (int32_t c = c0; c < c1; c++, to += pooled) {
                    max_pool_rows(rows, count, pool.out_w, to);
                    for (int32_t i = 0; i < count; i++) rows[i] += ring_plane;
                }
            }
        }
    }
}

static void conv_max_pool_portable(const float *input, const float *packed, const float *bias, int32_t in_c, shears_window conv,
                                   shears_window pool, int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y) {
    conv_max_pool_rows(input, packed, bias, in_c, conv, pool, first_out, end_out, relu, scratch, y, direct_dense_portable);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void conv_max_pool_avx2(const float *input, const float *packed, const float *bias, int32_t in_c,
                                           shears_window conv, shears_window pool, int32_t first_out, int32_t end_out, int32_t relu,
                                           float *scratch, float *y) {
    conv_max_pool_rows(input, packed, bias, in_c, conv, pool, first_out, end_out, relu, scratch, y, direct_dense_avx2);
}
#endif

int64_t shears_direct_conv_max_pool_scratch_size(int32_t in_c, shears_window conv, shears_window pool) {
    return band_panel_floats(in_c, conv) + pool_plan_floats(conv, pool);
}

void shears_direct_conv_max_pool(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                                 shears_window conv, shears_window pool, int32_t first_out, int32_t end_out, int32_t relu,
                                 float *scratch, float *y) {
    (void)out_c;
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { conv_max_pool_avx2(input, packed, bias, in_c, conv, pool, first_out, end_out, relu, scratch, y); return; }
#endif
    conv_max_pool_portable(input, packed, bias, in_c, conv, pool, first_out, end_out, relu, scratch, y);
}
