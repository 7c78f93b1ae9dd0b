// padded_plane: what max pooling (max_pool.c) and depthwise convolution (depthwise.c) share,
// and the training kernels (training/) with the transpose, unpad_plane_adding.
// Each input plane is first copied into a padded plane (`shears_padded_plane_size`) that holds
// the padding as values (−inf for max pooling, 0 for convolution) and splits every row into its
// stride phases, so that every tap of every output reads eight contiguous floats: no bounds
// checks and no scalar edge columns in the hot loop. Outputs are computed up to four vectors of
// a row at a time (independent sums, so the taps' dependent adds overlap); taps are visited in
// row-major order for every output, as in a scalar per-output loop. Not here: grouped convs
// with several channels per group (the GEMM paths), average pooling (PoolStep, in Swift).
#ifndef SHEARS_PADDED_PLANE_H
#define SHEARS_PADDED_PLANE_H

#include "ckernels.h"
#include "../common/max_pool_rows.h"
#include "../common/padded_row.h"
#include "../common/vector.h"
#include "../common/multiversion.h"

#include <math.h>
#include <string.h>

/// The padded plane of a window: `rows` rows of `stride_w` phases of `phase` floats each;
/// padded column X (input column X − pad_w) of padded row Y (input row Y − pad_h) is at
/// Y·(stride_w·phase) + (X mod stride_w)·phase + X / stride_w. Each phase is long enough for
/// the last output vector's reads (columns past the window read the padding value).
typedef struct {
    int32_t rows, phase, row;
} padded_layout;

static inline __attribute__((always_inline)) padded_layout layout_of(shears_window v) {
    padded_layout l;
    l.rows = (v.out_h - 1) * v.stride_h + (v.kernel_h - 1) * v.dilation_h + 1;
    int32_t vectors = (v.out_w + 7) / 8;
    l.phase = vectors * 8 + ((v.kernel_w - 1) * v.dilation_w) / v.stride_w + 1;
    l.row = l.phase * v.stride_w;
    return l;
}

/// The offset from an output row's first padded row to tap (i, j)'s first read: output
/// (oy, ox) reads the padded plane at oy·stride_h·row + this + ox.
static inline __attribute__((always_inline)) int64_t tap_offset(shears_window v, padded_layout l, int32_t i, int32_t j) {
    int32_t column = j * v.dilation_w;
    return (int64_t)i * v.dilation_h * l.row + (column % v.stride_w) * l.phase + column / v.stride_w;
}

/// Offsets from an output row's first padded row to each tap's first read, in row-major tap order.
static inline __attribute__((always_inline)) void tap_offsets(shears_window v, padded_layout l, int64_t *offsets) {
    for (int32_t i = 0; i < v.kernel_h; i++)
        for (int32_t j = 0; j < v.kernel_w; j++) offsets[i * v.kernel_w + j] = tap_offset(v, l, i, j);
}

/// Copies plane x into the padded plane p (`pad_row` row by row). The padding (`fill`) is
/// written with the first plane only (`first_plane`): every later plane of the call writes the
/// same positions.
static inline __attribute__((always_inline)) void pad_plane(const float *x, shears_window v, padded_layout l, float fill,
                                                            int32_t first_plane, float *p) {
    if (first_plane)
        for (int64_t k = 0; k < (int64_t)l.rows * l.row; k++) p[k] = fill;
    for (int32_t y = 0; y < l.rows; y++) {
        int32_t iy = y - v.pad_h;
        if (iy < 0 || iy >= v.in_h) continue;
        pad_row(x + (int64_t)iy * v.in_w, v.in_w, v.pad_w, v.stride_w, l.phase, p + (int64_t)y * l.row);
    }
}

/// The transpose of pad_plane (the training kernels' col2im and depthwise backward): adds each
/// input position's entry of the padded plane p to plane dx; the padding's entries are dropped.
static inline __attribute__((always_inline)) void unpad_plane_adding(const float *p, shears_window v, padded_layout l, float *dx) {
    for (int32_t y = 0; y < l.rows; y++) {
        int32_t iy = y - v.pad_h;
        if (iy < 0 || iy >= v.in_h) continue;
        unpad_row_adding(p + (int64_t)y * l.row, v.in_w, v.pad_w, v.stride_w, l.phase, dx + (int64_t)iy * v.in_w);
    }
}

/// pad_plane, one clone per instruction set (padded_plane.c), called by `window_planes`: not
/// inlined into its loop over planes, where a 3x3/2 depthwise conv on 8x8 maps ran 10% slower.
__attribute__((visibility("hidden"))) void window_pad_plane_portable(const float *x, shears_window v, padded_layout l, float fill,
                                                                     int32_t first_plane, float *p);
#if SHEARS_MULTIVERSION
SHEARS_AVX2 __attribute__((visibility("hidden"))) void window_pad_plane_avx2(const float *x, shears_window v, padded_layout l,
                                                                             float fill, int32_t first_plane, float *p);
#endif
typedef void pad_plane_fn(const float *x, shears_window v, padded_layout l, float fill, int32_t first_plane, float *p);

/// Stores the first `count` (1 ... 8) lanes of `value` at `y`.
static inline __attribute__((always_inline)) void store_lanes(float *y, const v8f *value, int32_t count) {
    if (count == 8) memcpy(y, value, sizeof *value);  // inline; a variable-size memcpy is a call
    else memcpy(y, value, sizeof(float) * (size_t)count);
}

/// Outputs ox ..< ox + 8·count of one output row (count a constant, so the results stay in
/// registers) from the padded rows at `base`, taps in row-major order: when `max` (a constant)
/// the max pool's max (`max_tap`, from −inf), else the depthwise sum of the taps' products with
/// `kernel`, plus `bias`, ReLU when asked.
static inline __attribute__((always_inline)) void window_vectors(const float *base, const int64_t *offsets, int32_t taps,
                                                                 int32_t max, const float *kernel, float bias, int32_t relu,
                                                                 float *row, int32_t ox, int32_t out_w, int32_t count) {
    v8f acc[4];
    for (int32_t k = 0; k < count; k++) acc[k] = (v8f){0} + (max ? -INFINITY : 0);
    for (int32_t t = 0; t < taps; t++) {
        const float *source = base + offsets[t] + ox;
        for (int32_t k = 0; k < count; k++) {
            v8f value;
            memcpy(&value, source + 8 * k, sizeof value);
            if (max) max_tap(&acc[k], &value);
            else acc[k] += kernel[t] * value;
        }
    }
    for (int32_t k = 0; k < count; k++) {
        v8f out = acc[k];
        if (!max) out += bias;
        if (!max && relu) out = (v8f)((v8i)out & ~(out < 0));  // ReLU, NaN kept (as torch.relu)
        int32_t left = out_w - ox - 8 * k;
        store_lanes(row + ox + 8 * k, &out, left < 8 ? left : 8);
    }
}

/// One output row, up to four vectors at a time through `window_vectors`.
static inline __attribute__((always_inline)) void window_row(const float *base, const int64_t *offsets, int32_t taps,
                                                             int32_t max, const float *kernel, float bias, int32_t relu,
                                                             float *row, int32_t out_w) {
    for (int32_t ox = 0; ox < out_w; ox += 32) {
        switch ((out_w - ox + 7) / 8) {
        case 1: window_vectors(base, offsets, taps, max, kernel, bias, relu, row, ox, out_w, 1); break;
        case 2: window_vectors(base, offsets, taps, max, kernel, bias, relu, row, ox, out_w, 2); break;
        case 3: window_vectors(base, offsets, taps, max, kernel, bias, relu, row, ox, out_w, 3); break;
        default: window_vectors(base, offsets, taps, max, kernel, bias, relu, row, ox, out_w, 4); break;
        }
    }
}

/// Every plane of a call through its padded plane (`scratch`): plane p of x padded with −inf
/// when `max` (a constant), with 0 otherwise, then each output row by `window_row`, with plane
/// p's filter w[p] and bias[p] when not `max` (w and bias unread when it is). `pad` is the
/// window_pad_plane_* clone of the caller's instruction set.
static inline __attribute__((always_inline)) void window_planes(const float *x, const float *w, const float *bias, float *y,
                                                                int32_t planes, shears_window v, int32_t max, int32_t relu,
                                                                float *scratch, pad_plane_fn *pad) {
    padded_layout l = layout_of(v);
    int32_t taps = v.kernel_h * v.kernel_w;
    int64_t offsets[taps];
    tap_offsets(v, l, offsets);
    for (int32_t p = 0; p < planes; p++) {
        pad(x + (int64_t)p * v.in_h * v.in_w, v, l, max ? -INFINITY : 0, p == 0, scratch);
        const float *kernel = max ? 0 : w + (int64_t)p * taps;
        float b = max ? 0 : bias[p];
        for (int32_t oy = 0; oy < v.out_h; oy++) {
            const float *base = scratch + (int64_t)oy * v.stride_h * l.row;
            float *row = y + ((int64_t)p * v.out_h + oy) * v.out_w;
            window_row(base, offsets, taps, max, kernel, b, max ? 0 : relu, row, v.out_w);
        }
    }
}

#endif
