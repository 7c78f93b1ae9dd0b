// padded_row: one input row stored into a padded row split into its stride phases (and the
// transpose, a padded row's entries added back onto the input row), so that a
// window's tap at any column reads contiguous floats. Shared by the padded planes of max pooling
// and depthwise convolution (window/padded_plane.h) and the conv rows of the fused conv + max
// pool (direct/conv_max_pool.c).
#ifndef SHEARS_PADDED_ROW_H
#define SHEARS_PADDED_ROW_H

#include "vector.h"

#include <string.h>

/// Stores `line` (`in_w` floats) into `row`, `stride_w` phases of `phase` floats: input column
/// ix goes to padded column X = ix + pad_w, at (X mod stride_w)·phase + X / stride_w, for the
/// columns with 0 <= X < stride_w·phase; nothing else of `row` is written (the caller fills the
/// padding). Stride 1: one copy; stride 2: the even and odd columns separated eight pairs at a
/// time; other strides column by column.
static inline __attribute__((always_inline)) void pad_row(const float *line, int32_t in_w, int32_t pad_w, int32_t stride_w,
                                                          int32_t phase, float *row) {
    // Input columns [first, last) land inside the padded row.
    int32_t first = pad_w < 0 ? -pad_w : 0;
    int32_t last = phase * stride_w - pad_w < in_w ? phase * stride_w - pad_w : in_w;
    if (stride_w == 1) {
        if (last > first) memcpy(row + first + pad_w, line + first, sizeof(float) * (size_t)(last - first));
    } else if (stride_w == 2) {
        // Column ix goes to phase (ix + pad_w) & 1 at index (ix + pad_w) >> 1.
        int32_t ix = first;
        if (((ix + pad_w) & 1) && ix < last) { row[phase + ((ix + pad_w) >> 1)] = line[ix]; ix++; }
        float *even = row + ((ix + pad_w) >> 1), *odd = row + phase + ((ix + pad_w) >> 1);
        int32_t q = 0;
        for (; ix + 2 * q + 16 <= last; q += 8) {
            v8f a, b;
            memcpy(&a, line + ix + 2 * q, sizeof a);
            memcpy(&b, line + ix + 2 * q + 8, sizeof b);
            v8f e = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
            v8f o = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
            memcpy(even + q, &e, sizeof e);
            memcpy(odd + q, &o, sizeof o);
        }
        for (int32_t c = ix + 2 * q; c < last; c++) {
            int32_t column = c + pad_w;
            row[(column & 1) * phase + (column >> 1)] = line[c];
        }
    } else {
        for (int32_t c = first; c < last; c++) {
            int32_t column = c + pad_w;
            row[(column % stride_w) * phase + column / stride_w] = line[c];
        }
    }
}

/// The transpose of pad_row: line[c] += row[(X mod stride_w)·phase + X / stride_w], X = c + pad_w,
/// for the same columns pad_row stores; the padding's entries of `row` are dropped.
static inline __attribute__((always_inline)) void unpad_row_adding(const float *row, int32_t in_w, int32_t pad_w, int32_t stride_w,
                                                                   int32_t phase, float *line) {
    int32_t first = pad_w < 0 ? -pad_w : 0;
    int32_t last = phase * stride_w - pad_w < in_w ? phase * stride_w - pad_w : in_w;
    if (stride_w == 1) {
        for (int32_t c = first; c < last; c++) line[c] += row[c + pad_w];
    } else {
        for (int32_t c = first; c < last; c++) {
            int32_t column = c + pad_w;
            line[c] += row[(column % stride_w) * phase + column / stride_w];
        }
    }
}

#endif
