// dense: the dense direct kernel (shears_direct_conv in include/direct_conv.h; its weights:
// pack_weights.c, its input panels: panels.h, its blocking: blocking.h).
//
// Dense kernel (Goto/BLIS blocking):
//   for each block of positions (the chunk's panels fit in L2)
//     for each chunk of taps (a panel of 16 positions x the chunk fits in L1)
//       for each block of 128 output channels (their weights for the chunk stay in L2)
//         for each panel of 16 positions
//           for each tile of 6 output channels (what is left as 4 + 4, 4 or 2): 6 x 16 sums in
//           12 registers over the chunk (two input vectors and one broadcast weight per tap),
//           added to what y holds from earlier chunks; the last chunk adds the bias, applies
//           the ReLU and stores.
// The tiles of one panel run in a function of their own (`tiles_*`, not inlined into the
// loops above, whose registers would crowd the tap loop), each tile height with its own tap
// loop and stores, so that the 12 sums stay in registers. Weights are packed in pairs of
// channels, so a tile starts at any even channel (a range split over threads at any multiple
// of 2) and reads three streams of pairs.
// A panel is read in place from the input when its 16 positions lie on one grid row and the
// chunk's taps touch few enough rows (`reads_in_place`: the stem, 3x3 stride-1 maps of 16 and
// wider, small pointwise convs); otherwise the chunk's panels are packed contiguous first, tap
// by tap (`pack_panels`), so each input row is read in one sweep.

#include "blocking.h"
#include "dense.h"
#include "panels.h"
#include "../common/multiversion.h"
#include "../common/vector.h"

#include <math.h>
#include <string.h>

/// The dense tile: `height` (6, 4 or 2) output channels x 8·vectors positions, of which
/// `rows` channels and `count` positions are stored at y (rows `positions` floats apart), from
/// the packed weights at w (channel r of tap t at w[(r / 2)·pair + 2·t + r % 2]) and `taps` rows
/// of positions: a packed panel at base + t·DENSE_NR (`offsets` NULL), or the input itself at
/// base + offsets[t] (two vectors).
static inline __attribute__((always_inline)) void dense_tile(const float *w, int64_t pair, const float *base, const int64_t *offsets,
                                                             int32_t taps, int32_t height, int32_t vectors, float *y, int64_t positions,
                                                             int32_t rows, int32_t count, int32_t first, int32_t last, const float *bias,
                                                             int32_t relu) {
    v8f sum[MR][DENSE_NR / 8] = {{{0}}};
    if (vectors == 1) {
        // `height` chains of FMAs alone would wait on the FMA latency: even taps go to
        // sum[r][0], odd ones to sum[r][1], added at the end.
        int32_t k = 0;
        for (; k + 2 <= taps; k += 2) {
            v8f even, odd;
            memcpy(&even, base + (int64_t)k * DENSE_NR, sizeof even);
            memcpy(&odd, base + (int64_t)(k + 1) * DENSE_NR, sizeof odd);
            for (int32_t r = 0; r < height; r++) {
                const float *weights = w + (r >> 1) * pair + 2 * k + (r & 1);
                sum[r][0] += weights[0] * even;
                sum[r][1] += weights[2] * odd;
            }
        }
        if (k < taps) {
            v8f even;
            memcpy(&even, base + (int64_t)k * DENSE_NR, sizeof even);
            for (int32_t r = 0; r < height; r++) sum[r][0] += w[(r >> 1) * pair + 2 * k + (r & 1)] * even;
        }
        for (int32_t r = 0; r < height; r++) sum[r][0] += sum[r][1];
    } else {
        // Loads first, then one broadcast weight at a time: this order keeps clang from
        // spilling the 12 sums.
        for (int32_t k = 0; k < taps; k++) {
            v8f in[DENSE_NR / 8];
            const float *row = offsets ? base + offsets[k] : base + (int64_t)k * DENSE_NR;
            for (int32_t u = 0; u < vectors; u++) memcpy(&in[u], row + 8 * u, sizeof(v8f));
            for (int32_t r = 0; r < height; r++) {
                float weight = w[(r >> 1) * pair + 2 * k + (r & 1)];
                for (int32_t u = 0; u < vectors; u++) sum[r][u] += weight * in[u];
            }
        }
    }
    // + what y holds unless `first`; when `last`, + the bias, then max(floor, ·) with floor 0 for
    // the ReLU (NaN kept: `v < floor` is false for it), −inf without. A full tile goes straight
    // to y; a partial one through `part` (what y holds, then the results). The loops over the
    // sums are unrolled (no dynamic index), so that the sums stay in registers.
    v8f floor = (v8f){0} + (last && relu ? 0 : -INFINITY);
    if (rows == height && count == 8 * vectors) {
#pragma clang loop unroll(full)
        for (int32_t r = 0; r < height; r++) {
            float add = last ? bias[r] : 0;
#pragma clang loop unroll(full)
            for (int32_t u = 0; u < vectors; u++) {
                v8f value = sum[r][u], old;
                if (!first) {
                    memcpy(&old, y + r * positions + 8 * u, sizeof old);
                    value += old;
                }
                value += add;
                v8i below = value < floor;
                value = (v8f)((below & (v8i)floor) | (~below & (v8i)value));
                memcpy(y + r * positions + 8 * u, &value, sizeof value);
            }
        }
        return;
    }
    float part[MR][DENSE_NR] = {{0}};
    if (!first)
        for (int32_t r = 0; r < rows; r++) memcpy(part[r], y + r * positions, sizeof(float) * (size_t)count);
#pragma clang loop unroll(full)
    for (int32_t r = 0; r < height; r++) {
        float add = last && r < rows ? bias[r] : 0;
#pragma clang loop unroll(full)
        for (int32_t u = 0; u < vectors; u++) {
            v8f value, old;
            memcpy(&old, part[r] + 8 * u, sizeof old);
            value = sum[r][u] + old + add;
            v8i below = value < floor;
            value = (v8f)((below & (v8i)floor) | (~below & (v8i)value));
            memcpy(part[r] + 8 * u, &value, sizeof value);
        }
    }
    for (int32_t r = 0; r < rows; r++) memcpy(y + r * positions, part[r], sizeof(float) * (size_t)count);
}

/// The tiles of output channels [m0, m1) over one panel of `count` positions (dense_tile): 6
/// channels at a time, what is left as 4 + 4, 4 or 2 (rows past m1 computed, not stored), read
/// in place from base + offsets[t] or from the packed panel at base (`offsets` NULL), stored at
/// y, channels `plane` floats apart. Each case has constant height, vectors and place, so that
/// its sums stay in registers. Its clones (`tiles_*`) are not inlined, so that their registers
/// are allocated apart from the loops around them.
static inline __attribute__((always_inline)) void dense_tiles(const float *w, int64_t pair, const float *base, const int64_t *offsets,
                                                              int32_t taps, int32_t m0, int32_t m1, float *y, int64_t plane,
                                                              int32_t count, int32_t first, int32_t last, const float *bias,
                                                              int32_t relu) {
    for (int32_t o = m0, height; o < m1; o += height) {
        int32_t left = m1 - o;
        height = left >= 9 || left == 5 || left == 6 ? MR : left >= 3 ? 4 : 2;
        int32_t rows = left < height ? left : height;
        const float *wo = w + (int64_t)(o - m0) / PAIR * pair, *bo = bias + (o - m0);
        float *to = y + (int64_t)(o - m0) * plane;
        if (offsets && height == MR)
            dense_tile(wo, pair, base, offsets, taps, MR, 2, to, plane, rows, count, first, last, bo, relu);
        else if (offsets && height == 4)
            dense_tile(wo, pair, base, offsets, taps, 4, 2, to, plane, rows, count, first, last, bo, relu);
        else if (offsets)
            dense_tile(wo, pair, base, offsets, taps, 2, 2, to, plane, rows, count, first, last, bo, relu);
        else if (count > 8 && height == MR)
            dense_tile(wo, pair, base, 0, taps, MR, 2, to, plane, rows, count, first, last, bo, relu);
        else if (count > 8 && height == 4)
            dense_tile(wo, pair, base, 0, taps, 4, 2, to, plane, rows, count, first, last, bo, relu);
        else if (count > 8)
            dense_tile(wo, pair, base, 0, taps, 2, 2, to, plane, rows, count, first, last, bo, relu);
        else if (height == MR)
            dense_tile(wo, pair, base, 0, taps, MR, 1, to, plane, rows, count, first, last, bo, relu);
        else if (height == 4)
            dense_tile(wo, pair, base, 0, taps, 4, 1, to, plane, rows, count, first, last, bo, relu);
        else
            dense_tile(wo, pair, base, 0, taps, 2, 1, to, plane, rows, count, first, last, bo, relu);
    }
}

typedef void tiles_fn(const float *w, int64_t pair, const float *base, const int64_t *offsets, int32_t taps, int32_t m0,
                      int32_t m1, float *y, int64_t plane, int32_t count, int32_t first, int32_t last, const float *bias,
                      int32_t relu);

static __attribute__((noinline)) void tiles_portable(const float *w, int64_t pair, const float *base, const int64_t *offsets,
                                                     int32_t taps, int32_t m0, int32_t m1, float *y, int64_t plane, int32_t count,
                                                     int32_t first, int32_t last, const float *bias, int32_t relu) {
    dense_tiles(w, pair, base, offsets, taps, m0, m1, y, plane, count, first, last, bias, relu);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static __attribute__((noinline)) void tiles_avx2(const float *w, int64_t pair, const float *base,
                                                             const int64_t *offsets, int32_t taps, int32_t m0, int32_t m1,
                                                             float *y, int64_t plane, int32_t count, int32_t first, int32_t last,
                                                             const float *bias, int32_t relu) {
    dense_tiles(w, pair, base, offsets, taps, m0, m1, y, plane, count, first, last, bias, relu);
}
#endif

/// direct_dense_* (dense.h), its tiles run by `tiles` (the clone of the same instruction set:
/// a constant once inlined, so the call is direct).
static inline __attribute__((always_inline)) void dense_rows(const float *input, const float *packed, const float *bias,
                                                             int32_t in_c, shears_window v, const int64_t *offsets,
                                                             int32_t in_place, int32_t first_out, int32_t end_out,
                                                             int32_t first_row, int32_t end_row, int32_t relu, float *scratch,
                                                             float *y, int64_t plane, tiles_fn *tiles) {
    direct_grid g = make_grid(in_c, v);
    int32_t begin = first_row * v.out_w, positions = (end_row - first_row) * v.out_w;
    direct_blocking b = make_blocking(in_c, v, positions, DENSE_NR, in_place ? IN_PLACE_KC : PACKED_KC, PANEL_FLOATS);
    int64_t rows[b.chunk];
    float *panels = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    for (int32_t n0 = 0; n0 < b.positions; n0 += b.block) {
        int32_t block = b.positions - n0 < b.block ? b.positions - n0 : b.block;
        for (int32_t k0 = 0; k0 < b.taps; k0 += b.chunk) {
            int32_t taps = b.taps - k0 < b.chunk ? b.taps - k0 : b.chunk;
            int32_t first = k0 == 0, last = k0 + taps == b.taps;
            int64_t most = chunk_rows(g, v, offsets, k0, taps, rows);
            if (!in_place) pack_panels(input, g, v, rows, taps, begin + n0, block, DENSE_NR, panels);
            for (int32_t m0 = first_out; m0 < end_out; m0 += MC) {
                int32_t m1 = end_out - m0 < MC ? end_out : m0 + MC;
                for (int32_t p0 = 0; p0 < block; p0 += DENSE_NR) {
                    int32_t count = block - p0 < DENSE_NR ? block - p0 : DENSE_NR, n = begin + n0 + p0;
                    int32_t ox = n % v.out_w;
                    int64_t grid = (int64_t)(n / v.out_w) * g.wq + ox;
                    float *panel = panels + (int64_t)p0 * taps;
                    int32_t here = in_place && panel_in_place(v, g, most, ox, grid, count);
                    if (in_place && !here && m0 == first_out) {
                        direct_run runs[DENSE_NR];
                        int32_t pieces = panel_runs(v, g, n, count, runs);
                        pack_panel(input, g, rows, taps, runs, pieces, count, DENSE_NR, panel);
                    }
                    tiles(packed + (int64_t)m0 * b.taps + (int64_t)k0 * PAIR, PAIR * b.taps, here ? input + grid : panel,
                          here ? rows : 0, taps, m0, m1, y + (m0 - first_out) * plane + n0 + p0, plane, count, first, last,
                          bias + m0, relu);
                }
            }
        }
    }
}

void direct_dense_portable(const float *input, const float *packed, const float *bias, int32_t in_c, shears_window v,
                           const int64_t *offsets, int32_t in_place, int32_t first_out, int32_t end_out, int32_t first_row,
                           int32_t end_row, int32_t relu, float *scratch, float *y, int64_t plane) {
    dense_rows(input, packed, bias, in_c, v, offsets, in_place, first_out, end_out, first_row, end_row, relu, scratch, y, plane,
               tiles_portable);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 void direct_dense_avx2(const float *input, const float *packed, const float *bias, int32_t in_c, shears_window v,
                                   const int64_t *offsets, int32_t in_place, int32_t first_out, int32_t end_out, int32_t first_row,
                                   int32_t end_row, int32_t relu, float *scratch, float *y, int64_t plane) {
    dense_rows(input, packed, bias, in_c, v, offsets, in_place, first_out, end_out, first_row, end_row, relu, scratch, y, plane,
               tiles_avx2);
}
#endif

int64_t shears_direct_scratch_size(int32_t in_c, shears_window window) {
    int64_t dense = panel_floats(in_c, window, window.out_h * window.out_w);
    direct_blocking sparse = make_blocking(in_c, window, window.out_h * window.out_w, SPARSE_NR, SPARSE_KC, SPARSE_NR);
    int64_t floats = (int64_t)SPARSE_NR * sparse.chunk + 16;  // 16: room to align the panels to 64 bytes
    return dense > floats ? dense : floats;
}

void shears_direct_conv(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                        shears_window window, int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y) {
    (void)out_c;
    int64_t offsets[window.kernel_h * window.kernel_w], plane = (int64_t)window.out_h * window.out_w;
    int32_t in_place = dense_offsets(in_c, window, offsets);
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) {
        direct_dense_avx2(input, packed, bias, in_c, window, offsets, in_place, first_out, end_out, 0, window.out_h, relu,
                          scratch, y + first_out * plane, plane);
        return;
    }
#endif
    direct_dense_portable(input, packed, bias, in_c, window, offsets, in_place, first_out, end_out, 0, window.out_h, relu,
                          scratch, y + first_out * plane, plane);
}
