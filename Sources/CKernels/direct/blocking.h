// blocking: the direct kernels' tuning constants and how a call walks its taps and positions
// (chunks of taps, blocks and panels of positions), and whether the dense kernel reads its
// panels in place or packs them.
//
// The direct kernels (include/direct_conv.h): convolution as a GEMM over output positions
// without im2col, y[o][n] = Σ_k W[o][k] · input[row_k + grid(n)], where k = (c·kh + i)·kw + j is
// a tap, row_k = c·channel_stride + offset(i, j) its constant offset in the input grid (x
// itself, or the padded phase-split source: grid.h) and grid(n) = oy·wq + ox the grid index of
// the output position n = oy·out_w + ox. Positions are the vector lanes, so stores land in NCHW
// rows and the bias and ReLU are applied in registers. What it is not: a general GEMM, a
// grouped, depthwise or batched conv, a Winograd or FFT one; every multiply-add of the dense
// conv (or of the nonzeros) is done in float, so results match a naive loop up to rounding.
#ifndef SHEARS_DIRECT_BLOCKING_H
#define SHEARS_DIRECT_BLOCKING_H

#include "direct_conv.h"
#include "grid.h"

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
    BAND_ROWS = 8,                     // most conv rows per band of the fused conv + max pool
    BAND_FLOATS = 1 << 16,             // most floats of its band and ring (256 KiB, in L2)
};

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

/// Whether the dense panel of `count` positions from output column `ox`, grid index `grid`,
/// is read in place: full, on one grid row (or on rows that follow each other, wq = out_w),
/// and readable to its end by every tap (`most`: the chunk's largest tap offset).
static inline __attribute__((always_inline)) int32_t panel_in_place(shears_window v, direct_grid g, int64_t most, int32_t ox, int64_t grid,
                                                                    int32_t count) {
    return count == DENSE_NR && (ox + DENSE_NR <= v.out_w || g.wq == v.out_w) && most + grid + DENSE_NR <= g.size;
}

#endif
