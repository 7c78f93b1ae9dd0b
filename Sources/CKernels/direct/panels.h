// panels: the input panels of the dense and sparse kernels, packed contiguous tap by tap from
// the grid (grid.h), and the runs of lanes a panel reads and stores.
//
// Copies move eight floats at a time and may run past a run's end into lanes written later (or
// never read); reads stay inside the input (`direct_grid.size`, which covers the source's
// slack), falling back to float by float at its end.
#ifndef SHEARS_DIRECT_PANELS_H
#define SHEARS_DIRECT_PANELS_H

#include "grid.h"
#include "../common/vector.h"

#include <string.h>

/// to[0 ..< length] = from[0 ..< length], `from` being input float `at` of `size`: eight at a
/// time, up to seven floats past the end, when `room` floats may be written at `to` and the
/// input has them; else float by float.
static inline __attribute__((always_inline)) void copy_lanes(float *to, const float *from, int32_t length, int64_t at, int64_t size,
                                                             int32_t room) {
    int32_t l = 0, whole = (length + 7) / 8 * 8;
    if (whole <= room && at + whole <= size) {
        for (; l < length; l += 8) {
            v8f value;
            memcpy(&value, from + l, sizeof value);
            memcpy(to + l, &value, sizeof value);
        }
    }
    for (; l < length; l++) to[l] = from[l];
}

/// Packs the panels of positions [first, first + count) for the `taps` input rows at `rows`:
/// panel s (positions first + s·nr ...) at panels + s·nr·taps as `taps` rows of `nr` floats,
/// row t lane l = input[rows[t] + grid(first + s·nr + l)], lanes past `count` zero up to a
/// multiple of 8. Tap by tap, so each input row is read in one sweep; a piece may spill into
/// the rest of its panel row (written by the next piece or the zeroing) or into the next tap's
/// row (written next), not past the last tap's row (the next panel).
static inline __attribute__((always_inline)) void pack_panels(const float *input, direct_grid g, shears_window v, const int64_t *rows,
                                                              int32_t taps, int32_t first, int32_t count, int32_t nr, float *panels) {
    int32_t oy0 = first / v.out_w, ox0 = first % v.out_w;
    for (int32_t k = 0; k < taps; k++) {
        int32_t p = 0, oy = oy0, ox = ox0;
        while (p < count) {
            // A piece within one output row (the grid runs on when wq = out_w) and one panel row.
            int32_t lane = p % nr, length = nr - lane < count - p ? nr - lane : count - p;
            if (g.wq != v.out_w && v.out_w - ox < length) length = v.out_w - ox;
            int64_t at = rows[k] + (int64_t)oy * g.wq + ox;
            float *to = panels + (int64_t)(p / nr) * nr * taps + (int64_t)k * nr + lane;
            copy_lanes(to, input + at, length, at, g.size, nr - lane + (k + 1 < taps ? 7 : 0));
            p += length;
            ox += length;
            for (; ox >= v.out_w; ox -= v.out_w) oy++;
        }
        if (count % 8) memset(panels + (int64_t)(count / nr) * nr * taps + (int64_t)k * nr + count % nr, 0, sizeof(float) * (size_t)(8 - count % 8));
    }
}

/// A stretch of a panel's lanes: `length` lanes from `lane` on, that read the grid from `grid`
/// on (or, for `output_runs`, store to y from output index `grid` on).
typedef struct {
    int32_t lane, length;
    int64_t grid;
} direct_run;

/// Appends the run of `length` lanes from `lane` on, at `grid`, to runs[0 ..< *n], or extends
/// the last run where it ends at that lane and at that grid index.
static inline __attribute__((always_inline)) void add_run(direct_run *runs, int32_t *n, int32_t lane, int32_t length, int64_t grid) {
    if (*n > 0 && runs[*n - 1].lane + runs[*n - 1].length == lane && runs[*n - 1].grid + runs[*n - 1].length == grid) {
        runs[*n - 1].length += length;
    } else {
        runs[*n] = (direct_run){lane, length, grid};
        ++*n;
    }
}

/// The runs of output positions [first, first + count): one per output row, fewer when grid
/// rows follow each other (wq = out_w); returns how many (at most count).
static inline __attribute__((always_inline)) int32_t panel_runs(shears_window v, direct_grid g, int32_t first, int32_t count, direct_run *runs) {
    int32_t oy = first / v.out_w, ox = first % v.out_w, lane = 0, n = 0;
    while (lane < count) {
        int32_t length = v.out_w - ox < count - lane ? v.out_w - ox : count - lane;
        add_run(runs, &n, lane, length, (int64_t)oy * g.wq + ox);
        lane += length;
        oy++;
        ox = 0;
    }
    return n;
}

/// Packs one panel of `count` lanes given as `n` runs, laid out as `pack_panels` lays one out.
static inline __attribute__((always_inline)) void pack_panel(const float *input, direct_grid g, const int64_t *rows, int32_t taps,
                                                             const direct_run *runs, int32_t n, int32_t count, int32_t nr, float *panel) {
    for (int32_t k = 0; k < taps; k++) {
        float *row = panel + (int64_t)k * nr;
        for (int32_t r = 0; r < n; r++) {
            int64_t at = rows[k] + runs[r].grid;
            copy_lanes(row + runs[r].lane, input + at, runs[r].length, at, g.size, nr - runs[r].lane + (k + 1 < taps ? 7 : 0));
        }
        if (count % 8) memset(row + count, 0, sizeof(float) * (size_t)(8 - count % 8));
    }
}

/// The lanes of grid positions [first, first + count) that are outputs (grid column below
/// out_w), as runs of consecutive outputs (`grid`: the output index oy·out_w + ox); returns how
/// many.
static inline __attribute__((always_inline)) int32_t output_runs(shears_window v, direct_grid g, int64_t first, int32_t count, direct_run *runs) {
    int32_t n = 0, oy = (int32_t)(first / g.wq), ox = (int32_t)(first % g.wq), lane = 0;
    while (lane < count) {
        int32_t length = g.wq - ox < count - lane ? g.wq - ox : count - lane;  // to the end of the grid row
        int32_t outputs = v.out_w - ox < length ? v.out_w - ox : length;
        if (outputs > 0) add_run(runs, &n, lane, outputs, (int64_t)oy * v.out_w + ox);
        lane += length;
        oy++;
        ox = 0;
    }
    return n;
}

/// to[0 ..< length] = from[0 ..< length], eight at a time where there are eight (the last
/// eight overlapping).
static inline __attribute__((always_inline)) void copy_run(float *to, const float *from, int32_t length) {
    if (length >= 8) {
        int32_t l = 0;
        for (; l + 8 <= length; l += 8) memcpy(to + l, from + l, sizeof(v8f));
        if (l < length) memcpy(to + length - 8, from + length - 8, sizeof(v8f));
    } else {
        for (int32_t l = 0; l < length; l++) to[l] = from[l];
    }
}

#endif
