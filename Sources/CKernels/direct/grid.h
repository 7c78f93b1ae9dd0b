// grid: where the direct kernels' taps read. Each tap is a constant offset on a grid: x itself
// (stride 1, no padding, every tap of every output inside the input), or the "source"
// (source.c): the zero-padded planes split into their stride phases. Tap k = (c·kh + i)·kw + j
// reads input[c·channel_stride + offsets[i·kw + j] + grid(n)] for output position
// n = oy·out_w + ox, grid(n) = oy·wq + ox.
#ifndef SHEARS_DIRECT_GRID_H
#define SHEARS_DIRECT_GRID_H

#include "ckernels.h"

enum {
    SLACK = 16,  // zero floats after the source
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

/// The columns of stride phase b in a source row: column q holds input column q·sw + shift
/// (shift = b − pw), inside the input for q in [lo, hi) (at most wq; lo = hi when none).
typedef struct {
    int32_t shift, lo, hi;
} phase_columns;

static inline __attribute__((always_inline)) phase_columns columns_of_phase(int32_t b, int32_t wq, shears_window v) {
    int32_t sw = v.stride_w, shift = b - v.pad_w, lo = -shift > 0 ? (-shift + sw - 1) / sw : 0;
    int32_t hi = v.in_w - 1 - shift < 0 ? 0 : (v.in_w - 1 - shift) / sw + 1;
    if (hi > wq) hi = wq;
    if (lo > hi) lo = hi;
    return (phase_columns){shift, lo, hi};
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

#endif
