// depthwise: see shears_depthwise_conv in include/ckernels.h. An undilated window runs row by
// row: each input row a window reads is copied once into a ring of padded rows (pad_row: zero
// padding columns, split into stride phases), rows above and below the input read one zero row,
// and two output rows at a time are summed from the ring, 8 outputs per vector, up to four
// vectors at once, each input vector loaded once for both rows; the filter's taps are broadcast
// once per channel. 3x3 and 5x5 windows at stride 1 and 2 have their taps and strides as
// constants (unrolled), other windows the same loops with them as variables. Bias and a clip
// (ReLU, ReLU6) run in the store, any other activation on the rows just stored, in L1. Output
// rows narrower than BLOCKED_WIDTH run eight channels at a time instead (depthwise_blocked.h).
// Dilated windows, and windows too large for the taps and row pointers these keep on the stack,
// run over padded planes (padded_plane.h), activation after.

#include "depthwise_blocked.h"
#include "padded_plane.h"
#include "../common/activation.h"
#include "../common/multiversion.h"

/// Output rows a pass computes at most.
enum { PASS_ROWS = 2 };

/// The ring of padded rows a window needs: enough for a pass's input rows.
static inline __attribute__((always_inline)) int32_t ring_rows(shears_window v) {
    return (PASS_ROWS - 1) * v.stride_h + v.kernel_h;
}

#ifndef BLOCKED_WIDTH
#define BLOCKED_WIDTH 64
#endif

/// Whether the window runs by rows or blocks: undilated, at most 256 taps (their broadcast
/// vectors on the stack, 8 KB) and a row stride of at most 16 (the pass's row pointers).
static inline __attribute__((always_inline)) int32_t undilated_applies(shears_window v) {
    return v.dilation_h == 1 && v.dilation_w == 1 && v.kernel_h * v.kernel_w <= 256 && v.stride_h <= 16;
}

/// Whether an undilated window runs eight channels at a time (depthwise_blocked.h): output rows
/// narrower than BLOCKED_WIDTH.
static inline __attribute__((always_inline)) int32_t blocked_applies(shears_window v) { return v.out_w < BLOCKED_WIDTH; }

int64_t shears_depthwise_scratch_size(shears_window v) {
    if (!undilated_applies(v)) return shears_padded_plane_size(v);
    if (blocked_applies(v)) return blocked_scratch_size(v);
    padded_layout l = layout_of(v);
    return (int64_t)(ring_rows(v) + 1) * l.row;  // the ring, then the zero row
}

/// Outputs ox ..< ox + 8·vectors of `rows` (1 or PASS_ROWS) output rows from the padded input
/// rows `in` (the pass's first output row reads in[0 ..< kh], the next in[sh ..< sh + kh]):
/// acc = Σ taps in row-major order, + bias, clipped when `act` is a clip, stored to the output
/// rows at `out` (`out_w` floats apart, a last partial vector lane by lane).
static inline __attribute__((always_inline)) void pass_vectors(const float *const *in, int32_t phase, const v8f *taps, float bias,
                                                               shears_activation act, float *out, int32_t out_w, int32_t ox,
                                                               int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t rows,
                                                               int32_t vectors) {
    v8f acc[PASS_ROWS][4];
    for (int32_t q = 0; q < rows; q++)
        for (int32_t k = 0; k < vectors; k++) acc[q][k] = (v8f){0};
    for (int32_t r = 0; r < (rows - 1) * sh + kh; r++)
        for (int32_t j = 0; j < kw; j++) {
            const float *source = in[r] + (j % sw) * phase + j / sw + ox;
            for (int32_t k = 0; k < vectors; k++) {
                v8f value;
                memcpy(&value, source + 8 * k, sizeof value);
                for (int32_t q = 0; q < rows; q++) {
                    int32_t i = r - q * sh;
                    if (i >= 0 && i < kh) acc[q][k] += taps[i * kw + j] * value;
                }
            }
        }
    int clip = act.kind == SHEARS_ACTIVATION_CLIP;
    v8f lower = (v8f){0} + act.a, upper = (v8f){0} + act.b;
    for (int32_t q = 0; q < rows; q++)
        for (int32_t k = 0; k < vectors; k++) {
            v8f value = acc[q][k] + bias;
            if (clip) value = clamp8(value, lower, upper);
            int32_t left = out_w - ox - 8 * k;
            store_lanes(out + (int64_t)q * out_w + ox + 8 * k, &value, left < 8 ? left : 8);
        }
}

/// `rows` whole output rows, up to four vectors at a time, then their activation if not a clip.
static inline __attribute__((always_inline)) void pass(const float *const *in, int32_t phase, const v8f *taps, float bias,
                                                       shears_activation act, float *out, int32_t out_w, int32_t kh, int32_t kw,
                                                       int32_t sh, int32_t sw, int32_t rows) {
    for (int32_t ox = 0; ox < out_w; ox += 32) {
        switch ((out_w - ox + 7) / 8) {
        case 1: pass_vectors(in, phase, taps, bias, act, out, out_w, ox, kh, kw, sh, sw, rows, 1); break;
        case 2: pass_vectors(in, phase, taps, bias, act, out, out_w, ox, kh, kw, sh, sw, rows, 2); break;
        case 3: pass_vectors(in, phase, taps, bias, act, out, out_w, ox, kh, kw, sh, sw, rows, 3); break;
        default: pass_vectors(in, phase, taps, bias, act, out, out_w, ox, kh, kw, sh, sw, rows, 4); break;
        }
    }
    if (act.kind != SHEARS_ACTIVATION_CLIP) activate_floats(out, (int64_t)rows * out_w, act);
}

/// Every channel of an undilated window through the ring of padded rows in `scratch`, with kh,
/// kw, sh and sw the window's (constants when the caller's are).
static inline __attribute__((always_inline)) void rows_conv(const float *x, const float *w, const float *bias, float *y,
                                                            int32_t channels, shears_window v, shears_activation act,
                                                            float *scratch, int32_t kh, int32_t kw, int32_t sh, int32_t sw) {
    padded_layout l = layout_of(v);
    int32_t ring = ring_rows(v);
    float *zero = scratch + (int64_t)ring * l.row;
    // Every slot's padding columns stay zero: pad_row writes the same input columns each time.
    memset(scratch, 0, sizeof(float) * (size_t)(ring + 1) * (size_t)l.row);
    for (int32_t c = 0; c < channels; c++) {
        const float *plane = x + (int64_t)c * v.in_h * v.in_w;
        float *out = y + (int64_t)c * v.out_h * v.out_w;
        v8f taps[kh * kw];
        for (int32_t t = 0; t < kh * kw; t++) taps[t] = (v8f){0} + w[(int64_t)c * kh * kw + t];
        int32_t filled = 0;  // padded rows below this one are in the ring
        for (int32_t oy = 0; oy < v.out_h; oy += PASS_ROWS) {
            int32_t rows = v.out_h - oy < PASS_ROWS ? v.out_h - oy : PASS_ROWS;
            int32_t first = oy * sh, count = (rows - 1) * sh + kh;
            const float *in[(PASS_ROWS - 1) * sh + kh];
            for (int32_t r = 0; r < count; r++) {
                int32_t row = first + r, iy = row - v.pad_h;
                if (iy < 0 || iy >= v.in_h) { in[r] = zero; continue; }
                float *slot = scratch + (int64_t)(row % ring) * l.row;
                if (row >= filled) pad_row(plane + (int64_t)iy * v.in_w, v.in_w, v.pad_w, sw, l.phase, slot);
                in[r] = slot;
            }
            if (first + count > filled) filled = first + count;
            if (rows == PASS_ROWS) pass(in, l.phase, taps, bias[c], act, out + (int64_t)oy * v.out_w, v.out_w, kh, kw, sh, sw, PASS_ROWS);
            else pass(in, l.phase, taps, bias[c], act, out + (int64_t)oy * v.out_w, v.out_w, kh, kw, sh, sw, 1);
        }
    }
}

/// An undilated window's conv, eight channels at a time on small maps, else row by row.
static inline __attribute__((always_inline)) void undilated(const float *x, const float *w, const float *bias, float *y,
                                                            int32_t channels, shears_window v, shears_activation act,
                                                            float *scratch, int32_t kh, int32_t kw, int32_t sh, int32_t sw) {
    if (blocked_applies(v)) blocked_conv(x, w, bias, y, channels, v, act, scratch, kh, kw, sh, sw);
    else rows_conv(x, w, bias, y, channels, v, act, scratch, kh, kw, sh, sw);
}

/// The depthwise conv of one instruction set's clone: the unrolled 3x3 and 5x5 windows at
/// stride 1 and 2, the same loops with variables for other windows, padded planes for dilated
/// (or too large) ones.
static inline __attribute__((always_inline)) void depthwise(const float *x, const float *w, const float *bias, float *y,
                                                            int32_t channels, shears_window v, shears_activation act,
                                                            float *scratch, pad_plane_fn *pad) {
    if (!undilated_applies(v)) {
        window_planes(x, w, bias, y, channels, v, 0, 0, scratch, pad);
        activate_floats(y, (int64_t)channels * v.out_h * v.out_w, act);
        return;
    }
    int32_t k = v.kernel_h == v.kernel_w ? v.kernel_h : 0, s = v.stride_h == v.stride_w ? v.stride_h : 0;
    if (k == 3 && s == 1) undilated(x, w, bias, y, channels, v, act, scratch, 3, 3, 1, 1);
    else if (k == 3 && s == 2) undilated(x, w, bias, y, channels, v, act, scratch, 3, 3, 2, 2);
    else if (k == 5 && s == 1) undilated(x, w, bias, y, channels, v, act, scratch, 5, 5, 1, 1);
    else if (k == 5 && s == 2) undilated(x, w, bias, y, channels, v, act, scratch, 5, 5, 2, 2);
    else undilated(x, w, bias, y, channels, v, act, scratch, v.kernel_h, v.kernel_w, v.stride_h, v.stride_w);
}

static void depthwise_portable(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                               shears_window v, shears_activation act, float *scratch) {
    depthwise(x, w, bias, y, channels, v, act, scratch, window_pad_plane_portable);
}

#if SHEARS_MULTIVERSION
SHEARS_AVX2 static void depthwise_avx2(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                                       shears_window v, shears_activation act, float *scratch) {
    depthwise(x, w, bias, y, channels, v, act, scratch, window_pad_plane_avx2);
}
#endif

void shears_depthwise_conv(const float *x, const float *w, const float *bias, float *y, int32_t channels,
                           shears_window window, shears_activation act, float *scratch) {
#if SHEARS_MULTIVERSION
    if (shears_use_avx2()) { depthwise_avx2(x, w, bias, y, channels, window, act, scratch); return; }
#endif
    depthwise_portable(x, w, bias, y, channels, window, act, scratch);
}
