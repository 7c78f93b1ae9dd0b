// direct_conv: see include/direct_conv.h. What it is: convolution as a GEMM over output
// positions without im2col, y[o][n] = Σ_k W[o][k] · input[row_k + grid(n)], where k = (c·kh + i)
// ·kw + j is a tap, row_k = c·channel_stride + offset(i, j) its constant offset in the input grid
// (x itself, or the padded phase-split source) and grid(n) = oy·wq + ox the grid index of the
// output position n = oy·out_w + ox. Positions are the vector lanes, so stores land in NCHW rows
// and the bias and ReLU are applied in registers. What it is not: a general GEMM, a grouped,
// depthwise or batched conv, a Winograd or FFT one; every multiply-add of the dense conv (or of
// the nonzeros) is done in float, so results match a naive loop up to rounding.
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
//
// Fused conv + max pool (`conv_max_pool_*`): the conv output of the channels (or of groups of
// them where one conv row of all does not fit) is computed a band of rows at a time into
// scratch (`pool_plan`: the band and a ring of column-pooled rows within 256 KiB, in L2); each
// conv row is reduced over the pool's column taps into the ring (`pool_columns`; at stride 2
// with taps at 2·px − 1 ... 2·px + 1, the stem's 3x3/2 pad 1, in registers: `pool_pairs`), and
// each pooled row, once its last conv row is in, over its row taps from the ring into y
// (`pool_rows`). Columns first, then rows, keeps shears_max_pool's row-major tap order (the
// first of equal maxima, the last NaN), so y is bitwise the unfused conv + pool's (as for the
// stem), but where a block of positions ends in a panel of 8 or fewer in one of the two and
// not in the other (its taps are summed in another order: within rounding).
//
// Sparse kernel: for each chunk of up to 2048 taps, for each panel of 32 consecutive grid
// positions (one contiguous copy per tap, `pack_panel`; lanes on grid columns past out_w are
// computed and dropped), for each output channel, its nonzeros in the chunk times the panel
// rows they name, in two sets of four sums (alternate nonzeros, to cover the FMA latency).
// Reading 128 bytes of panel per nonzero, from L2 for big K, bounds it; see the header for the
// crossover against the dense kernel.
//
// Copies move eight floats at a time and may run past a run's end into lanes written later (or
// never read); reads stay inside the input (`direct_grid.size`, which covers the source's
// slack), falling back to float by float at its end.

#include "direct_conv.h"
#include "multiversion.h"

#include <math.h>
#include <string.h>

enum {
    MR = 6,                            // most output channels per dense tile
    PAIR = SHEARS_DIRECT_TILE_CHANNELS,  // output channels per block of packed weights
    DENSE_NR = 16,                     // positions per dense panel (two vectors)
    SPARSE_NR = 32,                    // positions per sparse panel (four vectors)
    IN_PLACE_KC = 320,                 // most taps per dense chunk read in place
    PACKED_KC = 384,                   // most taps per packed dense chunk (24 KiB panel)
    PANEL_FLOATS = 1 << 16,            // most floats of one chunk's dense panels (256 KiB)
    MC = 128,                          // output channels per channel block of the dense kernel
    DIRECT_ROWS = 96,                  // most grid rows a dense chunk reads in place
    DIRECT_PLANES = 1 << 16,           // most floats of planes a pointwise chunk reads in place
    SPARSE_KC = 2048,                  // most taps per sparse chunk (256 KiB panel)
    SLACK = 16,                        // zero floats after the source
    BAND_ROWS = 8,                     // most conv rows per band of the fused conv + max pool
    BAND_FLOATS = 1 << 16,             // most floats of its band and ring (256 KiB, in L2)
};

/// Where the taps read: rows of `wq` floats, `phases_h` x `phases_w` phases of `hq` rows per
/// channel, channels `channel_stride` floats apart, `size` floats readable; `direct` when it is
/// x itself.
typedef struct {
    int32_t direct, hq, wq, phases_h, phases_w;
    int64_t channel_stride, size;
} direct_grid;

/// Whether some tap t < kernel reads phase `phase`: (t·dilation) % stride == phase (the phases
/// repeat within the first `stride` taps).
static inline __attribute__((always_inline)) int32_t phase_used(int32_t phase, int32_t stride, int32_t kernel, int32_t dilation) {
    int32_t used = 0;
    for (int32_t t = 0; t < kernel && t < stride; t++) used |= t * dilation % stride == phase;
    return used;
}

/// How many phases below `phase` some tap reads (`phase` = stride: all of them).
static inline __attribute__((always_inline)) int32_t phase_rank(int32_t phase, int32_t stride, int32_t kernel, int32_t dilation) {
    int32_t rank = 0;
    for (int32_t p = 0; p < phase; p++) rank += phase_used(p, stride, kernel, dilation);
    return rank;
}

static inline __attribute__((always_inline)) direct_grid make_grid(int32_t channels, shears_window v) {
    direct_grid g;
    g.direct = v.stride_h == 1 && v.stride_w == 1 && v.pad_h == 0 && v.pad_w == 0 &&
               v.out_h - 1 + (v.kernel_h - 1) * v.dilation_h < v.in_h && v.out_w - 1 + (v.kernel_w - 1) * v.dilation_w < v.in_w;
    g.phases_h = phase_rank(v.stride_h, v.stride_h, v.kernel_h, v.dilation_h);
    g.phases_w = phase_rank(v.stride_w, v.stride_w, v.kernel_w, v.dilation_w);
    if (g.direct) {
        g.hq = v.in_h;
        g.wq = v.in_w;
        g.channel_stride = (int64_t)v.in_h * v.in_w;
        g.size = channels * g.channel_stride;
    } else {
        int32_t hp = (v.out_h - 1) * v.stride_h + (v.kernel_h - 1) * v.dilation_h + 1;
        int32_t wp = (v.out_w - 1) * v.stride_w + (v.kernel_w - 1) * v.dilation_w + 1;
        g.hq = (hp + v.stride_h - 1) / v.stride_h;
        g.wq = (wp + v.stride_w - 1) / v.stride_w;
        g.channel_stride = (int64_t)g.phases_h * g.phases_w * g.hq * g.wq;
        g.size = channels * g.channel_stride + SLACK;
    }
    return g;
}

/// offsets[i·kw + j]: where tap (i, j) of channel 0 reads for grid position 0 — phase
/// ((i·dh) % sh, (j·dw) % sw), row (i·dh) / sh, column (j·dw) / sw (in x itself at stride 1).
static inline __attribute__((always_inline)) void tap_offsets(direct_grid g, shears_window v, int64_t *offsets) {
    for (int32_t i = 0; i < v.kernel_h; i++) {
        for (int32_t j = 0; j < v.kernel_w; j++) {
            int32_t ry = i * v.dilation_h, rx = j * v.dilation_w;
            int64_t phase = (int64_t)phase_rank(ry % v.stride_h, v.stride_h, v.kernel_h, v.dilation_h) * g.phases_w +
                            phase_rank(rx % v.stride_w, v.stride_w, v.kernel_w, v.dilation_w);
            offsets[i * v.kernel_w + j] = phase * g.hq * g.wq + (int64_t)(ry / v.stride_h) * g.wq + rx / v.stride_w;
        }
    }
}

/// How one call walks its taps and positions: `chunks` chunks of at most `chunk` taps (the
/// `taps` split evenly), and blocks of at most `block` of the `positions` (a multiple of the
/// panel width `nr`, at most `most`: the chunk's panels at most `panel_floats`; the positions
/// split evenly).
typedef struct {
    int32_t taps, positions, chunk, chunks, most, block;
} direct_blocking;

static inline __attribute__((always_inline)) direct_blocking make_blocking(int32_t in_c, shears_window v, int32_t positions, int32_t nr,
                                                                           int32_t kc, int32_t panel_floats) {
    direct_blocking b;
    b.taps = in_c * v.kernel_h * v.kernel_w;
    b.positions = positions;
    b.chunks = (b.taps + kc - 1) / kc;
    b.chunk = (b.taps + b.chunks - 1) / b.chunks;
    b.most = panel_floats / b.chunk / nr * nr;
    if (b.most < nr) b.most = nr;
    int32_t blocks = (b.positions + b.most - 1) / b.most;
    int32_t even = blocks > 0 ? (b.positions + blocks - 1) / blocks : 0;
    b.block = (even + nr - 1) / nr * nr;
    return b;
}

/// Floats of the dense kernel's panels (and room to align them) for blocks of at most
/// `positions`.
static inline __attribute__((always_inline)) int64_t panel_floats(int32_t in_c, shears_window v, int32_t positions) {
    int64_t most = 0;
    int32_t whole = (positions + DENSE_NR - 1) / DENSE_NR * DENSE_NR;
    for (int32_t packed = 0; packed < 2; packed++) {
        direct_blocking b = make_blocking(in_c, v, positions, DENSE_NR, packed ? PACKED_KC : IN_PLACE_KC, PANEL_FLOATS);
        int64_t floats = (int64_t)(b.most < whole ? b.most : whole) * b.chunk;
        if (floats > most) most = floats;
    }
    return most + 16;
}

/// The same for the bands of the fused conv + max pool.
static inline __attribute__((always_inline)) int64_t band_panel_floats(int32_t in_c, shears_window conv) {
    return panel_floats(in_c, conv, BAND_ROWS * conv.out_w);
}

/// Whether the dense kernel reads full panels in place rather than packing them. A chunk of
/// `chunk` taps reads rows x channels grid rows (rows: the distinct ones among a channel's
/// taps), each about two cache lines (reads are unaligned) and a page. In place when some
/// panel can lie on one grid row, the chunk reads at most DIRECT_ROWS rows, and either taps
/// share rows (packing would copy each row that often) or the chunk's planes stay in L2
/// (otherwise the rows miss it one panel at a time, where packing sweeps each once).
static inline __attribute__((always_inline)) int32_t reads_in_place(direct_grid g, shears_window v, const int64_t *offsets, int32_t chunk) {
    int32_t per_channel = v.kernel_h * v.kernel_w, rows = 0, channels = (chunk + per_channel - 1) / per_channel;
    if (v.out_w < DENSE_NR && g.wq != v.out_w) return 0;
    for (int32_t t = 0; t < per_channel; t++) {
        int32_t seen = 0;
        for (int32_t u = 0; u < t; u++) seen |= offsets[u] / g.wq == offsets[t] / g.wq;
        rows += !seen;
    }
    return rows * channels <= DIRECT_ROWS && (rows < per_channel || channels * g.channel_stride <= DIRECT_PLANES);
}

/// Fills offsets (tap_offsets, kh·kw of them) and says whether the dense kernel reads the
/// conv's panels in place (reads_in_place).
static inline __attribute__((always_inline)) int32_t dense_offsets(int32_t in_c, shears_window v, int64_t *offsets) {
    direct_grid g = make_grid(in_c, v);
    tap_offsets(g, v, offsets);
    return reads_in_place(g, v, offsets, make_blocking(in_c, v, 0, DENSE_NR, IN_PLACE_KC, PANEL_FLOATS).chunk);
}

/// The input offsets of taps [first_tap, first_tap + taps): rows[t] = c·channel_stride +
/// offsets[i·kw + j] for tap first_tap + t = (c·kh + i)·kw + j; returns the largest.
static inline __attribute__((always_inline)) int64_t chunk_rows(direct_grid g, shears_window v, const int64_t *offsets, int32_t first_tap,
                                                                int32_t taps, int64_t *rows) {
    int32_t per_channel = v.kernel_h * v.kernel_w, c = first_tap / per_channel, t = first_tap % per_channel;
    int64_t most = 0;
    for (int32_t k = 0; k < taps; k++) {
        rows[k] = c * g.channel_stride + offsets[t];
        if (rows[k] > most) most = rows[k];
        if (++t == per_channel) { t = 0; c++; }
    }
    return most;
}

/// Whether the dense panel of `count` positions from output column `ox`, grid index `grid`,
/// is read in place: full, on one grid row (or on rows that follow each other, wq = out_w),
/// and readable to its end by every tap (`most`: the chunk's largest tap offset).
static inline __attribute__((always_inline)) int32_t panel_in_place(shears_window v, direct_grid g, int64_t most, int32_t ox, int64_t grid,
                                                                    int32_t count) {
    return count == DENSE_NR && (ox + DENSE_NR <= v.out_w || g.wq == v.out_w) && most + grid + DENSE_NR <= g.size;
}

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

/// The runs of output positions [first, first + count): one per output row, fewer when grid
/// rows follow each other (wq = out_w); returns how many (at most count).
static inline __attribute__((always_inline)) int32_t panel_runs(shears_window v, direct_grid g, int32_t first, int32_t count, direct_run *runs) {
    int32_t oy = first / v.out_w, ox = first % v.out_w, lane = 0, n = 0;
    while (lane < count) {
        int32_t length = v.out_w - ox < count - lane ? v.out_w - ox : count - lane;
        int64_t grid = (int64_t)oy * g.wq + ox;
        if (n > 0 && runs[n - 1].grid + runs[n - 1].length == grid) {
            runs[n - 1].length += length;
        } else {
            runs[n] = (direct_run){lane, length, grid};
            n++;
        }
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
        int64_t index = (int64_t)oy * v.out_w + ox;
        if (outputs > 0 && n > 0 && runs[n - 1].lane + runs[n - 1].length == lane && runs[n - 1].grid + runs[n - 1].length == index) {
            runs[n - 1].length += outputs;
        } else if (outputs > 0) {
            runs[n] = (direct_run){lane, outputs, index};
            n++;
        }
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

/// The sparse kernel's store: *value += `old` unless `first`; when `last`, += the bias and
/// through the ReLU (max(v, 0), NaN kept).
static inline __attribute__((always_inline)) void finish(v8f *value, const v8f *old, int32_t first, int32_t last, float bias, int32_t relu) {
    if (!first) *value += *old;
    if (last) {
        *value += bias;
        if (relu) *value = (v8f)(~(v8i)(*value < 0) & (v8i)*value);
    }
}

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

/// The sparse tile: sum[u] = Σ over the nonzeros (tap, value) = (columns[e], values[e]), e in
/// [begin, end), of value · panel[(tap − first_tap)·SPARSE_NR + 8·u ...], u < vectors.
static inline __attribute__((always_inline)) void sparse_tile(const float *panel, int32_t first_tap, const int32_t *columns,
                                                              const float *values, int32_t begin, int32_t end, int32_t vectors,
                                                              v8f *sum) {
    // Even and odd nonzeros go to two sets of sums: one set alone would wait on the FMA latency.
    v8f even[SPARSE_NR / 8] = {0}, odd[SPARSE_NR / 8] = {0};
    int32_t e = begin;
    for (; e + 2 <= end; e += 2) {
        const float *a = panel + (int64_t)(columns[e] - first_tap) * SPARSE_NR;
        const float *b = panel + (int64_t)(columns[e + 1] - first_tap) * SPARSE_NR;
        float wa = values[e], wb = values[e + 1];
        for (int32_t u = 0; u < vectors; u++) {
            v8f xa, xb;
            memcpy(&xa, a + 8 * u, sizeof xa);
            memcpy(&xb, b + 8 * u, sizeof xb);
            even[u] += wa * xa;
            odd[u] += wb * xb;
        }
    }
    if (e < end) {
        const float *a = panel + (int64_t)(columns[e] - first_tap) * SPARSE_NR;
        for (int32_t u = 0; u < vectors; u++) {
            v8f xa;
            memcpy(&xa, a + 8 * u, sizeof xa);
            even[u] += values[e] * xa;
        }
    }
    for (int32_t u = 0; u < vectors; u++) sum[u] = even[u] + odd[u];
}

/// How the fused conv + max pool holds one sample's conv output: bands of at most `rows` conv
/// rows of `channels` channels at a time ([channels][rows][conv width] floats), each row, once
/// computed, reduced over the pool's columns into a ring of `ring` rows of `wide` floats per
/// channel (the pooled columns rounded up to 8), from which every pooled row reduces its conv
/// rows. `pool_pairs` does the columns where `pairs`; elsewhere a line of `phase` floats per
/// stride phase holds the conv row padded with −inf and split into the pool's column phases
/// (window_planes.c's padded row), so that every column tap reads eight contiguous floats.
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
    // Row column ix goes to padded column X = ix + pw: phase X % sw, index X / sw.
    int32_t ix = pool.pad_w < 0 ? -pool.pad_w : 0, end = length - pool.pad_w < width ? length - pool.pad_w : width;
    if (sw == 1) {
        if (ix < end) memcpy(line + ix + pool.pad_w, row + ix, sizeof(float) * (size_t)(end - ix));
    } else if (sw == 2) {
        if ((ix + pool.pad_w) & 1 && ix < end) { line[p.phase + ((ix + pool.pad_w) >> 1)] = row[ix]; ix++; }
        float *even = line + ((ix + pool.pad_w) >> 1), *odd = even + p.phase;
        for (; ix + 16 <= end; ix += 16, even += 8, odd += 8) {
            v8f a, b;
            memcpy(&a, row + ix, sizeof a);
            memcpy(&b, row + ix + 8, sizeof b);
            v8f e = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14), o = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
            memcpy(even, &e, sizeof e);
            memcpy(odd, &o, sizeof o);
        }
        for (int32_t k = 0; ix < end; ix++, k++) (k & 1 ? odd : even)[k >> 1] = row[ix];
    } else {
        for (; ix < end; ix++) line[(ix + pool.pad_w) % sw * p.phase + (ix + pool.pad_w) / sw] = row[ix];
    }
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

/// y[px] for px < pool.out_w: the max over `count` column-reduced conv rows at `rows[i]`.
static inline __attribute__((always_inline)) void pool_rows(const float *const *rows, int32_t count, int32_t width, float *y) {
    for (int32_t q = 0; q < width; q += 8) {
        v8f best = (v8f){0} - INFINITY, value;
        if (count) memcpy(&best, rows[0] + q, sizeof best);
        for (int32_t i = 1; i < count; i++) {
            memcpy(&value, rows[i] + q, sizeof value);
            max_tap(&best, &value);
        }
        if (width - q >= 8)
            memcpy(y + q, &best, sizeof best);
        else
            for (int32_t l = 0; l < width - q; l++) y[q + l] = best[l];
    }
}

#define SHEARS_DIRECT(SUFFIX, ATTRIBUTE)                                                                          \
    /* The tiles of output channels [m0, m1) over one panel of `count` positions (dense_tile): 6                 \
       channels at a time, what is left as 4 + 4, 4 or 2 (rows past m1 computed, not stored), read               \
       in place from base + offsets[t] or from the packed panel at base (`offsets` NULL), stored at              \
       y, channels `plane` floats apart. Not inlined, so that its registers are allocated apart from             \
       the loops around it; each case has constant height, vectors and place, so that its sums stay              \
       in registers. */                                                                                          \
    ATTRIBUTE static __attribute__((noinline)) void tiles_##SUFFIX(const float *w, int64_t pair, const float *base, \
                                                                   const int64_t *offsets, int32_t taps, int32_t m0, int32_t m1, \
                                                                   float *y, int64_t plane, int32_t count, int32_t first, \
                                                                   int32_t last, const float *bias, int32_t relu) { \
        for (int32_t o = m0, height; o < m1; o += height) {                                                      \
            int32_t left = m1 - o;                                                                               \
            height = left >= 9 || left == 5 || left == 6 ? MR : left >= 3 ? 4 : 2;                               \
            int32_t rows = left < height ? left : height;                                                        \
            const float *wo = w + (int64_t)(o - m0) / PAIR * pair, *bo = bias + (o - m0);                        \
            float *to = y + (int64_t)(o - m0) * plane;                                                           \
            if (offsets && height == MR)                                                                         \
                dense_tile(wo, pair, base, offsets, taps, MR, 2, to, plane, rows, count, first, last, bo, relu); \
            else if (offsets && height == 4)                                                                     \
                dense_tile(wo, pair, base, offsets, taps, 4, 2, to, plane, rows, count, first, last, bo, relu);  \
            else if (offsets)                                                                                    \
                dense_tile(wo, pair, base, offsets, taps, 2, 2, to, plane, rows, count, first, last, bo, relu);  \
            else if (count > 8 && height == MR)                                                                  \
                dense_tile(wo, pair, base, 0, taps, MR, 2, to, plane, rows, count, first, last, bo, relu);       \
            else if (count > 8 && height == 4)                                                                   \
                dense_tile(wo, pair, base, 0, taps, 4, 2, to, plane, rows, count, first, last, bo, relu);        \
            else if (count > 8)                                                                                  \
                dense_tile(wo, pair, base, 0, taps, 2, 2, to, plane, rows, count, first, last, bo, relu);        \
            else if (height == MR)                                                                               \
                dense_tile(wo, pair, base, 0, taps, MR, 1, to, plane, rows, count, first, last, bo, relu);       \
            else if (height == 4)                                                                                \
                dense_tile(wo, pair, base, 0, taps, 4, 1, to, plane, rows, count, first, last, bo, relu);        \
            else                                                                                                 \
                dense_tile(wo, pair, base, 0, taps, 2, 1, to, plane, rows, count, first, last, bo, relu);        \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    ATTRIBUTE static void source_##SUFFIX(const float *x, int32_t channels, shears_window v, float *source) {   \
        direct_grid g = make_grid(channels, v);                                                                  \
        int32_t sh = v.stride_h, sw = v.stride_w;                                                                \
        float *phase = source;                                                                                   \
        for (int32_t c = 0; c < channels; c++) {                                                                 \
            const float *plane = x + (int64_t)c * v.in_h * v.in_w;                                               \
            for (int32_t a = 0; a < sh; a++) {                                                                   \
                if (!phase_used(a, sh, v.kernel_h, v.dilation_h)) continue;                                      \
                for (int32_t b = 0; b < sw; b++) {                                                               \
                    if (!phase_used(b, sw, v.kernel_w, v.dilation_w)) continue;                                  \
                    /* Columns q with 0 <= q·sw + b − pw < in_w. */                                              \
                    int32_t shift = b - v.pad_w, lo = -shift > 0 ? (-shift + sw - 1) / sw : 0;                   \
                    int32_t hi = v.in_w - 1 - shift < 0 ? 0 : (v.in_w - 1 - shift) / sw + 1;                     \
                    if (hi > g.wq) hi = g.wq;                                                                    \
                    if (lo > hi) lo = hi;                                                                        \
                    for (int32_t r = 0; r < g.hq; r++, phase += g.wq) {                                          \
                        int32_t iy = r * sh + a - v.pad_h, q = 0;                                                \
                        if (iy < 0 || iy >= v.in_h) {                                                            \
                            for (; q < g.wq; q++) phase[q] = 0;                                                  \
                            continue;                                                                            \
                        }                                                                                        \
                        const float *line = plane + (int64_t)iy * v.in_w;                                        \
                        for (; q < lo; q++) phase[q] = 0;                                                        \
                        if (sw == 1) {                                                                           \
                            memcpy(phase + lo, line + lo + shift, sizeof(float) * (size_t)(hi - lo));            \
                            q = hi;                                                                              \
                        } else if (sw == 2) {                                                                    \
                            for (; q + 8 <= hi && 2 * q + shift + 16 <= v.in_w; q += 8) {                        \
                                v8f even, odd;                                                                   \
                                memcpy(&even, line + 2 * q + shift, sizeof even);                                \
                                memcpy(&odd, line + 2 * q + shift + 8, sizeof odd);                              \
                                v8f value = __builtin_shufflevector(even, odd, 0, 2, 4, 6, 8, 10, 12, 14);       \
                                memcpy(phase + q, &value, sizeof value);                                         \
                            }                                                                                    \
                        }                                                                                        \
                        for (; q < hi; q++) phase[q] = line[q * sw + shift];                                     \
                        for (; q < g.wq; q++) phase[q] = 0;                                                      \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
        memset(phase, 0, sizeof(float) * SLACK);                                                                 \
    }                                                                                                            \
                                                                                                                 \
    /* Output rows [first_row, end_row) of channels [first_out, end_out), the taps at `offsets` read             \
       in place or not as `dense_offsets` says: y is where channel first_out's row first_row starts,             \
       channels `plane` floats apart. */                                                                         \
    ATTRIBUTE static void dense_##SUFFIX(const float *input, const float *packed, const float *bias, int32_t in_c, \
                                         shears_window v, const int64_t *offsets, int32_t in_place, int32_t first_out, \
                                         int32_t end_out, int32_t first_row, int32_t end_row, int32_t relu, float *scratch, \
                                         float *y, int64_t plane) {                                              \
        direct_grid g = make_grid(in_c, v);                                                                      \
        int32_t begin = first_row * v.out_w, positions = (end_row - first_row) * v.out_w;                        \
        direct_blocking b = make_blocking(in_c, v, positions, DENSE_NR, in_place ? IN_PLACE_KC : PACKED_KC,      \
                                          PANEL_FLOATS);                                                         \
        int64_t rows[b.chunk];                                                                                   \
        float *panels = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);                                   \
        for (int32_t n0 = 0; n0 < b.positions; n0 += b.block) {                                                  \
            int32_t block = b.positions - n0 < b.block ? b.positions - n0 : b.block;                             \
            for (int32_t k0 = 0; k0 < b.taps; k0 += b.chunk) {                                                   \
                int32_t taps = b.taps - k0 < b.chunk ? b.taps - k0 : b.chunk;                                    \
                int32_t first = k0 == 0, last = k0 + taps == b.taps;                                             \
                int64_t most = chunk_rows(g, v, offsets, k0, taps, rows);                                        \
                if (!in_place) pack_panels(input, g, v, rows, taps, begin + n0, block, DENSE_NR, panels);        \
                for (int32_t m0 = first_out; m0 < end_out; m0 += MC) {                                           \
                    int32_t m1 = end_out - m0 < MC ? end_out : m0 + MC;                                          \
                    for (int32_t p0 = 0; p0 < block; p0 += DENSE_NR) {                                           \
                        int32_t count = block - p0 < DENSE_NR ? block - p0 : DENSE_NR, n = begin + n0 + p0;      \
                        int32_t ox = n % v.out_w;                                                                \
                        int64_t grid = (int64_t)(n / v.out_w) * g.wq + ox;                                       \
                        float *panel = panels + (int64_t)p0 * taps;                                              \
                        int32_t here = in_place && panel_in_place(v, g, most, ox, grid, count);                  \
                        if (in_place && !here && m0 == first_out) {                                              \
                            direct_run runs[DENSE_NR];                                                           \
                            int32_t pieces = panel_runs(v, g, n, count, runs);                                   \
                            pack_panel(input, g, rows, taps, runs, pieces, count, DENSE_NR, panel);              \
                        }                                                                                        \
                        tiles_##SUFFIX(packed + (int64_t)m0 * b.taps + (int64_t)k0 * PAIR, PAIR * b.taps,        \
                                       here ? input + grid : panel, here ? rows : 0, taps, m0, m1,               \
                                       y + (m0 - first_out) * plane + n0 + p0, plane, count, first, last, bias + m0, relu); \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    ATTRIBUTE static void sparse_##SUFFIX(const float *input, const int32_t *row_start, const int32_t *columns,  \
                                          const float *values, const float *bias, int32_t in_c, shears_window v, \
                                          int32_t first_out, int32_t end_out, int32_t relu, float *scratch,       \
                                          float *y) {                                                            \
        direct_grid g = make_grid(in_c, v);                                                                      \
        direct_blocking b = make_blocking(in_c, v, v.out_h * v.out_w, SPARSE_NR, SPARSE_KC, SPARSE_NR);          \
        int64_t offsets[v.kernel_h * v.kernel_w], rows[b.chunk];                                                 \
        tap_offsets(g, v, offsets);                                                                              \
        float *panel = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);                                    \
        int32_t outputs = end_out - first_out;                                                                   \
        int32_t begin[outputs > 0 ? outputs : 1], end[outputs > 0 ? outputs : 1];                               \
        for (int32_t o = 0; o < outputs; o++) end[o] = row_start[first_out + o];                                 \
        int64_t span = (int64_t)(v.out_h - 1) * g.wq + v.out_w;  /* grid positions up to the last output */     \
        for (int32_t k0 = 0; k0 < b.taps; k0 += b.chunk) {                                                       \
            int32_t taps = b.taps - k0 < b.chunk ? b.taps - k0 : b.chunk;                                        \
            int32_t first = k0 == 0, last = k0 + taps == b.taps;                                                 \
            for (int32_t o = 0; o < outputs; o++) {  /* the chunk's nonzeros of each row */                      \
                int32_t e = end[o], stop = row_start[first_out + o + 1];                                         \
                begin[o] = e;                                                                                    \
                while (e < stop && columns[e] < k0 + taps) e++;                                                  \
                end[o] = e;                                                                                      \
            }                                                                                                    \
            chunk_rows(g, v, offsets, k0, taps, rows);                                                           \
            for (int64_t p0 = 0; p0 < span; p0 += SPARSE_NR) {                                                   \
                int32_t count = span - p0 < SPARSE_NR ? (int32_t)(span - p0) : SPARSE_NR, vectors = (count + 7) / 8; \
                direct_run run = {0, count, p0}, stores[SPARSE_NR];                                              \
                pack_panel(input, g, rows, taps, &run, 1, count, SPARSE_NR, panel);                              \
                int32_t n = output_runs(v, g, p0, count, stores);                                                \
                for (int32_t o = 0; o < outputs; o++) {                                                          \
                    v8f sum[SPARSE_NR / 8];                                                                      \
                    switch (vectors) {                                                                           \
                    case 4: sparse_tile(panel, k0, columns, values, begin[o], end[o], 4, sum); break;            \
                    case 3: sparse_tile(panel, k0, columns, values, begin[o], end[o], 3, sum); break;            \
                    case 2: sparse_tile(panel, k0, columns, values, begin[o], end[o], 2, sum); break;            \
                    default: sparse_tile(panel, k0, columns, values, begin[o], end[o], 1, sum); break;           \
                    }                                                                                            \
                    float *plane = y + (int64_t)(first_out + o) * b.positions, lanes[SPARSE_NR];                 \
                    v8f old[SPARSE_NR / 8] = {0};                                                                \
                    if (!first) {  /* the sums of earlier chunks */                                              \
                        float held[SPARSE_NR] = {0};                                                             \
                        for (int32_t r = 0; r < n; r++) copy_run(held + stores[r].lane, plane + stores[r].grid, stores[r].length); \
                        memcpy(old, held, sizeof held);                                                          \
                    }                                                                                            \
                    for (int32_t u = 0; u < vectors; u++) {                                                      \
                        finish(&sum[u], &old[u], first, last, bias[first_out + o], relu);                        \
                        memcpy(lanes + 8 * u, &sum[u], sizeof(v8f));                                             \
                    }                                                                                            \
                    for (int32_t r = 0; r < n; r++) copy_run(plane + stores[r].grid, lanes + stores[r].lane, stores[r].length); \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }                                                                                                            \
                                                                                                                 \
    /* Conv rows band by band into scratch; each row, once computed, reduced over the pool's                     \
       columns into the ring; each pooled row, once the last conv row it reads is computed,                      \
       reduced over its rows from the ring into y. */                                                            \
    ATTRIBUTE static void conv_max_pool_##SUFFIX(const float *input, const float *packed, const float *bias, int32_t in_c, \
                                                 shears_window conv, shears_window pool, int32_t first_out, int32_t end_out, \
                                                 int32_t relu, float *scratch, float *y) {                       \
        pool_plan p = make_pool_plan(conv, pool, end_out - first_out);                                           \
        int64_t offsets[conv.kernel_h * conv.kernel_w];                                                          \
        int32_t in_place = dense_offsets(in_c, conv, offsets);                                                   \
        int64_t columns[pool.kernel_w];                                                                          \
        for (int32_t j = 0; j < pool.kernel_w; j++)                                                              \
            columns[j] = (int64_t)(j * pool.dilation_w % pool.stride_w) * p.phase + j * pool.dilation_w / pool.stride_w; \
        int32_t width = conv.out_w, height = conv.out_h, kh = pool.kernel_h, dh = pool.dilation_h;               \
        int64_t plane = (int64_t)p.rows * width, ring_plane = (int64_t)p.ring * p.wide;                          \
        int64_t pooled = (int64_t)pool.out_h * pool.out_w;                                                       \
        float *band = (float *)(((uintptr_t)(scratch + band_panel_floats(in_c, conv)) + 63) & ~(uintptr_t)63);   \
        float *ring = (float *)(((uintptr_t)(band + p.channels * plane) + 63) & ~(uintptr_t)63);                 \
        float *line = (float *)(((uintptr_t)(ring + p.channels * ring_plane) + 63) & ~(uintptr_t)63);            \
        /* The conv rows some pooled row reads: [0, needed). */                                                  \
        int32_t needed = (pool.out_h - 1) * pool.stride_h - pool.pad_h + (kh - 1) * dh + 1;                      \
        if (needed > height) needed = height;                                                                    \
        for (int32_t c0 = first_out; c0 < end_out; c0 += p.channels) {                                           \
            int32_t c1 = end_out - c0 < p.channels ? end_out : c0 + p.channels, py = 0;                          \
            for (int32_t r0 = 0; py < pool.out_h; r0 += p.rows) {                                                \
                /* This band's conv rows [r0, r1); then pooled rows [py, ready), whose last conv row is in       \
                   by then (all of them after the last band), their lines of y fetched during the band. */       \
                int32_t r1 = needed - r0 < p.rows ? needed : r0 + p.rows, ready = py;                            \
                while (ready < pool.out_h && (r1 == needed || ready * pool.stride_h - pool.pad_h + (kh - 1) * dh < r1)) ready++; \
                for (int32_t c = c0; c < c1; c++)                                                                \
                    for (int64_t f = (int64_t)py * pool.out_w; f < (int64_t)ready * pool.out_w; f += 16)         \
                        __builtin_prefetch(y + c * pooled + f, 1);                                               \
                if (r0 < r1) {                                                                                   \
                    dense_##SUFFIX(input, packed, bias, in_c, conv, offsets, in_place, c0, c1, r0, r1, relu, scratch, band, \
                                   plane);                                                                       \
                    for (int32_t c = 0; c < c1 - c0; c++)                                                        \
                        for (int32_t r = r0; r < r1; r++)                                                        \
                            pool_columns(band + c * plane + (int64_t)(r - r0) * width, width, pool, p, columns, line, \
                                         ring + c * ring_plane + (int64_t)(r % p.ring) * p.wide);                \
                }                                                                                                \
                for (; py < ready; py++) {                                                                       \
                    int32_t top = py * pool.stride_h - pool.pad_h, count = 0;                                    \
                    const float *rows[kh];                                                                       \
                    for (int32_t i = 0; i < kh; i++) {                                                           \
                        int32_t r = top + i * dh;                                                                \
                        if (r >= 0 && r < height) rows[count++] = ring + (int64_t)(r % p.ring) * p.wide;         \
                    }                                                                                            \
                    float *to = y + c0 * pooled + (int64_t)py * pool.out_w;                                      \
                    for (int32_t c = c0; c < c1; c++, to += pooled) {                                            \
                        pool_rows(rows, count, pool.out_w, to);                                                  \
                        for (int32_t i = 0; i < count; i++) rows[i] += ring_plane;                               \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

SHEARS_DIRECT(portable, )
#if SHEARS_MULTIVERSION
SHEARS_DIRECT(avx2, SHEARS_AVX2)
#endif

int64_t shears_direct_source_size(int32_t channels, shears_window window) {
    direct_grid g = make_grid(channels, window);
    return g.direct ? 0 : g.size;
}

void shears_direct_source(const float *x, int32_t channels, shears_window window, float *source) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { source_avx2(x, channels, window, source); return; }
#endif
    source_portable(x, channels, window, source);
}

int64_t shears_direct_packed_size(int32_t out_c, int32_t in_c, shears_window window) {
    return (int64_t)(out_c + PAIR - 1) / PAIR * PAIR * in_c * window.kernel_h * window.kernel_w;
}

void shears_direct_pack(const float *w, int32_t out_c, int32_t in_c, shears_window window, float *packed) {
    int64_t taps = (int64_t)in_c * window.kernel_h * window.kernel_w;
    for (int32_t o0 = 0; o0 < out_c; o0 += PAIR) {
        float *block = packed + o0 * taps;
        for (int64_t k = 0; k < taps; k++)
            for (int32_t r = 0; r < PAIR; r++) block[k * PAIR + r] = o0 + r < out_c ? w[(o0 + r) * taps + k] : 0;
    }
}

int64_t shears_direct_scratch_size(int32_t in_c, shears_window window) {
    int64_t dense = panel_floats(in_c, window, window.out_h * window.out_w);
    direct_blocking sparse = make_blocking(in_c, window, window.out_h * window.out_w, SPARSE_NR, SPARSE_KC, SPARSE_NR);
    int64_t floats = (int64_t)SPARSE_NR * sparse.chunk + 16;  // 16: room to align the panels to 64 bytes
    return dense > floats ? dense : floats;
}

int64_t shears_direct_conv_max_pool_scratch_size(int32_t in_c, shears_window conv, shears_window pool) {
    return band_panel_floats(in_c, conv) + pool_plan_floats(conv, pool);
}

void shears_direct_conv(const float *input, const float *packed, const float *bias, int32_t out_c, int32_t in_c,
                        shears_window window, int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y) {
    (void)out_c;
    int64_t offsets[window.kernel_h * window.kernel_w], plane = (int64_t)window.out_h * window.out_w;
    int32_t in_place = dense_offsets(in_c, window, offsets);
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) {
        dense_avx2(input, packed, bias, in_c, window, offsets, in_place, first_out, end_out, 0, window.out_h, relu, scratch,
                   y + first_out * plane, plane);
        return;
    }
#endif
    dense_portable(input, packed, bias, in_c, window, offsets, in_place, first_out, end_out, 0, window.out_h, relu, scratch,
                   y + first_out * plane, plane);
}

void shears_direct_sparse_conv(const float *input, const int32_t *row_start, const int32_t *columns, const float *values,
                               const float *bias, int32_t out_c, int32_t in_c, shears_window window,
                               int32_t first_out, int32_t end_out, int32_t relu, float *scratch, float *y) {
    (void)out_c;
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { sparse_avx2(input, row_start, columns, values, bias, in_c, window, first_out, end_out, relu, scratch, y); return; }
#endif
    sparse_portable(input, row_start, columns, values, bias, in_c, window, first_out, end_out, relu, scratch, y);
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
