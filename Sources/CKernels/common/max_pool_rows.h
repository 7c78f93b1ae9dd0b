// max_pool_rows: the max pools' rule over taps, and the one row routine the fused conv + max
// pool kernels (direct/conv_max_pool.c, polyphase/polyphase_winograd.c) share: the max down a
// pool window's rows, once each row is reduced over the window's columns (or before, as the
// polyphase kernel does). Taps are visited in row-major order (columns first within a row, rows
// in order), so a fused pool keeps shears_max_pool's answer bit for bit.
#ifndef SHEARS_MAX_POOL_ROWS_H
#define SHEARS_MAX_POOL_ROWS_H

#include "vector.h"

#include <math.h>
#include <string.h>

/// *best, or *value where it is greater or NaN: the max pools' rule over taps in row-major
/// order (the first of equal maxima, the last NaN; from −inf, which takes the first tap as is,
/// as the callers do). `v > best ? v : best` is one max instruction (whose NaN answer is
/// best), then the NaNs of v are blended in.
static inline __attribute__((always_inline)) void max_tap(v8f *best, const v8f *value) {
    v8f v = *value;
    v8i greater = v > *best, nan = v != v;
    v8f larger = (v8f)((greater & (v8i)v) | (~greater & (v8i)*best));
    *best = (v8f)((nan & (v8i)v) | (~nan & (v8i)larger));
}

/// out[x] for x < width: the max (`max_tap`) over the `count` rows at `rows[i]`, in order, of
/// rows[i][x]; −inf when count is 0. Eight floats at a time: each row has room to read up to
/// the next multiple of 8 past `width` (those lanes are computed and dropped); a last partial
/// vector is stored float by float.
static inline __attribute__((always_inline)) void max_pool_rows(const float *const *rows, int32_t count, int32_t width,
                                                                float *out) {
    for (int32_t q = 0; q < width; q += 8) {
        v8f best = (v8f){0} - INFINITY, value;
        if (count) memcpy(&best, rows[0] + q, sizeof best);
        for (int32_t i = 1; i < count; i++) {
            memcpy(&value, rows[i] + q, sizeof value);
            max_tap(&best, &value);
        }
        if (width - q >= 8)
            memcpy(out + q, &best, sizeof best);
        else
            for (int32_t l = 0; l < width - q; l++) out[q + l] = best[l];
    }
}

#endif
