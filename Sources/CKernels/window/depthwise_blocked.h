// depthwise_blocked: the depthwise conv of small maps (narrow output rows, where vectors along a
// row would be mostly empty lanes and per-row work dominates), eight channels at a time: their
// planes are transposed into one zero-padded block of positions holding the eight channels'
// values as one vector (`blocked_gather`), every output position is then one vector of eight
// channels summed over the taps, up to eight positions of a row at once, with each tap's eight
// weights a vector, and the outputs are transposed back into their planes (`blocked_scatter`).
#ifndef SHEARS_DEPTHWISE_BLOCKED_H
#define SHEARS_DEPTHWISE_BLOCKED_H

#include "ckernels.h"
#include "../common/activation.h"
#include "../common/transpose8.h"
#include "../common/vector.h"

#include <string.h>

/// The padded block: `rows` x `columns` positions of eight floats; input (iy, ix) at position
/// (iy + pad_h, ix + pad_w), every tap of every output inside.
typedef struct {
    int32_t rows, columns;
} blocked_layout;

static inline __attribute__((always_inline)) blocked_layout blocked_layout_of(shears_window v) {
    blocked_layout b;
    int32_t taps_h = (v.out_h - 1) * v.stride_h + v.kernel_h, taps_w = (v.out_w - 1) * v.stride_w + v.kernel_w;
    b.rows = taps_h > v.in_h + v.pad_h ? taps_h : v.in_h + v.pad_h;
    b.columns = taps_w > v.in_w + v.pad_w ? taps_w : v.in_w + v.pad_w;
    return b;
}

/// Floats of scratch: the padded block, then the outputs' block (out_h·out_w positions).
static inline __attribute__((always_inline)) int64_t blocked_scratch_size(shears_window v) {
    blocked_layout b = blocked_layout_of(v);
    return ((int64_t)b.rows * b.columns + (int64_t)v.out_h * v.out_w) * 8;
}

/// Columns ix ..< ix + 8 of row iy of planes p[0 ..< 8] (`in_w` floats a row) transposed into
/// the block row `to` (position ix + q of the row at to + 8·(ix + q)); only `width` (1 ... 8, a
/// constant) columns read and stored when fewer than eight (a row narrower than a vector).
static inline __attribute__((always_inline)) void gather_columns(const float *const p[8], int64_t offset, int32_t width,
                                                                 float *to) {
    v8f r[8];
    for (int32_t k = 0; k < 8; k++) {
        if (width == 8) memcpy(&r[k], p[k] + offset, sizeof r[k]);
        else { r[k] = (v8f){0}; memcpy(&r[k], p[k] + offset, sizeof(float) * (size_t)width); }
    }
    transpose8(r);
    for (int32_t q = 0; q < width; q++) memcpy(to + 8 * q, &r[q], sizeof r[q]);
}

/// Planes p[0 ..< 8] (in_h·in_w floats each) into the padded block (its padding already zero),
/// row by row, eight columns at a time (a row's last eight when its width is not a multiple).
static inline __attribute__((always_inline)) void blocked_gather(const float *const p[8], shears_window v, blocked_layout b,
                                                                 float *block) {
    for (int32_t iy = 0; iy < v.in_h; iy++) {
        int64_t row = (int64_t)iy * v.in_w;
        float *to = block + ((int64_t)(iy + v.pad_h) * b.columns + v.pad_w) * 8;
        switch (v.in_w) {  // constant widths: the loads and stores inline
        case 1: gather_columns(p, row, 1, to); continue;
        case 2: gather_columns(p, row, 2, to); continue;
        case 3: gather_columns(p, row, 3, to); continue;
        case 4: gather_columns(p, row, 4, to); continue;
        case 5: gather_columns(p, row, 5, to); continue;
        case 6: gather_columns(p, row, 6, to); continue;
        case 7: gather_columns(p, row, 7, to); continue;
        default: break;
        }
        for (int32_t ix = 0; ix < v.in_w; ix += 8) {
            int32_t start = ix + 8 <= v.in_w ? ix : v.in_w - 8;
            gather_columns(p, row + start, 8, to + (int64_t)start * 8);
        }
    }
}

/// The outputs' block (out_h·out_w positions) into the planes y[0 ..< count].
static inline __attribute__((always_inline)) void blocked_scatter(const float *out, shears_window v, float *const y[8],
                                                                  int32_t count) {
    int32_t n = v.out_h * v.out_w, pos = 0;
    for (; pos + 8 <= n; pos += 8) {
        v8f r[8];
        memcpy(r, out + (int64_t)pos * 8, sizeof r);
        transpose8(r);
        for (int32_t k = 0; k < count; k++) memcpy(y[k] + pos, &r[k], sizeof r[k]);
    }
    for (; pos < n; pos++)
        for (int32_t k = 0; k < count; k++) y[k][pos] = out[(int64_t)pos * 8 + k];
}

/// Output positions ox ..< ox + count (1 ... 8, a constant) of output row oy: Σ over taps in
/// row-major order of taps[t] · the block's vector, + bias, clipped when `act` is a clip.
static inline __attribute__((always_inline)) void blocked_outputs(const float *block, blocked_layout b, const v8f *taps,
                                                                  v8f bias, shears_activation act, float *out, int32_t oy,
                                                                  int32_t ox, int32_t count, int32_t kh, int32_t kw, int32_t sh,
                                                                  int32_t sw) {
    v8f acc[8];
    for (int32_t k = 0; k < count; k++) acc[k] = (v8f){0};
    for (int32_t i = 0; i < kh; i++) {
        const float *row = block + ((int64_t)(oy * sh + i) * b.columns + ox * sw) * 8;
        for (int32_t j = 0; j < kw; j++)
            for (int32_t k = 0; k < count; k++) {
                v8f value;
                memcpy(&value, row + (k * sw + j) * 8, sizeof value);
                acc[k] += taps[i * kw + j] * value;
            }
    }
    int clip = act.kind == SHEARS_ACTIVATION_CLIP;
    v8f lower = (v8f){0} + act.a, upper = (v8f){0} + act.b;
    for (int32_t k = 0; k < count; k++) {
        v8f value = acc[k] + bias;
        if (clip) value = clamp8(value, lower, upper);
        memcpy(out + (int64_t)(ox + k) * 8, &value, sizeof value);
    }
}

/// Every channel, eight at a time (the last block's missing channels computed from copies of
/// its last one and not stored), through the blocks in `scratch`.
static inline __attribute__((always_inline)) void blocked_conv(const float *x, const float *w, const float *bias, float *y,
                                                               int32_t channels, shears_window v, shears_activation act,
                                                               float *scratch, int32_t kh, int32_t kw, int32_t sh, int32_t sw) {
    blocked_layout b = blocked_layout_of(v);
    float *block = scratch, *out = scratch + (int64_t)b.rows * b.columns * 8;
    int64_t in_plane = (int64_t)v.in_h * v.in_w, out_plane = (int64_t)v.out_h * v.out_w;
    memset(block, 0, sizeof(float) * (size_t)b.rows * (size_t)b.columns * 8);
    for (int32_t c0 = 0; c0 < channels; c0 += 8) {
        int32_t count = channels - c0 < 8 ? channels - c0 : 8;
        const float *planes[8];
        float *outputs[8];
        v8f taps[kh * kw], bias8;
        for (int32_t k = 0; k < 8; k++) {
            int32_t c = c0 + (k < count ? k : count - 1);
            planes[k] = x + c * in_plane;
            outputs[k] = y + c * out_plane;
            bias8[k] = bias[c];
            for (int32_t t = 0; t < kh * kw; t++) taps[t][k] = w[(int64_t)c * kh * kw + t];
        }
        blocked_gather(planes, v, b, block);
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            float *row = out + (int64_t)oy * v.out_w * 8;
            for (int32_t ox = 0; ox < v.out_w; ox += 8) {
                switch (v.out_w - ox < 8 ? v.out_w - ox : 8) {
                case 1: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 1, kh, kw, sh, sw); break;
                case 2: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 2, kh, kw, sh, sw); break;
                case 3: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 3, kh, kw, sh, sw); break;
                case 4: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 4, kh, kw, sh, sw); break;
                case 5: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 5, kh, kw, sh, sw); break;
                case 6: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 6, kh, kw, sh, sw); break;
                case 7: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 7, kh, kw, sh, sw); break;
                default: blocked_outputs(block, b, taps, bias8, act, row, oy, ox, 8, kh, kw, sh, sw); break;
                }
            }
        }
        if (act.kind != SHEARS_ACTIVATION_CLIP) activate_floats(out, out_plane * 8, act);
        blocked_scatter(out, v, outputs, count);
    }
}

#endif
