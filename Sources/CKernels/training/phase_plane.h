// phase_plane: the zero-padded copy of a plane that the training kernels read taps from (and
// sum gradients into): each row split into its stride phases (padded column X at
// (X mod sw)·phase + X / sw), so that a tap at any stride reads out_w contiguous floats.
#ifndef SHEARS_PHASE_PLANE_H
#define SHEARS_PHASE_PLANE_H

#include "training.h"

#include <string.h>

/// The padded plane: `rows` rows of `stride_w` phases of `phase` floats, covering `width` padded columns.
typedef struct {
    int64_t rows, width, phase, row_length;
} padded_plane;

static inline __attribute__((always_inline)) padded_plane plane_of(shears_window v) {
    int64_t need_h = (int64_t)(v.out_h - 1) * v.stride_h + (int64_t)(v.kernel_h - 1) * v.dilation_h + 1;
    int64_t need_w = (int64_t)(v.out_w - 1) * v.stride_w + (int64_t)(v.kernel_w - 1) * v.dilation_w + 1;
    padded_plane p;
    p.rows = v.in_h + v.pad_h > need_h ? v.in_h + v.pad_h : need_h;
    p.width = v.in_w + v.pad_w > need_w ? v.in_w + v.pad_w : need_w;
    p.phase = (p.width + v.stride_w - 1) / v.stride_w;
    p.row_length = p.phase * v.stride_w;
    return p;
}

/// Whether the plane itself can serve as the padded plane: no padding, stride 1 across.
static inline __attribute__((always_inline)) int reads_plane(shears_window v, padded_plane p) {
    return v.pad_h == 0 && v.pad_w == 0 && v.stride_w == 1 && p.rows == v.in_h && p.width == v.in_w;
}

/// Where padded column X of a row lies in the phase-split row.
static inline __attribute__((always_inline)) int64_t split_column(int64_t X, int32_t stride, int64_t phase) {
    return (X % stride) * phase + X / stride;
}

/// The first input column ix >= 0 whose padded column ix + pad_w is in phase r, and that column's index in the phase.
static inline __attribute__((always_inline)) int32_t first_in_phase(shears_window v, int32_t r, int64_t *q) {
    int32_t ix = r - v.pad_w;
    if (ix < 0) ix += (-ix + v.stride_w - 1) / v.stride_w * v.stride_w;
    *q = (ix + v.pad_w) / v.stride_w;
    return ix;
}

/// row[(X mod sw)·phase + X / sw] = line[ix] for every input column ix (X = ix + pad_w), phase by phase.
static inline __attribute__((always_inline)) void split_line(float *restrict row, const float *restrict line, shears_window v, int64_t phase) {
    for (int32_t r = 0; r < v.stride_w; r++) {
        int64_t q;
        for (int32_t ix = first_in_phase(v, r, &q); ix < v.in_w; ix += v.stride_w, q++) row[r * phase + q] = line[ix];
    }
}

/// The transpose of split_line: line[ix] += row[(X mod sw)·phase + X / sw].
static inline __attribute__((always_inline)) void add_split_line(float *restrict line, const float *restrict row, shears_window v, int64_t phase) {
    for (int32_t r = 0; r < v.stride_w; r++) {
        int64_t q;
        for (int32_t ix = first_in_phase(v, r, &q); ix < v.in_w; ix += v.stride_w, q++) line[ix] += row[r * phase + q];
    }
}

/// dst[k] = src[k] for k < n (the two never overlap: restrict lets the copy vectorise).
static inline __attribute__((always_inline)) void copy_row(float *restrict dst, const float *restrict src, int32_t n) {
#pragma clang loop vectorize_width(8) interleave_count(1)
    for (int32_t k = 0; k < n; k++) dst[k] = src[k];
}

/// dst[k] += src[k] for k < n.
static inline __attribute__((always_inline)) void add_row(float *restrict dst, const float *restrict src, int32_t n) {
#pragma clang loop vectorize_width(8) interleave_count(1)
    for (int32_t k = 0; k < n; k++) dst[k] += src[k];
}

/// Fills `scratch` with plane `xp` zero-padded and phase-split (p.rows · p.row_length floats).
static inline __attribute__((always_inline)) void fill_phase_plane(float *scratch, const float *xp, shears_window v, padded_plane p) {
    memset(scratch, 0, sizeof(float) * (size_t)(p.rows * p.row_length));
    for (int32_t iy = 0; iy < v.in_h; iy++) {
        float *row = scratch + (iy + v.pad_h) * p.row_length;
        const float *line = xp + (int64_t)iy * v.in_w;
        if (v.stride_w == 1) {
            copy_row(row + v.pad_w, line, v.in_w);
        } else {
            split_line(row, line, v, p.phase);
        }
    }
}

/// Adds the interior of the phase-split padded plane `scratch` to plane `dp`.
static inline __attribute__((always_inline)) void add_phase_plane(float *dp, const float *scratch, shears_window v, padded_plane p) {
    for (int32_t iy = 0; iy < v.in_h; iy++) {
        const float *row = scratch + (iy + v.pad_h) * p.row_length;
        float *line = dp + (int64_t)iy * v.in_w;
        if (v.stride_w == 1) {
            add_row(line, row + v.pad_w, v.in_w);
        } else {
            add_split_line(line, row, v, p.phase);
        }
    }
}

/// The first float of tap (i, j)'s reads in a phase-split padded plane: output (oy, ox) reads
/// tap[oy·sh·row_length + ox].
static inline __attribute__((always_inline)) int64_t tap_offset(shears_window v, padded_plane p, int32_t i, int32_t j) {
    return (int64_t)i * v.dilation_h * p.row_length + split_column((int64_t)j * v.dilation_w, v.stride_w, p.phase);
}

#endif
